"""The ledger catalog files 04–15 agree with the ledger models and carry valid samples."""

import csv
import datetime as dt
import gzip
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from xiezuo.core import codelists, codes
from xiezuo.core.ids import parse_id
from xiezuo.ingest.catalog import Ledger, ledgers
from xiezuo.ledgers.models import LEDGER_MODELS
from xiezuo.ledgers.services import METHODS, attribute
from xiezuo.regions.models import Region
from xiezuo.registry.models import Household

KEYS = [
    "visits",
    "meetings",
    "agreements",
    "secondments",
    "trainings",
    "funds",
    "projects",
    "investments",
    "labour",
    "purchases",
    "donations",
    "subpairings",
]
DIVISIONS = Path(apps.get_app_config("regions").path) / "data" / "divisions.csv.gz"
# Unified social credit code (GB 32100): 31 characters, no I, O, S, V, Z.
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714, the 9-character core


def ledger_ids():
    return [pytest.param(ledgers()[key], id=key) for key in KEYS]


def model_of(ledger: Ledger) -> type[models.Model]:
    return apps.get_model(ledger.model)


def field_of(ledger: Ledger, header: str) -> models.Field:
    """Return the model field a column fills (its `field` is an attname or an M2M name)."""
    model = model_of(ledger)
    name = ledger.column(header).field
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if name in (field.attname, field.name):
            return field
    raise AssertionError(f"{ledger.key}: {header} fills {name}, not a field of {model.__name__}")


