"""Households by their 户编号, with members, incomes and status history: read through the
registry's selectors, personal data masked per `Access.mask` as on the pages."""

from collections.abc import Callable
from datetime import date

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from xiezuo.access import Access
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.api.auth import caller_access
from xiezuo.api.listing import STREAMED, Filters, listing
from xiezuo.precision.selectors import household_precision
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_get, household_list, member_list

router = Router(tags=["households"])

HOUSEHOLD_NO = Path(..., min_length=1, max_length=32, description="户编号")
FIELDS = [
    "household_no",
    "village",
    "county",
    "householder_name",
    "householder_id_number",
    "size",
    "attribute",
    "standard",
    "main_cause",
    "other_causes",
    "identified_year",
    "status",
    "exit_year",
    "fallback_year",
    "relocated",
    "dangerous_house",
    "safe_water",
    "responsible_name",
    "responsible_unit",
    "responsible_phone",
    "registered",
]


class HouseholdOut(Schema):
    household_no: str = Field(..., description="户编号")
    village: str
    county: str
    householder_name: str
    householder_id_number: str = Field(..., description="masked unless the role may see it")
    size: int
    attribute: str
    standard: str
    main_cause: str
    other_causes: str
    identified_year: int | None
    status: str
    exit_year: int | None
    fallback_year: int | None
    relocated: bool
    dangerous_house: str
    safe_water: bool
    responsible_name: str
    responsible_unit: str
    responsible_phone: str = Field(..., description="masked unless the role may see it")
    registered: bool


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next: str | None


class HouseholdFilters(Filters):
    status: str | None = Field(None, max_length=16, description="脱贫状态")
    monitored: bool = Field(False, description="monitored households (监测对象) instead")


class MemberOut(Schema):
    name: str
    id_number: str
    sex: str
    birth_date: date | None = Field(..., description="empty when masked; the age stays")
    age: int
    relation: str
    health: str
    labour_skill: str
    work_location: str
    masked: bool


class IncomeOut(Schema):
    year: int
    wages: float
    business: float
    property_income: float
    transfers: float
    costs: float
    net: float


class StatusChangeOut(Schema):
    year: int
    kind: str


class MeasureOut(Schema):
    category: str
    person: str = Field(..., description="a member's name, or 全户")
    id_number: str = Field(..., description="masked unless the role may see it")
    start_date: date
    end_date: date | None
    amount: float | None
    unit: str


class AssuranceOut(Schema):
    year: int
    food_clothing: bool
    education: bool
    medical: bool
    housing: bool
    water: bool


class ClueOut(Schema):
    found_on: date
    source: str
    category: str
    note: str


class PrecisionOut(Schema):
    measures: list[MeasureOut]
    assurances: list[AssuranceOut]
    clues: list[ClueOut]


def _shape(access: Access) -> Callable[[QuerySet[Household]], list[dict]]:
    """Return the function that shows households as `access` may see them."""

    def shape(rows: QuerySet[Household]) -> list[dict]:
        values = rows.values(*[f if f not in {"village", "county"} else f"{f}_id" for f in FIELDS])
        shown = []
        for row in values:
            row["village"], row["county"] = row.pop("village_id"), row.pop("county_id")
            shown.append(access.mask("registry.Household", row, region=row["village"]))
        return shown

    return shape


def _audit(access: Access, filters: Filters) -> Callable[[int], None]:
    """Return the function that writes a read of `n` households to the audit log."""

    def on_read(rows: int) -> None:
        audit(
            access=access,
            action=AuditEvent.Action.API_READ,
            what="/api/households",
            rows=rows,
            region=filters.region,
        )

    return on_read


@router.get("/households", response=HouseholdPage, openapi_extra={"responses": STREAMED})
def household_list_route(request: HttpRequest, filters: Query[HouseholdFilters]) -> object:
    """List the households the caller reads, by 户编号 (registered poor households; with
    `monitored`, the monitored ones)."""
    access = caller_access(request)
    rows = household_list(access=access, region=filters.region, registered=not filters.monitored)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return listing(
        request,
        rows,
        filters,
        key="household_no",
        shape=_shape(access),
        fields=FIELDS,
        name="households",
        on_read=_audit(access, filters),
    )


@router.get("/households/{household_no}", response=HouseholdOut)
def household_detail(request: HttpRequest, household_no: str = HOUSEHOLD_NO) -> object:
    """Return one household the caller reads, by its 户编号."""
    access = caller_access(request)
    household = household_get(access=access, household_no=household_no)
    return _shape(access)(Household.objects.filter(pk=household.pk))[0]


@router.get("/households/{household_no}/members", response=list[MemberOut])
def household_members(request: HttpRequest, household_no: str = HOUSEHOLD_NO) -> object:
    """List a household's members, masked as on its page (an unmasked view by a helper-side
    user is written to the audit log)."""
    access = caller_access(request)
    household = household_get(access=access, household_no=household_no)
    return member_list(access=access, household=household)


@router.get("/households/{household_no}/incomes", response=list[IncomeOut])
def household_incomes(request: HttpRequest, household_no: str = HOUSEHOLD_NO) -> object:
    """List a household's incomes by year, in yuan."""
    access = caller_access(request)
    household = household_get(access=access, household_no=household_no)
    return [
        {
            "year": i.year,
            "wages": i.wages,
            "business": i.business,
            "property_income": i.property_income,
            "transfers": i.transfers,
            "costs": i.costs,
            "net": i.net,
        }
        for i in household.incomes.order_by("year")
    ]


@router.get("/households/{household_no}/history", response=list[StatusChangeOut])
def household_history(request: HttpRequest, household_no: str = HOUSEHOLD_NO) -> object:
    """List a household's status history: identified, exited, fell back, by year."""
    access = caller_access(request)
    household = household_get(access=access, household_no=household_no)
    return [{"year": c.year, "kind": c.kind} for c in household.history.order_by("year", "id")]


@router.get("/households/{household_no}/precision", response=PrecisionOut)
def household_precision_route(request: HttpRequest, household_no: str = HOUSEHOLD_NO) -> object:
    """Return what the precision ledgers hold about a household: measures received (a
    member's ID number masked as on its page), 两不愁三保障 by year, and risk clues."""
    access = caller_access(request)
    household = household_get(access=access, household_no=household_no)
    return household_precision(access=access, household=household)
