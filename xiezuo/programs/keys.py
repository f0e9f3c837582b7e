"""The key that names a pairing outside the database: `HELPER→RECIPIENT` (`110105→130723`).

Assessment units, rectification items, pages and (later) the API address a pairing by it, so
other systems need no internal ids. `pairing_key` builds it; `pairing_sides` parses it and
accepts the forms people type: `->`, `—>`, `－>` or `＞` for the arrow, spaces around it.
"""

import re

ARROW = "→"
_SEPARATOR = re.compile(r"\s*(?:→|->|—>|－>|－＞|=>)\s*")


def pairing_key(helper: str, recipient: str) -> str:
    """Return the key of the pairing `helper` → `recipient`."""
    return f"{helper}{ARROW}{recipient}"


def pairing_sides(key: str) -> tuple[str, str]:
    """Return (helper, recipient) of a pairing key; ValueError when it is not one."""
    parts = _SEPARATOR.split(key.strip())
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"结对标识应为「帮扶方代码→受援方代码」，不是 {key!r}")
    return parts[0], parts[1]


def unit_codes(unit_type: str, unit: str) -> list[str]:
    """Return the region codes a unit key names: a pairing's two sides, a region's own code,
    none for the programme."""
    if unit_type == "programme":
        return []
    if unit_type == "pairing":
        return list(pairing_sides(unit))
    return [unit]
