"""Build the demo ledgers: every pairing of the programme, every programme year.

`read_pairings` reads what the generators draw on (the pairings, the places on both sides, the
provinces); `write_ledgers` draws each ledger column-wise and loads it through the bulk path
with explicit ids, inside the caller's transaction. Recorded events (`visits.events` of
`data/ledgers.toml`, the seed report's April 2018 delegation) are written as they happened,
their places found in the regions table by name.
"""

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

import numpy as np
from django.db.models import Model, Q, QuerySet

from xiezuo.core import codes
from xiezuo.core.progress import Progress
from xiezuo.demo import generate, labour
from xiezuo.demo.generate.draw import short_village_name
from xiezuo.demo.generate.entities import HelperNames, province_prefix
from xiezuo.demo.loading import insert_columns
from xiezuo.demo.profile import Names
from xiezuo.ledgers.models import (
    LEDGER_MODELS,
    Agreement,
    Donation,
    Fund,
    Investment,
    LabourTransfer,
    Meeting,
    Project,
    ProjectBeneficiary,
    Purchase,
    Secondment,
    SubPairing,
    Training,
    Visit,
)
from xiezuo.programs.models import Programme
from xiezuo.regions.models import Region

STAGE_TITLES = {
    "visits": "互访调研",
    "meetings": "联席会议",
    "agreements": "协议",
    "secondments": "挂职",
    "trainings": "培训",
    "funds": "资金",
    "projects": "项目",
    "beneficiaries": "项目受益户",
    "investments": "企业投资",
    "labour": "劳务协作",
    "purchases": "消费扶贫",
    "donations": "社会捐赠",
    "subpairings": "结对",
    "posts": "岗位与匹配",
}
STAGE_MODELS: dict[str, type[Model]] = {
    "visits": Visit,
    "meetings": Meeting,
    "agreements": Agreement,
    "secondments": Secondment,
    "trainings": Training,
    "funds": Fund,
    "projects": Project,
    "beneficiaries": ProjectBeneficiary,
    "investments": Investment,
    "labour": LabourTransfer,
    "purchases": Purchase,
    "donations": Donation,
    "subpairings": SubPairing,
}


class LedgerMoney(NamedTuple):
    """What the build's money amounts to: fiscal aid (万元) and the closely linked share (%)."""

    fiscal_aid: Decimal
    closely_linked_share: float


def ledger_rows(programme: Programme) -> list[QuerySet]:
    """Return the ledger rows of the programme's pairings, in an order that can be deleted."""
    beneficiaries = ProjectBeneficiary.objects.filter(project__pairing__programme=programme)
    return [beneficiaries] + [
        model._default_manager.filter(pairing__programme=programme) for model in LEDGER_MODELS
    ]


def read_pairings(
    programme: Programme, geography: generate.Geography, settings: dict[str, Any]
) -> generate.Pairings:
    """Return the programme's pairings with a county recipient and the places around them."""
    pairings = [
        p
        for p in programme.pairings.select_related("helper", "recipient").order_by(
            "helper_id", "recipient_id"
        )
        if p.recipient_id in geography.counties
    ]
    county_index = {code: i for i, code in enumerate(geography.counties)}
    townships = _places(level=codes.Level.TOWNSHIP, parents=geography.counties)
    villages = dict(_village_rows(geography.counties))
    helpers = sorted({p.helper_id for p in pairings})
    helper_townships = _places(level=codes.Level.TOWNSHIP, parents=helpers)
    township_names = {t.code: t.name for places in helper_townships.values() for t in places}
    helper_villages: dict[str, list[generate.Place]] = defaultdict(list)
    for code, name in _village_rows(helpers):
        if name.endswith("村民委员会"):
            helper_villages[code[:6]].append(
                generate.Place(code, township_names.get(code[:9], "") + short_village_name(name))
            )
    helper_province = programme.helper_province
    recipient_province = programme.recipient_province
    districts = [
        generate.Place(code, name)
        for code, name in Region.objects.filter(
            level=codes.Level.COUNTY, code__startswith=helper_province.code[:2]
        )
        .order_by("code")
        .values_list("code", "name")
    ]
    last_day = _last_day(programme)
    return generate.Pairings(
        ids=[p.pk for p in pairings],
        helpers=[generate.Place(p.helper_id, p.helper.name) for p in pairings],
        recipients=[generate.Place(p.recipient_id, p.recipient.name) for p in pairings],
        county=np.array([county_index[p.recipient_id] for p in pairings], dtype=np.int64),
        deep=geography.county_deep[[county_index[p.recipient_id] for p in pairings]],
        start_dates=[p.start_date for p in pairings],
        end_dates=[p.end_date or last_day for p in pairings],
        years=list(programme.years),
        recipient_townships=[townships.get(p.recipient_id, []) for p in pairings],
        village_names=np.array(
            [short_village_name(villages.get(code, "")) for code in geography.villages.tolist()],
            dtype=object,
        ),
        helper_townships=helper_townships,
        helper_villages=dict(helper_villages),
        helper_province=generate.Place(helper_province.code, helper_province.name),
        helper_districts=districts,
        recipient_province=generate.Place(recipient_province.code, recipient_province.name),
        own_province=_own_province(
            settings["labour"]["own_province"], recipient_province.code, geography.counties
        ),
    )


