"""Validation: every cell of a table checked against the catalog, column by column.

Each column type turns its text cells into typed values with a Polars expression and names the
cells it could not accept; lookups (regions, households, members, pairings) cost one query for
the whole file. Every problem becomes a `RowError` (Excel row, catalog header, raw value,
Chinese message); nothing is capped.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.apps import apps
from django.db import connection
from django.db.models import Model

from xiezuo.access import Regions
from xiezuo.core import codelists, codes
from xiezuo.core.ids import PROVINCE_PREFIXES, IdNumberError, parse_id
from xiezuo.ingest import hooks
from xiezuo.ingest.catalog import Column, Ledger
from xiezuo.ingest.errors import RowError, shown
from xiezuo.ingest.lookups import rows_where_in
from xiezuo.ingest.normalise import (
    bool_expr,
    clean_expr,
    code_expr,
    date_expr,
    int_expr,
    list_expr,
    number_expr,
    region_expr,
    year_expr,
)
from xiezuo.ingest.reading import ROW, Table
from xiezuo.programs.models import Pairing, Programme

__all__ = ["Context", "Validated", "credit_code_problem", "validate"]

YEAR_RANGE = (2000, 2035)
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
LABELS_SHOWN = 8
LIST_JOIN = "、"
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
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_QUOTES = "'\"‘’“”＇＂`"


@dataclass(frozen=True)
class Context:
    """Who imports into which programme, and the day the import runs."""

    programme: Programme
    scope: Regions  # the regions the importer may write rows into
    today: date


@dataclass
class Validated:
    """The typed rows of a table and what was wrong with them.

    `frame` holds `ROW` and one typed column per model field the file fills (attribute names),
    for every row; `bad_rows` are the Excel rows with at least one error.
    """

    model: type[Model]
    frame: pl.DataFrame
    fields: tuple[str, ...]
    key_fields: tuple[str, ...]
    errors: list[RowError]
    bad_rows: frozenset[int]
    # (field, header) of references to a parent row that an update must not move (户编号).
    parent_fields: tuple[tuple[str, str], ...] = ()
    notices: list[str] = field(default_factory=list)

    @property
    def valid_frame(self) -> pl.DataFrame:
        if not self.bad_rows:
            return self.frame
        return self.frame.filter(~pl.col(ROW).is_in(list(self.bad_rows)))


@dataclass
class _Check:
    header: str
    mask: pl.Expr
    message: pl.Expr | str
    value: pl.Expr | None = None  # what the report shows; the raw cell by default


@dataclass
class _Plan:
    """What the validator computes: typed columns, then checks that read them."""

    typed: dict[str, pl.Expr] = field(default_factory=dict)
    checks: list[_Check] = field(default_factory=list)
    # Column-wise lookups that need the typed frame: run after `typed`, may add columns.
    steps: list[Callable[[pl.DataFrame], pl.DataFrame]] = field(default_factory=list)
    region_fields: list[tuple[str, str]] = field(default_factory=list)  # (field, header)
    parent_fields: list[tuple[str, str]] = field(default_factory=list)


def validate(table: Table, ledger: Ledger, context: Context) -> Validated:
    """Return the table's rows typed and checked; never raises for bad cells."""
    model = apps.get_model(ledger.model)
    plan = _Plan()
    present = [c for c in ledger.columns if c.header in table.headers]
    for column in present:
        _plan_column(plan, column, model, context)
    # Typed columns may read earlier ones (a list's items, then its text): one lazy chain.
    lazy = table.frame.lazy()
    for name, expr in plan.typed.items():
        lazy = lazy.with_columns(expr.alias(name))
    frame = lazy.collect()
    for step in plan.steps:
        frame = step(frame)
    by_header = {c.header: c for c in ledger.columns}
    attribution = ledger.extra.get("attribution")
    if attribution and all(h in table.headers for h in ledger.extra["attribution_columns"]):
        columns = [by_header[h] for h in ledger.extra["attribution_columns"]]
        frame = _attribute(plan, attribution, columns, frame, context)
    for rule in ledger.rules:
        if rule.rule == "pairing" and attribution:
            continue  # the ledger's own attribution method gives the pairing
        if all(h in table.headers for h in rule.columns):
            frame = _plan_rule(
                plan, rule.rule, [by_header[h] for h in rule.columns], frame, context, model
            )
    key_fields = tuple(by_header[h].field for h in ledger.natural_key)
    if all(name in frame.columns for name in key_fields):
        # Materialised before the checks filter rows: a window over the filtered rows would
        # see only the duplicates.
        first_row = pl.col(ROW).first().over(key_fields).alias("__first_row")
        frame = frame.with_columns(first_row)
        _plan_duplicates(plan, ledger, key_fields)
    _plan_scope(plan, context.scope)
    derived = hooks.derived_fields(ledger.model)
    frame = frame.with_columns(**{name: expr for name, expr in derived.items()})
    errors = list(table.cell_errors) + _collect(frame, plan.checks)
    errors.sort(
        key=lambda e: (
            e.row or 0,
            table.headers.index(e.column) if e.column in table.headers else -1,
        )
    )
    fields = tuple(by_header[h].field for h in table.headers) + tuple(derived)
    if "pairing_id" in frame.columns and "pairing_id" not in fields:
        fields += ("pairing_id",)
    m2m = tuple(f for f in fields if model._meta.get_field(f).many_to_many)
    return Validated(
        model=model,
        frame=frame.select(ROW, *fields, *(m2m_ids(f) for f in m2m)),
        fields=fields,
        key_fields=key_fields,
        errors=errors,
        bad_rows=frozenset(e.row for e in errors if e.row is not None),
        parent_fields=tuple(plan.parent_fields),
    )


