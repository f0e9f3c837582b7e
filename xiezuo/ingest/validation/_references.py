"""References and scope: regions, registered households and members, pairings, the caller's area.

Each lookup costs one query for the whole file (distinct values only). Attribution gives every
row of a pairing-level ledger its programme pairing (through `xiezuo.ledgers.services`), and,
for a ledger that records a direction (secondments), which way the record goes; a record dated
outside its pairing's start and end dates is loaded and named in a notice.
"""

import polars as pl
from django.db.models import DateField, Field, Model

from xiezuo.access import Regions
from xiezuo.core import codes
from xiezuo.ingest.catalog import Column
from xiezuo.ingest.lookups import rows_where_in
from xiezuo.ingest.normalise import code_expr, list_expr, region_expr
from xiezuo.ingest.reading import ROW
from xiezuo.ingest.validation._base import Context, m2m_ids
from xiezuo.ingest.validation._plan import (
    LIST_JOIN,
    Check,
    Plan,
    by_distinct,
    check_each,
    rows_shown,
)
from xiezuo.programs.models import Pairing, Programme

_LEVEL_NAMES = {
    "county": codes.Level.COUNTY,
    "township": codes.Level.TOWNSHIP,
    "village": codes.Level.VILLAGE,
}
_LEVEL_TITLES = {
    codes.Level.COUNTY: "县级（6位）",
    codes.Level.TOWNSHIP: "乡镇级（9位）",
    codes.Level.VILLAGE: "村级（12位）",
}
_SIDE_TITLES = {"helper": "帮扶方", "recipient": "受援方", "programme": "本项目"}
PAIRING = "pairing_id"


# --- regions ---------------------------------------------------------------------------------


def plan_region(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """Check a region column: shape and level; inside the programme's side when it is stored.

    A plain code field (a workplace anywhere in China) is checked for its shape and level only:
    the regions table holds the programme's provinces.
    """
    stored = getattr(model_field, "related_model", None) is not None
    plan.steps.append(by_distinct(column.header, column.field, region_expr))
    levels = {_LEVEL_NAMES[name] for name in column.levels} or set(_LEVEL_TITLES)
    sides = _programme_sides(context.programme)
    side = column.side or "programme"
    problem = f"__{column.field}_problem"

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        values = frame.get_column(column.field).drop_nulls().unique().to_list()
        problems: dict[str, str] = {}
        candidates = []
        for code in values:
            try:
                level = codes.level_of(code)
            except ValueError:
                problems[code] = "不是区划代码（应为 6、9 或 12 位数字）。"
                continue
            if level not in levels:
                wanted = "或".join(_LEVEL_TITLES[lv] for lv in sorted(levels))
                problems[code] = f"应为{wanted}区划代码，这里是{_level_title(level)}。"
                continue
            candidates.append(code)
        if stored:
            from xiezuo.regions.models import Region

            known = {row[0] for row in rows_where_in(Region, ["code"], "code", candidates)}
            allowed = sides[side]
            for code in candidates:
                if code not in known:
                    problems[code] = "区划代码不存在（请核对 GB/T 2260 代码）。"
                elif allowed and not any(codes.contains(outer, code) for outer in allowed):
                    problems[code] = f"不在{_SIDE_TITLES[side]}范围内（{context.programme.name}）。"
        return frame.with_columns(
            pl.col(column.field)
            .replace_strict(problems, default=None, return_dtype=pl.String)
            .alias(problem)
        )

    plan.steps.append(step)
    plan.checks.append(Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))
    if stored:  # a plain code (a workplace anywhere) says nothing about whose record it is
        plan.region_fields.append((column.field, column.header))


def _level_title(level: codes.Level) -> str:
    return _LEVEL_TITLES.get(
        level, {codes.Level.PROVINCE: "省级", codes.Level.CITY: "市级"}.get(level, "")
    )