def write_ledgers(
    rng: dict[str, np.random.Generator],
    programme: Programme,
    geography: generate.Geography,
    pairings: generate.Pairings,
    households: generate.Households,
    members: generate.Members,
    settings: dict[str, Any],
    names: Names,
    *,
    household_base: int,
    scale: float,
    report: Progress,
    rows: dict[str, int],
    seconds: dict[str, float],
) -> LedgerMoney:
    """Draw and load every ledger; fill `rows` and `seconds` per stage; return the money.

    `household_base` is the id of the first household drawn (household indexes become ids).
    """
    build = _LedgerBuild(
        rng, programme, geography, pairings, households, members, settings, names,
        household_base=household_base, scale=scale,
    )  # fmt: skip
    for stage, model in STAGE_MODELS.items():
        clock = time.perf_counter()
        report(stage, 0, None)
        columns = getattr(build, stage)()
        build.first_ids[stage], rows[stage] = insert_columns(
            model, columns, stage=stage, report=report
        )
        seconds[stage] = time.perf_counter() - clock
    clock = time.perf_counter()
    report("posts", 0, None)
    labour.write_matching(
        programme, build.posts(), geography, households, members, build.settings["posts"],
        household_base=household_base, rows=rows, report=report,
    )  # fmt: skip
    seconds["posts"] = time.perf_counter() - clock
    spent = int(build.project_draw.fiscal_cents.sum())
    linked = int(build.project_draw.fiscal_cents[build.project_draw.closely_linked].sum())
    return LedgerMoney(
        fiscal_aid=Decimal(int(build.aid.sum())).scaleb(-2),
        closely_linked_share=linked / spent * 100 if spent else 0.0,
    )


