"""`Access`: the verb table, monotonic grants, masking, and the two other ways to make one."""

import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.access import Access, Role, Verb
from xiezuo.access.rules import PERSONAL_FIELDS, VERB_ROLES
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Pairing

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
DOC_ROLES = {
    "programme office": Role.PROGRAMME_OFFICE,
    "helper office": Role.HELPER_OFFICE,
    "county office": Role.COUNTY_OFFICE,
    "cadre": Role.CADRE,
    "assessor": Role.ASSESSOR,
}
# Where each role's grant lies in the small programme (朝阳→康保, 怀柔→怀安, 怀柔→丰宁).
GRANT_REGION = {
    Role.PROGRAMME_OFFICE: "110000",
    Role.HELPER_OFFICE: "110105",
    Role.COUNTY_OFFICE: "130723",
    Role.CADRE: "130723100201",
    Role.ASSESSOR: "110000",
}


def documented_table() -> dict[tuple[Verb, Role], bool]:
    """Return the verb × role table printed in docs/architecture.md's Access section."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text[text.index("## Access") :]
    section = section[: section.index("\n## ", 1)]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    roles = [DOC_ROLES[name] for name in header[1:]]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        verb = Verb(cells[0].strip("`"))
        for role, mark in zip(roles, cells[1:], strict=True):
            table[verb, role] = mark == "✓"
    return table


def test_the_documented_table_is_the_rules_table():
    documented = documented_table()
    assert {verb for verb, _ in documented} == set(Verb)
    for (verb, role), may in documented.items():
        assert (role in VERB_ROLES[verb][0]) == may, (verb, role)


@pytest.mark.parametrize(("verb", "role"), list(itertools.product(Verb, Role)))
def test_one_grant_may_what_the_documented_table_says(small_programme, access_as, verb, role):
    access = access_as(small_programme, (role, GRANT_REGION[role]))
    assert access.may(verb) == documented_table()[verb, role]
    if not access.may(verb):
        with pytest.raises(ScopeError):
            access.check(verb)


def test_may_in_is_bounded_by_the_grant_of_that_verb(small_programme, access_as):
    """A helper office reads its paired county but manages monitoring nowhere; a county
    office manages in its county only; the programme office anywhere in the programme."""
    village = "130723100201"
    helper_and_county = access_as(
        small_programme, (Role.HELPER_OFFICE, "110105"), (Role.COUNTY_OFFICE, "130728")
    )
    assert helper_and_county.covers(village)
    assert not helper_and_county.may_in(Verb.MANAGE_MONITORING, village)
    assert helper_and_county.may_in(Verb.MANAGE_MONITORING, "130728100201")
    office = access_as(small_programme, (Role.PROGRAMME_OFFICE, "110000"))
    assert office.may_in(Verb.MANAGE_MONITORING, village)
    assert not Access.public(small_programme).may_in(Verb.VIEW_HOUSEHOLDS, village)
    assert Access.operator(small_programme).may_in(Verb.MANAGE_MONITORING, village)


def test_public_and_operator(small_programme):
    public = Access.public(small_programme)
    operator = Access.operator(small_programme)
    assert not any(public.may(verb) for verb in Verb)
    assert not public.covers("130723")
    assert not public.pairing_ids
    assert all(operator.may(verb) for verb in Verb)
    assert operator.shows_personal("130723100201")
    assert operator.pairing_ids == set(small_programme.pairings.values_list("pk", flat=True))


def test_every_personal_field_of_every_model_is_in_the_table():
    """One table, per model, covers every field holding ID numbers, birth dates, health,
    phones, bank accounts or addresses."""
    personal = re.compile(r"id_number|birth|health|phone|bank|account|address")
    for model in apps.get_models():
        if not model.__module__.startswith("xiezuo."):
            continue
        found = {f.name for f in model._meta.concrete_fields if personal.search(f.name)}
        table = PERSONAL_FIELDS.get(model._meta.label)
        assert found <= set(table.fields if table else ()), model._meta.label


def test_mask_hides_what_the_caller_may_not_see(small_programme, access_as):
    row = {
        "id_number": "130723199001011234",
        "birth_date": dt.date(1990, 1, 1),
        "health": "长期慢性病",
        "name": "张三",
        "household__village_id": "130723100201",
    }
    helper = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    masked = helper.mask("registry.Member", row)
    assert masked["id_number"] == "130723********1234"
    assert masked["birth_date"].endswith("岁")
    assert masked["health"] == "***"
    assert masked["name"] == "张三"
    assert county.mask("registry.Member", row) == row


# --- adding a grant never removes anything --------------------------------------------------

REGIONS = [
    "110000", "110105", "110116", "130000", "130700", "130723", "130723100",
    "130723100201", "130723100202", "130728", "130728100201", "130826", "130826100201",
]  # fmt: skip
GRANTS = st.tuples(st.sampled_from(list(Role)), st.sampled_from(REGIONS))
UNITS = [("helper", "110105"), ("helper", "110116"), ("recipient", "130723"),
         ("recipient", "130728"), ("recipient", "130826"), ("programme", "small")]  # fmt: skip
_users = itertools.count(1)


def _access(programme, grants) -> Access:
    user = User.objects.create_user(f"monotone-{next(_users)}")
    for role, region in grants:
        grant_give(user=user, role=role, region_code=region)
    return access_for(user=user, programme=programme)


@pytest.fixture
def two_helpers(small_programme):
    """The small programme with a second helper of 康保 (怀柔→康保), as in the defect."""
    Pairing.objects.create(
        programme=small_programme,
        helper_id="110116",
        recipient_id="130723",
        start_date=dt.date(2018, 4, 14),
        provenance=Pairing.Provenance.ILLUSTRATIVE,
    )
    return small_programme


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(held=st.lists(GRANTS, max_size=3), added=GRANTS)
def test_adding_a_grant_never_removes_anything(two_helpers, held, added):
    before = _access(two_helpers, held)
    after = _access(two_helpers, [*held, added])
    assert before.pairing_ids <= after.pairing_ids
    assert before.units <= after.units
    for verb in Verb:
        assert not before.may(verb) or after.may(verb)
    for code in REGIONS:
        assert not before.covers(code) or after.covers(code)
        assert not before.shows_personal(code) or after.shows_personal(code)
    for unit in UNITS:
        assert not before.reaches(unit) or after.reaches(unit)