def _programme_sides(programme: Programme) -> dict[str, set[str]]:
    pairs = list(
        Pairing.objects.filter(programme=programme).values_list("helper_id", "recipient_id")
    )
    helper = {h for h, _ in pairs} or {programme.helper_province_id}
    recipient = {r for _, r in pairs} or {programme.recipient_province_id}
    return {"helper": helper, "recipient": recipient, "programme": helper | recipient}


# --- households and members ------------------------------------------------------------------


def _household_frame(numbers: list[str], context: Context) -> pl.DataFrame:
    """Return (household_no, id, county_id) of the registered households among `numbers`.

    Numbers an earlier chunk of the same import asked about are not asked again.
    """
    from xiezuo.registry.models import Household

    asked: set[str] = context.memo.setdefault("household_numbers", set())
    new = [n for n in numbers if n not in asked]
    schema = {"household_no": pl.String, "id": pl.Int64, "county_id": pl.String}
    found: pl.DataFrame = context.memo.get("households", pl.DataFrame(schema=schema))
    if new:
        rows = rows_where_in(Household, ["household_no", "id", "county_id"], "household_no", new)
        found = pl.concat([found, pl.DataFrame(rows, schema=schema, orient="row")])
        context.memo["households"] = found
        asked.update(new)
    return found.filter(pl.col("household_no").is_in(numbers))


