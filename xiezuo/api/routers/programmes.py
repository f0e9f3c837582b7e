"""The programme and its pairings; a pairing is named by its key `HELPER→RECIPIENT`."""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiezuo.access import Access
from xiezuo.api.auth import caller_access
from xiezuo.api.listing import STREAMED, Filters, listing
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.programs.keys import pairing_key, pairing_sides
from xiezuo.programs.models import Pairing

router = Router(tags=["programmes"])


class ProgrammeOut(Schema):
    key: str
    name: str
    start_year: int
    end_year: int
    helper_province: str
    recipient_province: str
    fund_envelope: float


class PairingOut(Schema):
    key: str = Field(..., description="HELPER→RECIPIENT, e.g. 110105→130723")
    helper: str
    helper_name: str
    recipient: str
    recipient_name: str
    start_date: date
    end_date: date | None
    provenance: str
    source: str


class PairingPage(Schema):
    items: list[PairingOut]
    next: str | None


class PairingFilters(Filters):
    year: int | None = Field(None, ge=1949, le=2100, description="pairings in force in the year")


def _programme(access: Access) -> dict:
    programme = access.programme
    if not access.authenticated or programme is None:
        raise ScopeError("没有可查看的项目")
    return {
        "key": programme.key,
        "name": programme.name,
        "start_year": programme.start_year,
        "end_year": programme.end_year,
        "helper_province": programme.helper_province_id,
        "recipient_province": programme.recipient_province_id,
        "fund_envelope": float(programme.fund_envelope),
    }


@router.get("/programmes", response=list[ProgrammeOut])
def programme_list(request: HttpRequest) -> object:
    """List the programmes the caller reads: the installation's programme."""
    return [_programme(caller_access(request))]


@router.get("/programmes/{key}", response=ProgrammeOut)
def programme_detail(request: HttpRequest, key: str) -> object:
    """Return a programme by its key."""
    programme = _programme(caller_access(request))
    if programme["key"] != key:
        raise ScopeError(f"项目 {key} 不存在")
    return programme


def pairing_rows(
    *, access: Access, region: str | None = None, year: int | None = None
) -> QuerySet[Pairing]:
    """Return the pairings the caller reaches (`Access.pairing_ids`), optionally with a side
    inside or around `region` and in force in `year`."""
    if not access.authenticated:
        raise ScopeError("需要登录")
    rows = Pairing.objects.filter(pk__in=sorted(access.pairing_ids))
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region}", region=region)
        around = [
            pk
            for pk, helper, recipient in rows.values_list("pk", "helper_id", "recipient_id")
            if any(
                codes.contains(region, s) or codes.contains(s, region) for s in (helper, recipient)
            )
        ]
        rows = rows.filter(pk__in=around)
    if year is not None:
        rows = rows.filter(start_date__lte=date(year, 12, 31)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
        )
    return rows


def _shape(rows: QuerySet[Pairing]) -> list[dict]:
    return [
        {
            "key": pairing_key(p.helper_id, p.recipient_id),
            "helper": p.helper_id,
            "helper_name": p.helper.name,
            "recipient": p.recipient_id,
            "recipient_name": p.recipient.name,
            "start_date": p.start_date,
            "end_date": p.end_date,
            "provenance": p.provenance,
            "source": p.source,
        }
        for p in rows.select_related("helper", "recipient")
    ]


@router.get("/pairings", response=PairingPage, openapi_extra={"responses": STREAMED})
def pairing_list(request: HttpRequest, filters: Query[PairingFilters]) -> object:
    """List the pairings the caller reaches."""
    rows = pairing_rows(access=caller_access(request), region=filters.region, year=filters.year)
    fields = list(PairingOut.model_fields)
    return listing(request, rows, filters, key="pk", shape=_shape, fields=fields, name="pairings")


@router.get("/pairings/{key}", response=PairingOut)
def pairing_detail(request: HttpRequest, key: str) -> object:
    """Return one pairing the caller reaches, by its key (110105→130723)."""
    try:
        helper, recipient = pairing_sides(key)
    except ValueError:
        raise ScopeError(f"结对 {key} 不存在") from None
    rows = pairing_rows(access=caller_access(request)).filter(
        helper_id=helper, recipient_id=recipient
    )
    found = _shape(rows)
    if not found:
        raise ScopeError(f"结对 {key} 不存在或不在权限范围内")
    return found[0]