class _LedgerBuild:
    """One method per stage, in `STAGE_MODELS` order, each returning the stage's columns.

    Later stages use what earlier ones drew: projects spend the funds' fiscal aid, beneficiaries
    refer to the projects' ids, sub-pairings reuse the investing enterprises.
    """

    def __init__(
        self,
        rng: dict[str, np.random.Generator],
        programme: Programme,
        geography: generate.Geography,
        pairings: generate.Pairings,
        households: generate.Households,
        members: generate.Members,
        settings: dict[str, Any],
        names: Names,
        *,
        household_base: int,
        scale: float,
    ) -> None:
        self.rng, self.programme, self.geography, self.pairings = (
            rng,
            programme,
            geography,
            pairings,
        )
        self.households, self.members, self.settings, self.names = (
            households, members, settings, names,
        )  # fmt: skip
        self.household_base, self.scale = household_base, scale
        self.entities = settings["entities"]
        self.helper_names: HelperNames = {
            "province": province_prefix(pairings.helper_province.name),
            "province_name": pairings.helper_province.name,
        }
        self.first_day = np.datetime64(f"{pairings.years[0]}-01-01", "D")
        self.last_day = np.datetime64(_last_day(programme), "D")
        self.first_ids: dict[str, int] = {}
        self.taken_codes: set[str] = set()
        self.aid = np.zeros((pairings.count, len(pairings.years)), dtype=np.int64)
        self.project_draw: generate.Projects
        self.enterprises: dict[str, list[generate.Enterprise]] = {}

    def visits(self) -> dict[str, list[Any]]:
        recorded, taken = recorded_visits(self.pairings, self.settings["visits"])
        drawn = generate.make_visits(
            self.rng["visits"], self.pairings, self.geography, self.settings["visits"],
            self.names, scale=self.scale, taken=taken,
        )  # fmt: skip
        return {key: recorded.get(key, []) + drawn[key] for key in drawn}

    def meetings(self) -> dict[str, list[Any]]:
        return generate.make_meetings(
            self.rng["meetings"], self.pairings, self.settings["meetings"]
        )

    def agreements(self) -> dict[str, list[Any]]:
        return generate.make_agreements(self.pairings, self.settings["agreements"])

    def secondments(self) -> dict[str, list[Any]]:
        return generate.make_secondments(
            self.rng["secondments"], self.pairings, self.geography,
            self.settings["secondments"], self.names, scale=self.scale, last_day=self.last_day,
        )  # fmt: skip

    def trainings(self) -> dict[str, list[Any]]:
        return generate.make_trainings(
            self.rng["trainings"], self.pairings, self.geography, self.settings["trainings"],
            scale=self.scale,
        )  # fmt: skip

    def funds(self) -> dict[str, list[Any]]:
        settings = self.settings["funds"]
        self.aid = generate.fiscal_aid(
            self.rng["funds"], self.pairings, self.households, settings,
            envelope_cents=int(self.programme.fund_envelope * 100),
        )  # fmt: skip
        return generate.make_funds(
            self.rng["funds"], self.pairings, settings, self.aid, scale=self.scale
        )

    def projects(self) -> dict[str, list[Any]]:
        self.project_draw = generate.make_projects(
            self.rng["projects"], self.pairings, self.geography, self.households,
            self.settings["projects"], self.aid, scale=self.scale,
            last_year=self.programme.end_year,
        )  # fmt: skip
        return self.project_draw.columns

    def beneficiaries(self) -> dict[str, list[Any]]:
        return {
            "project_id": (
                self.project_draw.beneficiary_project + self.first_ids["projects"]
            ).tolist(),
            "household_id": (
                self.project_draw.beneficiary_household + self.household_base
            ).tolist(),
        }

    def investments(self) -> dict[str, list[Any]]:
        settings = self.settings["investments"]
        self.enterprises = generate.make_enterprises(
            self.rng["enterprises"], self.pairings, settings, self.entities, scale=self.scale,
            count_bounds=settings["enterprises_per_helper"],
            minimum=settings["enterprises_minimum"], prefix=self.helper_names["province"],
            taken_codes=self.taken_codes,
        )  # fmt: skip
        return generate.make_investments(
            self.rng["investments"], self.pairings, self.geography, settings, self.enterprises,
            scale=self.scale,
        )  # fmt: skip

    def labour(self) -> dict[str, list[Any]]:
        columns = generate.make_labour(
            self.rng["labour"], self.pairings, self.geography, self.households, self.members,
            self.settings["labour"], self.entities, first_day=self.first_day,
            last_day=self.last_day,
        )  # fmt: skip
        self.labour_draw = dict(columns)  # the posts account for part of these spells
        household = columns.pop("household")
        return {"household_id": (household + self.household_base).tolist(), **columns}

    def posts(self) -> generate.PostDraw:
        return generate.make_posts(
            self.rng["posts"], self.pairings, self.geography, self.households, self.members,
            self.labour_draw, self.settings["posts"], self.entities, scale=self.scale,
            years=self.pairings.years,
        )  # fmt: skip

    def purchases(self) -> dict[str, list[Any]]:
        return generate.make_purchases(
            self.rng["purchases"], self.pairings, self.geography, self.settings["purchases"],
            self.entities, scale=self.scale, names=self.helper_names,
        )  # fmt: skip

    def donations(self) -> dict[str, list[Any]]:
        return generate.make_donations(
            self.rng["donations"], self.pairings, self.geography, self.settings["donations"],
            self.entities, scale=self.scale, names=self.helper_names,
        )  # fmt: skip

    def subpairings(self) -> dict[str, list[Any]]:
        return generate.make_subpairings(
            self.rng["subpairings"], self.pairings, self.geography, self.households,
            self.settings["subpairings"], self.entities, self.enterprises, scale=self.scale,
            names=self.helper_names, taken_codes=self.taken_codes,
        )  # fmt: skip


