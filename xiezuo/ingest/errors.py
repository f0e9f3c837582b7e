"""What can go wrong with an input: the file as a whole, or one cell of one row."""

from dataclasses import dataclass
from typing import Any

from xiezuo.core.errors import XiezuoError

# A value longer than this is cut in reports (the message says how long it was).
VALUE_SHOWN_CHARS = 200


class UnusableInput(XiezuoError):
    """The file cannot be read as the ledger at all: nothing in it was checked row by row."""


class BatchError(XiezuoError):
    """A batch cannot be undone (or loaded) as asked."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem in one cell: the row as Excel numbers it, the catalog header, the raw value."""

    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def shown(value: object) -> str | None:
    """Return a raw cell value as a report shows it (long text is cut)."""
    if value is None:
        return None
    text = str(value)
    if len(text) > VALUE_SHOWN_CHARS:
        return text[:VALUE_SHOWN_CHARS] + f"…（共{len(text)}字）"
    return text
