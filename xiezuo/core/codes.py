"""Administrative division codes (GB/T 2260 and the 9/12-digit township and village extensions).

Codes are kept in their published form: provinces, cities and counties as 6 digits
(130000, 130700, 130723), townships as 9 (130723100) and villages as 12 (130723100201).
"""

from enum import IntEnum


class Level(IntEnum):
    PROVINCE = 1
    CITY = 2
    COUNTY = 3
    TOWNSHIP = 4
    VILLAGE = 5


def level_of(code: str) -> Level:
    """Return the level a code names; raise ValueError for a malformed code."""
    if not (code.isascii() and code.isdigit()) or len(code) not in (6, 9, 12):
        raise ValueError(f"不是有效的区划代码: {code!r}")
    if len(code) == 12:
        return Level.VILLAGE
    if len(code) == 9:
        return Level.TOWNSHIP
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


def prefix(code: str) -> str:
    """Return the significant prefix: what every code inside this region starts with."""
    level = level_of(code)
    if level is Level.PROVINCE:
        return code[:2]
    if level is Level.CITY:
        return code[:4]
    return code


def contains(outer: str, inner: str) -> bool:
    """Return True when region `inner` lies in region `outer` (a region contains itself)."""
    return level_of(inner) >= level_of(outer) and inner.startswith(prefix(outer))


def county_of(code: str) -> str:
    """Return the county code of a county, township or village code."""
    if level_of(code) < Level.COUNTY:
        raise ValueError(f"区划代码 {code} 高于县级")
    return code[:6]
