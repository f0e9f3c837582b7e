"""Validation: every cell of a table checked against the catalog, column by column.

Each column type turns its text cells into typed values with a Polars expression and names the
cells it could not accept; lookups (regions, households, members, pairings) cost one query for
the whole file. Every problem becomes a `RowError` (Excel row, catalog header, raw value,
Chinese message); nothing is capped. A rule across columns marks every cell it involves.
What was accepted but is worth saying (labels rewritten to their code list's form, records
dated outside their pairing) becomes a notice.

The work is split by concern:

| module            | holds                                                              |
|-------------------|--------------------------------------------------------------------|
| `_plan.py`        | the plan a validator builds (typed columns, checks, notices)       |
| `_types.py`       | one planner per column type, and the dispatch table `PLANNERS`      |
| `_codelists.py`   | code-list columns: aliases mapped to labels, unknown values listed |
| `_rules.py`       | rules across the columns of a row, and the dispatch table `RULES`  |
| `_references.py`  | regions, households, members, pairings, dates of pairings, scope   |
| `_validate.py`    | `validate`: the plan run over a table                              |

Polars is imported by those modules only: importing this package stays cheap.
"""

from typing import TYPE_CHECKING

from xiezuo.ingest.validation._base import Context, Validated, credit_code_problem, m2m_ids

if TYPE_CHECKING:
    from xiezuo.ingest.catalog import Ledger
    from xiezuo.ingest.reading import Table

__all__ = ["Context", "Validated", "credit_code_problem", "m2m_ids", "validate"]


def validate(table: "Table", ledger: "Ledger", context: Context) -> Validated:
    """Return the table's rows typed and checked; never raises for bad cells."""
    from xiezuo.ingest.validation._validate import validate_table

    return validate_table(table, ledger, context)