@cache
def known_regions() -> frozenset[str]:
    with gzip.open(DIVISIONS, "rt", encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def credit_code_is_valid(code: str) -> bool:
    """Return True when `code` passes both GB 32100 and its GB 11714 core check."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return False
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(code, CREDIT_WEIGHTS, strict=False))
    if CREDIT_ALPHABET[(31 - total % 31) % 31] != code[17]:
        return False
    core = code[8:17]
    value = sum(int(c, 36) * w for c, w in zip(core, ORGANISATION_WEIGHTS, strict=False))
    check = 11 - value % 11
    return {10: "X", 11: "0"}.get(check, str(check)) == core[8]


def test_credit_code_check_matches_a_published_example():
    """The check used on the samples accepts the code GB 32100 guides quote, and no typo of it."""
    assert credit_code_is_valid("91350100M000100Y43")
    assert not credit_code_is_valid("91350100M000100Y44")


def test_catalog_holds_the_twelve_ledgers_in_domain_order():
    found = [key for key in ledgers() if ledgers()[key].model.startswith("ledgers.")]
    assert found == KEYS
    assert {model_of(ledgers()[key]) for key in KEYS} == set(LEDGER_MODELS)


@pytest.mark.parametrize("ledger", ledger_ids())
def test_columns_fill_model_fields_named_by_their_headers(ledger):
    """Each column fills a real field whose verbose name is the template header."""
    for column in ledger.columns:
        field = field_of(ledger, column.header)
        assert field.verbose_name == column.header


@pytest.mark.parametrize("ledger", ledger_ids())
def test_every_model_field_but_the_pairing_comes_from_a_column(ledger):
    """Only the pairing, and the direction a ledger declares (secondments), are derived."""
    filled = {field_of(ledger, h).name for h in ledger.headers}
    model = model_of(ledger)
    fields = {f.name for f in [*model._meta.concrete_fields, *model._meta.many_to_many]}
    derived = {ledger.extra["direction"]} if "direction" in ledger.extra else set()
    assert fields - filled == {"id", "pairing", *derived}


@pytest.mark.parametrize("ledger", ledger_ids())
def test_natural_key_is_a_unique_constraint(ledger):
    """A re-import matches rows on the natural key, so the database keeps it unique."""
    model = model_of(ledger)
    key = {field_of(ledger, header).name for header in ledger.natural_key}
    unique_sets = [set(c.fields) for c in model._meta.constraints if hasattr(c, "fields")]
    unique_sets += [{f.name} for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    assert key in unique_sets


@pytest.mark.parametrize("ledger", ledger_ids())
def test_required_columns_fill_not_null_fields(ledger):
    """An optional cell may be empty only where the field can hold nothing."""
    for column in ledger.columns:
        field = field_of(ledger, column.header)
        if field.many_to_many:
            assert not column.required
        else:
            assert field.null is not column.required, column.header


TYPE_FIELDS = {
    "text": models.CharField,
    "int": models.PositiveIntegerField,
    "decimal": models.DecimalField,
    "year": models.PositiveSmallIntegerField,
    "date": models.DateField,
    "bool": models.BooleanField,
    "code": models.CharField,
    "id_number": models.CharField,
    "credit_code": models.CharField,
    "household": models.ForeignKey,
    "households": models.ManyToManyField,
}


@pytest.mark.parametrize("ledger", ledger_ids())
def test_column_types_match_field_types(ledger):
    for column in ledger.columns:
        field = field_of(ledger, column.header)
        if column.type == "region":
            # A foreign key to Region, or a plain code where the code may lie outside the table.
            assert (field.is_relation and field.related_model is Region) or (
                isinstance(field, models.CharField) and field.max_length == 12
            ), column.header
            continue
        assert isinstance(field, TYPE_FIELDS[column.type]), column.header
        if column.type == "decimal":
            assert (field.max_digits, field.decimal_places) == (14, column.places)
        if column.type in {"household", "households"}:
            assert field.related_model is Household


@pytest.mark.parametrize("ledger", ledger_ids())
def test_text_fits_its_field(ledger):
    """Text limits agree with the model; code labels and ID numbers fit their fields."""
    for column in ledger.columns:
        field = field_of(ledger, column.header)
        if column.type == "text":
            assert column.max_length == field.max_length, column.header
        elif column.type == "code":
            longest = max(map(len, codelists.labels(column.codelist)))
            assert longest <= field.max_length, column.header
        elif column.type == "id_number":
            assert field.max_length == 22  # disability certificate numbers
        elif column.type == "credit_code":
            assert field.max_length == 18


@pytest.mark.parametrize("ledger", ledger_ids())
def test_attribution_is_declared_and_agrees_with_the_rules(ledger):
    method = ledger.extra["attribution"]
    columns = ledger.extra["attribution_columns"]
    assert method in METHODS
    assert all(header in ledger.headers for header in columns)
    pairing_rules = [r.columns for r in ledger.rules if r.rule == "pairing"]
    if method == "household":
        assert pairing_rules == []
        assert ("证件号码", "户编号") in [r.columns for r in ledger.rules if r.rule == "member"]
    else:
        assert pairing_rules == [tuple(columns)]


@pytest.mark.parametrize("ledger", ledger_ids())
def test_dates_of_spells_are_checked_in_order(ledger):
    """Every start/end pair of dates carries a dates_in_order rule."""
    ordered = {r.columns for r in ledger.rules if r.rule == "dates_in_order"}
    if {"开始日期", "结束日期"} <= set(ledger.headers):
        assert ("开始日期", "结束日期") in ordered
    if ledger.key == "agreements":
        assert ordered == {("签署日期", "生效日期"), ("生效日期", "终止日期")}


@pytest.mark.parametrize("ledger", ledger_ids())
def test_aliases_do_not_collide_with_headers(ledger):
    names = [h for c in ledger.columns for h in (c.header, *c.aliases)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("ledger", ledger_ids())
def test_notes_and_samples_are_given(ledger):
    assert ledger.notes
    assert all(column.sample for column in ledger.columns)


def _check_sample(column, value: str) -> None:
    kind = column.type
    if kind == "region":
        assert value in known_regions(), value
        level = codes.level_of(value).name.lower()
        assert level in column.levels
        side = {"helper": ("11",), "recipient": ("13",), "programme": ("11", "13")}
        assert value[:2] in side.get(column.side, ("11", "13"))
    elif kind == "date":
        dt.date.fromisoformat(value)
    elif kind == "year":
        assert 2000 <= int(value) <= 2035
    elif kind == "decimal":
        amount = Decimal(value)
        assert amount >= Decimal(column.min or 0)
        assert -amount.as_tuple().exponent <= column.places
    elif kind == "int":
        assert int(value) >= (column.min or 0)
    elif kind == "bool":
        assert value in {"是", "否"}
    elif kind == "code":
        assert codelists.is_valid(column.codelist, value)
    elif kind == "id_number":
        assert parse_id(value).number == value
    elif kind == "credit_code":
        assert credit_code_is_valid(value)
    elif kind in {"household", "households"}:
        assert all(no.isdigit() and no[:12] in known_regions() for no in value.split("、"))
    elif kind == "text":
        assert len(value) <= column.max_length


@pytest.mark.parametrize("ledger", ledger_ids())
def test_samples_are_valid_cells(ledger):
    for column in ledger.columns:
        _check_sample(column, column.sample)
    for rule in ledger.rules:
        if rule.rule == "dates_in_order":
            start, end = (ledger.column(h).sample for h in rule.columns)
            assert dt.date.fromisoformat(start) <= dt.date.fromisoformat(end)


def test_subpairing_entity_code_sample_is_a_credit_code_for_an_enterprise():
    subpairings = ledgers()["subpairings"]
    assert subpairings.column("帮扶主体类型").sample == "企业"
    assert credit_code_is_valid(subpairings.column("帮扶主体代码").sample)


@pytest.mark.django_db
@pytest.mark.parametrize("ledger", ledger_ids())
def test_sample_row_is_attributed_to_chaoyang_kangbao(ledger, small_programme, pairings):
    """The template's sample row lands in the 朝阳→康保 pairing."""
    labour = ledgers()["labour"]
    Household.objects.create(
        household_no=labour.column("户编号").sample,
        village_id="130723100201",
        county_id="130723",
        householder_name="张建国",
        householder_id_number=labour.column("证件号码").sample,
        size=3,
        attribute="一般贫困户",
        standard="国家标准",
        main_cause="因病",
        identified_year=2015,
        status="未脱贫",
    )
    headers = ledger.extra["attribution_columns"]
    found = attribute(
        programme=small_programme,
        method=ledger.extra["attribution"],
        columns={h: [ledger.column(h).sample] for h in headers},
    )
    assert found.errors == {}
    assert found.pairing_ids == [pairings["110105→130723"].pk]