def _collect(frame: pl.DataFrame, checks: list[_Check]) -> list[RowError]:
    if not checks:
        return []
    queries = []
    for check in checks:
        message = pl.lit(check.message) if isinstance(check.message, str) else check.message
        value = check.value if check.value is not None else pl.col(check.header)
        queries.append(
            frame.lazy()
            .filter(check.mask.fill_null(False))
            .select(
                pl.col(ROW),
                value.cast(pl.String).alias("value"),
                message.cast(pl.String).alias("message"),
            )
        )
    errors: list[RowError] = []
    for check, found in zip(checks, pl.collect_all(queries), strict=True):
        header = check.header
        errors.extend(
            RowError(row, header, shown(value), message)
            for row, value, message in found.iter_rows()
        )
    return errors


# --- columns -------------------------------------------------------------------------------


def _plan_column(plan: _Plan, column: Column, model: type[Model], context: Context) -> None:
    raw = pl.col(column.header)
    blank = raw.is_null() | (raw.str.strip_chars().str.len_bytes() == 0)
    if column.required:
        plan.checks.append(_Check(column.header, blank, "必填，不能为空。"))
    model_field = model._meta.get_field(column.field)
    kind = column.type
    typed = pl.col(column.field)
    unreadable = ~blank & typed.is_null()

    if kind == "text":
        plan.typed[column.field] = clean_expr(raw)
        limit = column.max_length or getattr(model_field, "max_length", None)
        if limit:
            length = typed.str.len_chars()
            plan.checks.append(
                _Check(
                    column.header,
                    length > limit,
                    pl.format(f"长度为 {{}} 个字，超过上限 {limit} 个字。", length),
                )
            )
    elif kind in {"int", "year"}:
        normaliser = int_expr if kind == "int" else year_expr
        plan.steps.append(_by_distinct(column.header, column.field, normaliser))
        what = "整数" if kind == "int" else "年份（如 2019 或 2019年）"
        plan.checks.append(_Check(column.header, unreadable, f"不是{what}。"))
        low, high = column.min, column.max
        if kind == "year":
            low = YEAR_RANGE[0] if low is None else low
            high = YEAR_RANGE[1] if high is None else high
        field_low, field_high = connection.ops.integer_field_range(model_field.get_internal_type())
        low = (
            max(v for v in (low, field_low) if v is not None)
            if (low, field_low) != (None, None)
            else None
        )
        high = (
            min(v for v in (high, field_high) if v is not None)
            if (high, field_high) != (None, None)
            else None
        )
        _plan_range(plan, column, typed, low, high)
    elif kind == "decimal":
        plan.typed[column.field] = number_expr(raw).round(column.places)
        plan.checks.append(_Check(column.header, unreadable, "不是数字。"))
        high = column.max
        digits = getattr(model_field, "max_digits", None)
        places = getattr(model_field, "decimal_places", column.places)
        if digits:
            ceiling = 10 ** (digits - places) - 10**-places
            high = ceiling if high is None else min(high, ceiling)
        _plan_range(plan, column, typed, column.min, high)
    elif kind == "date":
        plan.steps.append(_by_distinct(column.header, column.field, date_expr))
        plan.checks.append(
            _Check(
                column.header,
                unreadable,
                "不是有效日期（可写 2019-03-05、2019/3/5、2019.3.5、2019年3月5日、"
                "20190305 或 Excel 日期）。",
            )
        )
        first_date, last_date = DATE_RANGE
        plan.checks.append(
            _Check(
                column.header,
                (typed < first_date) | (typed > last_date),
                f"日期应在 {first_date.year} 年至 {last_date.year} 年之间。",
            )
        )
    elif kind == "bool":
        plan.steps.append(_by_distinct(column.header, column.field, bool_expr))
        plan.checks.append(_Check(column.header, unreadable, "应填“是”或“否”。"))
    elif kind == "code":
        labels = list(codelists.labels(column.codelist or ""))
        plan.steps.append(_by_distinct(column.header, column.field, code_expr))
        plan.checks.append(
            _Check(
                column.header,
                typed.is_not_null() & ~typed.is_in(labels),
                _not_in_codelist("", column.codelist or "", labels),
            )
        )
    elif kind == "codes":
        labels = list(codelists.labels(column.codelist or ""))
        items = f"__{column.field}_items"
        plan.typed[items] = list_expr(raw)
        bad = pl.col(items).list.eval(pl.element().filter(~pl.element().is_in(labels)))
        plan.checks.append(
            _Check(
                column.header,
                bad.list.len() > 0,
                pl.format(
                    _not_in_codelist("「{}」", column.codelist or "", labels),
                    bad.list.join(LIST_JOIN),
                ),
            )
        )
        limit = getattr(model_field, "max_length", None)
        if limit:
            plan.checks.append(
                _Check(column.header, typed.str.len_chars() > limit, f"内容超过 {limit} 个字。")
            )
        plan.typed[column.field] = pl.when(pl.col(items).list.len() > 0).then(
            pl.col(items).list.join(LIST_JOIN)
        )
    elif kind == "region":
        stored = getattr(model_field, "related_model", None) is not None
        _plan_region(plan, column, context, stored=stored)
    elif kind == "id_number":
        _plan_id_number(plan, column, context.today)
    elif kind == "credit_code":
        plan.typed[column.field] = code_expr(raw).str.to_uppercase()
        problem = f"__{column.field}_problem"
        plan.steps.append(_per_value_step(column.field, problem, credit_code_problem))
        plan.checks.append(_Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))
    elif kind == "household":
        _plan_household(plan, column)
    elif kind == "households":
        _plan_households(plan, column)
    else:  # the catalog checks types; a new type needs code here
        raise NotImplementedError(kind)