def recorded_visits(
    pairings: generate.Pairings, settings: dict[str, Any]
) -> tuple[dict[str, list[Any]], dict[tuple[int, int], list[Any]]]:
    """Return the recorded visits' columns and, per (pairing index, year), the days they take.

    An event becomes one row per visited county that a pairing holds, made the visit of that
    pairing's helper. The row goes to the region holding all its places when they are one
    village or township found by name, else to the county; 事项 names every place.
    """
    by_recipient: dict[str, int] = {}
    for index, recipient in enumerate(pairings.recipients):
        by_recipient.setdefault(recipient.code, index)
    columns: dict[str, list[Any]] = defaultdict(list)
    taken: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for event in settings.get("events", []):
        places: dict[str, list[dict[str, str]]] = defaultdict(list)
        for place in event["places"]:
            places[place["county"]].append(place)
        for county, visited in places.items():
            p = by_recipient.get(county)
            if p is None:
                continue
            found = [_find_place(county, place) for place in visited]
            destination = found[0][0] if len({code for code, _ in found}) == 1 else county
            names = "、".join(pairings.recipients[p].name + text for _, text in found)
            columns["pairing_id"].append(pairings.ids[p])
            columns["origin_id"].append(pairings.helpers[p].code)
            columns["destination_id"].append(destination)
            columns["start_date"].append(event["start_date"].isoformat())
            columns["end_date"].append(event["end_date"].isoformat())
            columns["leader"].append(event["leader"])
            columns["leader_category"].append(event["leader_category"])
            columns["purpose"].append(event["purpose"].format(places=names)[:500])
            taken[(p, event["start_date"].year)].append(event["start_date"])
    return dict(columns), dict(taken)


def _find_place(county: str, place: dict[str, str]) -> tuple[str, str]:
    """Return the code of a place named in `place` (the county when not found) and its text.

    A township is looked up by name under the county, a village by the start of its name
    under the township (the table names villages 城根营村民委员会).
    """
    if "township" not in place:
        return county, place["name"]
    text = place["township"] + place.get("village", "")
    township = (
        Region.objects.filter(parent_id=county, level=codes.Level.TOWNSHIP, name=place["township"])
        .order_by("code")
        .first()
    )
    if township is None:
        return county, text
    if "village" not in place:
        return township.code, text
    village = (
        Region.objects.filter(
            parent_id=township.code, level=codes.Level.VILLAGE, name__startswith=place["village"]
        )
        .order_by("code")
        .first()
    )
    return (village.code if village else township.code), text


def _places(*, level: int, parents: list[str]) -> dict[str, list[generate.Place]]:
    """Return the regions of `level` under each of `parents` (by code prefix), in code order."""
    found: dict[str, list[generate.Place]] = defaultdict(list)
    if not parents:
        return {}
    for code, name in (
        Region.objects.filter(_under(parents), level=level)
        .order_by("code")
        .values_list("code", "name")
    ):
        found[code[:6]].append(generate.Place(code, name))
    return dict(found)


def _village_rows(parents: list[str]) -> list[tuple[str, str]]:
    if not parents:
        return []
    return list(
        Region.objects.filter(_under(parents), level=codes.Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name")
    )


def _under(parents: list[str]) -> Q:
    return reduce(or_, (Q(code__startswith=parent) for parent in parents))


def _own_province(wanted: list[str], province: str, recipients: list[str]) -> list[str]:
    """Return the places of work away from home in the recipient province that exist.

    The profile's list where the regions table holds it, else the province's other counties.
    """
    counties = Region.objects.filter(level=codes.Level.COUNTY, code__startswith=province[:2])
    found = set(counties.filter(code__in=wanted).values_list("code", flat=True))
    listed = [code for code in wanted if code in found]
    if listed:
        return listed
    return list(
        counties.exclude(code__in=recipients).order_by("code").values_list("code", flat=True)
    )


def _last_day(programme: Programme) -> dt.date:
    return dt.date(programme.end_year, 12, 31)
