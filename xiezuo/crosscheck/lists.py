"""Reads for the cross-checks: the year's register and the outside lists, as Polars frames.

Every read takes the caller's access (`view_crosschecks`):

- the register (`register_people`): members of the households on the year's register that the
  caller reads (a county office: its county), optionally inside `region`. The year's register
  is every registered household (`Household.registered`) identified in or before the year
  (or with no identification year): exited households stay on the 建档立卡 register and are
  checked too.
- the outside lists (`list_frame`, `list_records`): rows of the caller's programme — the
  helper and recipient provinces — of every list year up to the year checked. A person
  registered in one county may own a car or a flat registered in another, so the lists are not
  cut to the caller's county; only flags of households the caller reads come out of the checks.
- the programme's ID numbers (`programme_ids`), for the duplicate rule: the same person in two
  households in any county of the programme. Only the other household's 户编号 and county
  leave this read.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.crosscheck.models import LISTS, OutsideRecord
from xiezuo.registry.models import Household, Member
from xiezuo.registry.selectors import household_list

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "list_frame",
    "list_records",
    "list_rows",
    "programme_ids",
    "register_people",
    "year_register",
]


def year_register(year: int) -> Q:
    """Households on the register of `year` (see the module's docstring)."""
    return Q(registered=True) & (Q(identified_year__isnull=True) | Q(identified_year__lte=year))


def register_people(*, access: Access, year: int, region: str | None = None) -> "pl.DataFrame":
    """Return the members of the year's register the caller reads: pid (member id),
    household_id, household (户编号), person (证件号码 as registered), id_number, name, birth,
    region (the household's village)."""
    import polars as pl

    access.check(Verb.VIEW_CROSSCHECKS)
    households = household_list(access=access, region=region).filter(year_register(year))
    rows = (
        Member.objects.filter(household__in=households.values("pk"))
        .order_by()
        .values_list(
            "pk", "household_id", "household__household_no", "id_number", "name", "birth_date"
        )
    )
    villages = dict(households.order_by().values_list("pk", "village_id"))
    frame = pl.DataFrame(
        list(rows.iterator(chunk_size=50_000)),
        schema={
            "pid": pl.Int64,
            "household_id": pl.Int64,
            "household": pl.String,
            "person": pl.String,
            "name": pl.String,
            "birth": pl.Date,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.col("person").alias("id_number"),
        pl.col("household_id")
        .replace_strict(villages, default=None, return_dtype=pl.String)
        .alias("region"),
    )


def list_records(*, access: Access, key: str, year: int | None = None) -> QuerySet[OutsideRecord]:
    """Return the rows of the outside list `key` the caller may link against (see the
    module's docstring), of list years up to `year` when given."""
    access.check(Verb.VIEW_CROSSCHECKS)
    try:
        model = LISTS[key]
    except KeyError:
        raise ScopeError(f"未知的比对名单：{key}") from None
    records = model._default_manager.all()
    programme = access.programme
    if programme is None:
        return records.none()
    inside = Q(pk__in=[])
    for province in (programme.helper_province_id, programme.recipient_province_id):
        inside |= Q(region__code__startswith=codes.prefix(province))
    records = records.filter(inside)
    if year is not None:
        records = records.filter(year__lte=year)
    return records


def list_rows(
    *, access: Access, model: type[OutsideRecord], region: str | None = None
) -> QuerySet[OutsideRecord]:
    """Return the rows of an outside list lying in the regions the caller reads, inside
    `region` when given (ScopeError outside): what an export or the API shows."""
    from xiezuo.regions.selectors import within_reach

    access.check(Verb.VIEW_CROSSCHECKS)
    return within_reach(model._default_manager.all(), access=access, region=region, what="比对名单")


def list_frame(*, access: Access, key: str, year: int) -> "pl.DataFrame":
    """Return `list_records` as a frame: rid, list_year, source, id_number, name, birth,
    region, and the list's own fields (by model field name)."""
    import polars as pl

    model = LISTS[key]
    own = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in {"id", "year", "source", "id_number", "name", "birth_date", "region_id"}
    ]
    names = ["id", "year", "source", "id_number", "name", "birth_date", "region_id", *own]
    rows = list_records(access=access, key=key, year=year).order_by().values_list(*names)
    frame = pl.DataFrame(
        list(rows.iterator(chunk_size=50_000)),
        schema=[(name, _dtype(model, name)) for name in names],
        orient="row",
    )
    return frame.rename(
        {"id": "rid", "year": "list_year", "birth_date": "birth", "region_id": "region"}
    )


def _dtype(model: Any, name: str) -> Any:
    import polars as pl

    if name == "id":
        return pl.Int64
    field = model._meta.get_field(name.removesuffix("_id") if name == "region_id" else name)
    kind = field.get_internal_type()
    if kind == "DateField":
        return pl.Date
    if kind == "DecimalField":
        return pl.Float64
    if kind in {"PositiveSmallIntegerField", "IntegerField", "BigIntegerField"}:
        return pl.Int64
    return pl.String


def programme_ids(*, access: Access, year: int) -> "pl.DataFrame":
    """Return every ID number on the year's register of the caller's programme: household_id,
    household (户编号), county, id_number, as ("member" | "householder"), pid (member id or
    null). For the duplicate rule only."""
    import polars as pl

    access.check(Verb.VIEW_CROSSCHECKS)
    programme = access.programme
    if programme is None:
        return pl.DataFrame()
    counties = list(programme.pairings.values_list("recipient_id", flat=True))
    households = Household.objects.filter(year_register(year), county_id__in=counties)
    members = (
        Member.objects.filter(household__in=households.values("pk"))
        .order_by()
        .values_list(
            "household_id", "household__household_no", "household__county_id", "id_number", "pk"
        )
    )
    heads = households.order_by().values_list(
        "pk", "household_no", "county_id", "householder_id_number"
    )
    schema = {
        "household_id": pl.Int64,
        "household": pl.String,
        "county": pl.String,
        "id_number": pl.String,
        "pid": pl.Int64,
    }
    member_frame = pl.DataFrame(
        list(members.iterator(chunk_size=50_000)), schema=schema, orient="row"
    ).with_columns(pl.lit("member").alias("as"))
    head_frame = pl.DataFrame(
        list(heads.iterator(chunk_size=50_000)), schema=list(schema)[:4], orient="row"
    ).with_columns(pl.lit(None, dtype=pl.Int64).alias("pid"), pl.lit("householder").alias("as"))
    return pl.concat([member_frame, head_frame], how="diagonal_relaxed")