def plan_household(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """A 户编号 that must be registered; the household's county puts the row in scope."""
    number = f"__{column.field}_no"
    county = f"__{column.field}_county"
    plan.typed[number] = code_expr(pl.col(column.header))

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        found = _household_frame(frame.get_column(number).drop_nulls().unique().to_list(), context)
        found = found.rename({"household_no": number, "id": column.field, "county_id": county})
        return frame.join(found, on=number, how="left", maintain_order="left")

    plan.steps.append(step)
    plan.checks.append(
        Check(
            column.header,
            pl.col(number).is_not_null() & pl.col(column.field).is_null(),
            "户编号未登记：请先导入该户的贫困户台账。",
        )
    )
    plan.region_fields.append((county, column.header))
    plan.parent_fields.append((column.field, column.header))


def plan_households(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """户编号 separated by 、, each registered (a project's beneficiary households)."""
    items = f"__{column.field}_items"
    missing = f"__{column.field}_missing"
    plan.typed[items] = list_expr(pl.col(column.header))
    plan.typed[column.field] = pl.when(pl.col(items).list.len() > 0).then(
        pl.col(items).list.join(LIST_JOIN)
    )
    ids = m2m_ids(column.field)

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        numbers = frame.get_column(items).explode().drop_nulls().unique().to_list()
        found = _household_frame(numbers, context)
        mapping = dict(zip(found.get_column("household_no"), found.get_column("id"), strict=True))
        known = list(mapping)
        return frame.with_columns(
            pl.col(items).list.eval(pl.element().filter(~pl.element().is_in(known))).alias(missing),
            pl.col(items)
            .list.eval(
                pl.element()
                .replace_strict(mapping, default=None, return_dtype=pl.Int64)
                .drop_nulls()
                .unique()
                .sort()
            )
            .alias(ids),
        )

    plan.steps.append(step)
    plan.checks.append(
        Check(
            column.header,
            pl.col(missing).list.len() > 0,
            pl.format("户编号未登记：{}。", pl.col(missing).list.join(LIST_JOIN)),
        )
    )


def check_members(
    plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """A person must be a registered member of the household the row names (both cells marked)."""
    from xiezuo.registry.models import Member

    id_column, household_column = columns
    numbers = frame.get_column(id_column.field).drop_nulls().unique().to_list()
    rows = rows_where_in(Member, ["id_number", "household_id"], "id_number", numbers)
    registered = pl.DataFrame(
        rows, schema={id_column.field: pl.String, "__member_household": pl.Int64}, orient="row"
    )
    frame = frame.join(registered, on=id_column.field, how="left", maintain_order="left")
    check_each(
        plan,
        columns,
        pl.col(id_column.field).is_not_null()
        & pl.col(household_column.field).is_not_null()
        & pl.col("__member_household").ne_missing(pl.col(household_column.field)),
        "不是该户的登记成员（证件号码与户编号不对应）。",
    )
    return frame


def check_not_registered(
    plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """Rule `not_registered`: a monitored household may not be a registered poor household."""
    from xiezuo.registry.models import Household

    (column,) = columns
    numbers = frame.get_column(column.field).drop_nulls().unique().to_list()
    rows = rows_where_in(Household, ["household_no", "registered"], "household_no", numbers)
    registered = [number for number, is_registered in rows if is_registered]
    check_each(
        plan,
        columns,
        pl.col(column.field).is_in(registered),
        "是建档立卡贫困户：监测对象台账只登记建档立卡以外的农户（贫困户的风险请填风险线索台账）。",
    )
    return frame


# --- pairings --------------------------------------------------------------------------------


def attribute_pairings(
    plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """Rule `pairing`: the pairing whose helper holds the helper code and recipient the other."""
    helper, recipient = columns
    pairings = list(
        Pairing.objects.filter(programme=context.programme).values_list(
            "id", "helper_id", "recipient_id"
        )
    )
    pairs = frame.select(helper.field, recipient.field).drop_nulls().unique().rows()
    found: dict[str, int] = {}
    for helper_code, recipient_code in pairs:
        for pk, helper_region, recipient_region in pairings:
            try:
                if codes.contains(helper_region, helper_code) and codes.contains(
                    recipient_region, recipient_code
                ):
                    found[f"{helper_code}|{recipient_code}"] = pk
                    break
            except ValueError:
                break  # a malformed code: its own column reports it
    pair_key = pl.concat_str([pl.col(helper.field), pl.col(recipient.field)], separator="|")
    frame = frame.with_columns(
        pair_key.replace_strict(found, default=None, return_dtype=pl.Int64).alias(PAIRING)
    )
    check_each(
        plan,
        columns,
        pl.col(helper.field).is_not_null()
        & pl.col(recipient.field).is_not_null()
        & pl.col(PAIRING).is_null(),
        pl.format(
            f"「{helper.header}」{{}} 与「{recipient.header}」{{}} 不属于本项目的任何结对。",
            pl.col(helper.field),
            pl.col(recipient.field),
        ),
    )
    return frame


def attribute(
    plan: Plan, method: str, columns: list[Column], frame: pl.DataFrame, context: Context
) -> pl.DataFrame:
    """Give each row its pairing through `xiezuo.ledgers` (the catalog's attribution method).

    A row that fits no pairing is an error on every attribution column; rows whose attribution
    columns are empty or already wrong get no second message.
    """
    from xiezuo.ledgers.services import attribute as attribute_rows

    values: dict[str, list[str | None]] = {}
    sound = []
    for column in columns:
        if column.type == "household":
            values[column.header] = frame.get_column(f"__{column.field}_no").to_list()
            sound.append(pl.col(column.field).is_not_null())
        else:
            values[column.header] = frame.get_column(column.field).to_list()
            sound.append(pl.col(column.field).is_not_null())
            if f"__{column.field}_problem" in frame.columns:
                sound.append(pl.col(f"__{column.field}_problem").is_null())
    found = attribute_rows(programme=context.programme, method=method, columns=values)
    problems = [found.errors.get(index) for index in range(frame.height)]
    frame = frame.with_columns(
        pl.Series(PAIRING, found.pairing_ids, dtype=pl.Int64),
        pl.Series("__pairing_problem", problems, dtype=pl.String),
    )
    check_each(
        plan,
        columns,
        pl.all_horizontal(sound) & pl.col("__pairing_problem").is_not_null(),
        pl.col("__pairing_problem"),
    )
    return frame


def derive_direction(
    plan: Plan, name: str, origin: Column, frame: pl.DataFrame, context: Context
) -> pl.DataFrame:
    """Fill `name` with the way each attributed row goes: 派出 from the helper side, else 接收.

    `origin` is the column of the sending side (派出方代码): a sender inside the pairing's
    helper sends (helper → recipient); any other sender of an attributed row lies in the
    recipient county, and the helper side receives (双向挂职).
    """
    from xiezuo.ledgers.models import Secondment

    sent, received = Secondment.Direction.SENT.value, Secondment.Direction.RECEIVED.value
    helpers = dict(
        Pairing.objects.filter(programme=context.programme).values_list("pk", "helper_id")
    )
    pairs = frame.select(PAIRING, origin.field).drop_nulls().unique().rows()
    found = {
        f"{pk}|{code}": sent if codes.contains(helpers[pk], code) else received
        for pk, code in pairs
    }
    key = pl.concat_str([pl.col(PAIRING).cast(pl.String), pl.col(origin.field)], separator="|")
    plan.derived.append(name)
    return frame.with_columns(
        key.replace_strict(found, default=None, return_dtype=pl.String).alias(name)
    )


def plan_pairing_dates(plan: Plan, model: type[Model], context: Context) -> None:
    """Name, in a notice, the attributed rows dated outside their pairing's start and end dates.

    Such a record is loaded: the dates of a pairing bound what the assessment counts, not what
    the ledger keeps. A record's date is what places it in a year (`PairingRecord.year_field`),
    or its span for a record in force over a period (`PairingRecord.span`).
    """
    span = getattr(model, "span", None)
    year_field = getattr(model, "year_field", "")
    if not span and not year_field:
        return

    def notice(frame: pl.DataFrame) -> str | None:
        wanted = list(span) if span else [year_field]
        if PAIRING not in frame.columns or any(name not in frame.columns for name in wanted):
            return None
        periods = list(
            Pairing.objects.filter(programme=context.programme).values_list(
                "pk", "start_date", "end_date"
            )
        )
        dates = pl.DataFrame(
            periods,
            schema={PAIRING: pl.Int64, "__pairing_start": pl.Date, "__pairing_end": pl.Date},
            orient="row",
        )
        rows = frame.select(ROW, PAIRING, *wanted).join(dates, on=PAIRING, how="inner")
        start, end = pl.col("__pairing_start"), pl.col("__pairing_end")
        if span:
            first, last = pl.col(span[0]), pl.col(span[1])
            outside = last.lt(start).fill_null(False) | first.gt(end).fill_null(False)
        elif isinstance(model._meta.get_field(year_field), DateField):
            when = pl.col(year_field)
            outside = when.lt(start).fill_null(False) | when.gt(end).fill_null(False)
        else:
            year = pl.col(year_field)
            outside = year.lt(start.dt.year()).fill_null(False) | year.gt(end.dt.year()).fill_null(
                False
            )
        found = rows.filter(outside).get_column(ROW).sort().to_list()
        if not found:
            return None
        return (
            f"有 {len(found)} 行的日期不在所属结对的起止日期内（{rows_shown(found)}）："
            "照常导入，但考核不计结对起止日期以外的年度。"
        )

    plan.notices.append(notice)


# --- scope -----------------------------------------------------------------------------------


def plan_scope(plan: Plan, scope: Regions) -> None:
    """Refuse rows outside the caller's area: no region column of the row lies inside it."""
    if scope.everything or not plan.region_fields:
        return
    prefixes = scope.prefixes
    regions = ", ".join(sorted(scope.region_codes)) or "无"
    inside = [
        pl.any_horizontal(pl.col(name).str.starts_with(p) for p in prefixes)
        if prefixes
        else pl.lit(False)
        for name, _ in plan.region_fields
    ]
    present = pl.any_horizontal(pl.col(name).is_not_null() for name, _ in plan.region_fields)
    plan.checks.append(
        Check(
            plan.region_fields[0][1],
            present & ~pl.any_horizontal(inside),
            f"超出您的权限范围（{regions}）：不能导入其他地区的数据。",
        )
    )


__all__ = [
    "attribute",
    "attribute_pairings",
    "check_members",
    "check_not_registered",
    "derive_direction",
    "plan_household",
    "plan_households",
    "plan_pairing_dates",
    "plan_region",
    "plan_scope",
]
