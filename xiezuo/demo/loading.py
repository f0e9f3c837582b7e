"""Writing generated columns through the bulk path: explicit ids, progress per batch."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Max, Model

from xiezuo.core.bulk import BATCH_ROWS, bulk_insert
from xiezuo.core.progress import Progress

# The registry tables' columns as the generator writes them (attribute names, id first).
HOUSEHOLD_FIELDS = (
    "id", "household_no", "village_id", "county_id", "householder_name",
    "householder_id_number", "size", "attribute", "standard", "main_cause", "other_causes",
    "identified_year", "status", "exit_year", "fallback_year", "relocated", "dangerous_house",
    "safe_water", "responsible_name", "responsible_unit", "responsible_phone",
)  # fmt: skip
MEMBER_FIELDS = (
    "id", "household_id", "name", "id_number", "sex", "birth_date", "relation", "ethnicity",
    "education", "schooling", "health", "labour_skill", "work_location", "months_worked",
    "medical_insurance", "critical_illness_insurance", "pension", "dibao",
)  # fmt: skip
INCOME_FIELDS = (
    "id", "household_id", "year", "wages", "business", "property_income", "transfers", "costs",
)  # fmt: skip


def next_id(model: type[Model]) -> int:
    """Return the first primary key above every row of `model`'s table."""
    return (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def insert(
    model: type[Model],
    fields: Sequence[str],
    columns: Sequence[Sequence[Any]],
    *,
    stage: str,
    report: Progress,
) -> int:
    """Insert column-wise data through the bulk path, reporting progress per batch."""
    total = len(columns[0])
    done = 0
    report(stage, 0, total)
    for start in range(0, total, BATCH_ROWS):
        stop = start + BATCH_ROWS
        done += bulk_insert(
            model, fields, zip(*(column[start:stop] for column in columns), strict=True)
        )
        report(stage, done, total)
    return done


def insert_columns(
    model: type[Model], columns: Mapping[str, Sequence[Any]], *, stage: str, report: Progress
) -> tuple[int, int]:
    """Insert `columns` (field attname → values) with fresh ids; return the first id and count."""
    first = next_id(model)
    count = len(next(iter(columns.values()))) if columns else 0
    fields = ("id", *columns)
    insert(
        model,
        fields,
        [range(first, first + count), *columns.values()],
        stage=stage,
        report=report,
    )
    return first, count
