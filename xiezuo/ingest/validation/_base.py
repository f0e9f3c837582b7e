"""What validation takes and gives: the import's context and the validated table."""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from xiezuo.access import Regions
from xiezuo.ingest.errors import RowError
from xiezuo.programs.models import Programme

if TYPE_CHECKING:
    import polars as pl

_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@dataclass(frozen=True)
class Context:
    """Who imports into which programme, and the day the import runs."""

    programme: Programme
    scope: Regions  # the regions the importer may write rows into
    today: date
    # Lookups the chunks of one import share: a file's chunks name the same households, and
    # the tables looked up are not the ones the import writes.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Validated:
    """The typed rows of a table, what was wrong with them and what is worth saying.

    `frame` holds `ROW` and one typed column per model field the file fills (attribute names),
    for every row; `bad_rows` are the Excel rows with at least one error; `notices` say what
    was accepted but changed or unusual (never a reason to refuse the file).
    """

    model: type[Model]
    frame: "pl.DataFrame"
    fields: tuple[str, ...]
    key_fields: tuple[str, ...]
    errors: list[RowError]
    bad_rows: frozenset[int]
    # (field, header) of references to a parent row that an update must not move (户编号).
    parent_fields: tuple[tuple[str, str], ...] = ()
    notices: list[str] = field(default_factory=list)

    @property
    def valid_frame(self) -> "pl.DataFrame":
        import polars as pl

        from xiezuo.ingest.reading import ROW

        if not self.bad_rows:
            return self.frame
        return self.frame.filter(~pl.col(ROW).is_in(list(self.bad_rows)))


def m2m_ids(name: str) -> str:
    """Return the frame column holding the sorted ids of a list column (a many-to-many)."""
    return f"__{name}_ids"


def credit_code_problem(code: str) -> str | None:
    """Return why `code` is not a unified social credit code (GB 32100-2015), or None."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，这里是{len(code)}位。"
    if any(c not in _CREDIT_CHARACTERS for c in code):
        return "统一社会信用代码只能由数字和大写字母（不含 I、O、Z、S、V）组成。"
    total = sum(
        _CREDIT_CHARACTERS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    )
    expected = _CREDIT_CHARACTERS[(31 - total % 31) % 31]
    if code[17] != expected:
        return "统一社会信用代码校验位不符，请核对营业执照。"
    return None