def _by_distinct(
    header: str, name: str, normaliser: Callable[[pl.Expr], pl.Expr]
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Normalise each distinct cell once: dates repeat, and parsing them is the costly part."""

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        distinct = frame.select(pl.col(header).unique())
        distinct = distinct.with_columns(normaliser(pl.col(header)).alias(name))
        return frame.join(distinct, on=header, how="left", nulls_equal=True, maintain_order="left")

    return step


def _plan_range(
    plan: _Plan,
    column: Column,
    typed: pl.Expr,
    low: float | None,
    high: float | None,
) -> None:
    if low is not None:
        plan.checks.append(_Check(column.header, typed < low, f"不能小于 {_number(low)}。"))
    if high is not None:
        plan.checks.append(_Check(column.header, typed > high, f"不能大于 {_number(high)}。"))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _not_in_codelist(subject: str, codelist: str, labels: list[str]) -> str:
    return f"{subject}不在代码表「{codelists.title(codelist)}」中；可填：{_labels_shown(labels)}。"


def _labels_shown(labels: list[str]) -> str:
    shown_labels = "、".join(labels[:LABELS_SHOWN])
    return shown_labels + ("等" if len(labels) > LABELS_SHOWN else "")


def _per_value_step(
    source: str, target: str, check: Callable[[str], str | None]
) -> Callable[[pl.DataFrame], pl.DataFrame]:
    """Run a Python check once per distinct value of a column (few distinct values, or few bad)."""

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        values = frame.get_column(source).drop_nulls().unique().to_list()
        problems = {v: p for v in values if (p := check(v)) is not None}
        return frame.with_columns(
            pl.col(source)
            .replace_strict(problems, default=None, return_dtype=pl.String)
            .alias(target)
        )

    return step


# --- regions ---------------------------------------------------------------------------------


def _plan_region(plan: _Plan, column: Column, context: Context, *, stored: bool) -> None:
    """Check a region column; `stored` when the field refers to the regions table.

    A plain code field (a workplace anywhere in China) is checked for its shape and level only:
    the regions table holds the programme's provinces.
    """
    plan.steps.append(_by_distinct(column.header, column.field, region_expr))
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
        from xiezuo.regions.models import Region

        if not stored:
            return frame.with_columns(
                pl.col(column.field)
                .replace_strict(problems, default=None, return_dtype=pl.String)
                .alias(problem)
            )
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
    plan.checks.append(_Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))
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


# --- ID numbers ------------------------------------------------------------------------------


def _plan_id_number(plan: _Plan, column: Column, today: date) -> None:
    """Check ID numbers column-wise; only cells that fail go through `parse_id` for the reason."""
    raw = pl.col(column.header)
    text = code_expr(raw).str.strip_chars(_QUOTES).str.to_uppercase()
    candidate = f"__{column.field}_text"
    problem = f"__{column.field}_problem"
    plan.typed[candidate] = text
    body = pl.col(candidate).str.slice(0, 18)
    total = pl.sum_horizontal(
        body.str.slice(i, 1).cast(pl.Int32, strict=False) * weight
        for i, weight in enumerate(_ID_WEIGHTS)
    )
    check = (total % 11).replace_strict(
        dict(enumerate(_ID_CHECK)), default=None, return_dtype=pl.String
    )
    birth = body.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    clean = (
        pl.col(candidate).str.contains(r"^\d{17}[\dX](?:\d{2}){0,2}$")
        & (check == body.str.slice(17, 1))
        & body.str.slice(0, 2).is_in(sorted(PROVINCE_PREFIXES))
        & (birth >= date(1900, 1, 1))
        & (birth <= today)
    ).fill_null(False)

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.with_columns(clean.alias("__id_clean"))
        suspects = frame.filter(~pl.col("__id_clean") & pl.col(column.header).is_not_null())
        fixed: dict[str, str] = {}
        problems: dict[str, str] = {}
        for value in suspects.get_column(column.header).unique().to_list():
            if not value.strip():
                continue
            try:
                fixed[value] = parse_id(value, today=today).full
            except IdNumberError as error:
                problems[value] = error.message
        return frame.with_columns(
            pl.when(pl.col("__id_clean"))
            .then(pl.col(candidate))
            .otherwise(
                pl.col(column.header).replace_strict(fixed, default=None, return_dtype=pl.String)
            )
            .alias(column.field),
            pl.when(~pl.col("__id_clean"))
            .then(
                pl.col(column.header).replace_strict(problems, default=None, return_dtype=pl.String)
            )
            .alias(problem),
        ).drop("__id_clean")

    plan.steps.append(step)
    plan.checks.append(_Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))


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


# --- households ------------------------------------------------------------------------------


def _household_frame(numbers: list[str]) -> pl.DataFrame:
    from xiezuo.registry.models import Household

    rows = rows_where_in(Household, ["household_no", "id", "county_id"], "household_no", numbers)
    return pl.DataFrame(
        rows,
        schema={"household_no": pl.String, "id": pl.Int64, "county_id": pl.String},
        orient="row",
    )


def _plan_household(plan: _Plan, column: Column) -> None:
    number = f"__{column.field}_no"
    county = f"__{column.field}_county"
    plan.typed[number] = code_expr(pl.col(column.header))

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        found = _household_frame(frame.get_column(number).drop_nulls().unique().to_list())
        found = found.rename({"household_no": number, "id": column.field, "county_id": county})
        return frame.join(found, on=number, how="left", maintain_order="left")

    plan.steps.append(step)
    plan.checks.append(
        _Check(
            column.header,
            pl.col(number).is_not_null() & pl.col(column.field).is_null(),
            "户编号未登记：请先导入该户的贫困户台账。",
        )
    )
    plan.region_fields.append((county, column.header))
    plan.parent_fields.append((column.field, column.header))


def m2m_ids(name: str) -> str:
    """Return the frame column holding the sorted ids of a list column (a many-to-many)."""
    return f"__{name}_ids"


def _plan_households(plan: _Plan, column: Column) -> None:
    items = f"__{column.field}_items"
    missing = f"__{column.field}_missing"
    plan.typed[items] = list_expr(pl.col(column.header))
    plan.typed[column.field] = pl.when(pl.col(items).list.len() > 0).then(
        pl.col(items).list.join(LIST_JOIN)
    )

    ids = m2m_ids(column.field)

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        numbers = frame.get_column(items).explode().drop_nulls().unique().to_list()
        found = _household_frame(numbers)
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
        _Check(
            column.header,
            pl.col(missing).list.len() > 0,
            pl.format("户编号未登记：{}。", pl.col(missing).list.join(LIST_JOIN)),
        )
    )


# --- rules across columns ------------------------------------------------------------------


def _plan_rule(
    plan: _Plan,
    rule: str,
    columns: list[Column],
    frame: pl.DataFrame,
    context: Context,
    model: type[Model],
) -> pl.DataFrame:
    if rule == "dates_in_order":
        start, end = columns
        earlier = pl.col(end.field) < pl.col(start.field)
        plan.checks.append(
            _Check(
                end.header,
                earlier,
                pl.format(f"早于「{start.header}」（{{}}）。", pl.col(start.field).cast(pl.String)),
            )
        )
        return frame
    if rule == "pairing":
        return _attribute_pairings(plan, columns, frame, context, model)
    if rule == "member":
        return _check_members(plan, columns, frame)
    raise NotImplementedError(rule)


def _attribute_pairings(
    plan: _Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """Give each row the pairing whose helper holds its helper code and recipient its recipient."""
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
        pair_key.replace_strict(found, default=None, return_dtype=pl.Int64).alias("pairing_id")
    )
    plan.checks.append(
        _Check(
            recipient.header,
            pl.col(helper.field).is_not_null()
            & pl.col(recipient.field).is_not_null()
            & pl.col("pairing_id").is_null(),
            pl.format(
                f"「{helper.header}」{{}} 与「{recipient.header}」{{}} 不属于本项目的任何结对。",
                pl.col(helper.field),
                pl.col(recipient.field),
            ),
        )
    )
    return frame


def _attribute(
    plan: _Plan, method: str, columns: list[Column], frame: pl.DataFrame, context: Context
) -> pl.DataFrame:
    """Give each row its pairing through `xiezuo.ledgers` (the catalog's attribution method).

    Rows whose attribution columns are empty or already wrong get no second message.
    """
    from xiezuo.ledgers.services import attribute

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
    found = attribute(programme=context.programme, method=method, columns=values)
    problems = [found.errors.get(index) for index in range(frame.height)]
    frame = frame.with_columns(
        pl.Series("pairing_id", found.pairing_ids, dtype=pl.Int64),
        pl.Series("__pairing_problem", problems, dtype=pl.String),
    )
    header = columns[0].header if method == "household" else columns[-1].header
    plan.checks.append(
        _Check(
            header,
            pl.all_horizontal(sound) & pl.col("__pairing_problem").is_not_null(),
            pl.col("__pairing_problem"),
        )
    )
    return frame


def _check_members(plan: _Plan, columns: list[Column], frame: pl.DataFrame) -> pl.DataFrame:
    """A person must be a registered member of the household the row names."""
    from xiezuo.registry.models import Member

    id_column, household_column = columns
    numbers = frame.get_column(id_column.field).drop_nulls().unique().to_list()
    rows = rows_where_in(Member, ["id_number", "household_id"], "id_number", numbers)
    registered = pl.DataFrame(
        rows, schema={id_column.field: pl.String, "__member_household": pl.Int64}, orient="row"
    )
    frame = frame.join(registered, on=id_column.field, how="left", maintain_order="left")
    plan.checks.append(
        _Check(
            id_column.header,
            pl.col(id_column.field).is_not_null()
            & pl.col(household_column.field).is_not_null()
            & pl.col("__member_household").ne_missing(pl.col(household_column.field)),
            "不是该户的登记成员（证件号码与户编号不对应）。",
        )
    )
    return frame


def _plan_duplicates(plan: _Plan, ledger: Ledger, key_fields: tuple[str, ...]) -> None:
    keys = [pl.col(f) for f in key_fields]
    complete = pl.all_horizontal(k.is_not_null() for k in keys)
    first = pl.col("__first_row")
    shown_key = pl.concat_str([k.cast(pl.String) for k in keys], separator=" ")
    plan.checks.append(
        _Check(
            ledger.natural_key[0],
            complete & (pl.col(ROW) != first),
            pl.format(
                f"与第 {{}} 行重复（{'+'.join(ledger.natural_key)}：{{}}）。", first, shown_key
            ),
        )
    )


def _plan_scope(plan: _Plan, scope: Regions) -> None:
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
        _Check(
            plan.region_fields[0][1],
            present & ~pl.any_horizontal(inside),
            f"超出您的权限范围（{regions}）：不能导入其他地区的数据。",
        )
    )
