"""The seven rules, each as data, positive and negative; the year boundary; scope."""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.access import Access, Role
from xiezuo.core.errors import ScopeError
from xiezuo.crosscheck.checks import flags_for
from xiezuo.crosscheck.rules import KEYS, rules

pytestmark = pytest.mark.django_db


def _flags(programme, **options):
    return flags_for(access=Access.operator(programme), year=options.pop("year", 2020), **options)


def _hits(programme, rule, **options):
    return [(f.person, f.rule) for f in _flags(programme, **options) if f.rule == rule]


def test_the_rules_file_holds_the_seven_keys_with_labels_and_severities():
    found = rules()
    assert sorted(r.key for r in found) == sorted(KEYS)
    assert len(KEYS) == 7
    assert all(r.label and r.explanation and r.severity in {"high", "medium"} for r in found)


def test_payroll_on_any_day_of_the_year(small_programme, register, listed):
    甲, 乙, 丙 = register["甲"], register["乙"], register["丙"]
    listed("payroll", 甲, start_date=dt.date(2016, 8, 1), end_date=None)
    listed("payroll", 乙, start_date=dt.date(2015, 1, 1), end_date=dt.date(2020, 1, 1))
    listed("payroll", 丙, start_date=dt.date(2015, 1, 1), end_date=dt.date(2019, 12, 31))
    found = _hits(small_programme, "payroll")
    assert sorted(found) == sorted([(甲.id_number, "payroll"), (乙.id_number, "payroll")])


def test_payroll_reads_the_lists_of_the_year_only(small_programme, register, listed):
    listed("payroll", register["甲"], year=2019)
    assert _hits(small_programme, "payroll") == []
    assert _hits(small_programme, "payroll", year=2019) == [(register["甲"].id_number, "payroll")]


def test_village_cadre_in_post_in_the_year(small_programme, register, listed):
    listed("cadres", register["甲"], start_date=dt.date(2020, 3, 1), end_date=dt.date(2020, 6, 30))
    listed("cadres", register["丙"], start_date=dt.date(2017, 1, 1), end_date=dt.date(2019, 6, 30))
    assert _hits(small_programme, "village_cadre") == [(register["甲"].id_number, "village_cadre")]


def test_a_spell_starting_after_the_year_does_not_count(small_programme, register, listed):
    listed("payroll", register["甲"], start_date=dt.date(2021, 1, 1))
    listed("cadres", register["乙"], start_date=dt.date(2021, 2, 1))
    flags = _flags(small_programme)
    assert not {f.rule for f in flags} & {"payroll", "village_cadre"}


def test_vehicle_worth_30000_yuan_or_more(small_programme, register, listed):
    listed("vehicles", register["甲"], plate="冀G00001", price=Decimal("30000"))
    listed("vehicles", register["乙"], plate="冀G00002", price=Decimal("29999.99"))
    assert _hits(small_programme, "vehicle") == [(register["甲"].id_number, "vehicle")]


def test_a_vehicle_registered_after_the_year_does_not_count(small_programme, register, listed):
    listed("vehicles", register["甲"], registered_on=dt.date(2021, 1, 1))
    assert _hits(small_programme, "vehicle") == []
    assert _hits(small_programme, "vehicle", year=2021) == [(register["甲"].id_number, "vehicle")]


def test_property_outside_the_households_village(small_programme, register, listed):
    listed("properties", register["甲"], region_id="130723100")  # in town
    listed("properties", register["丙"], region_id="130723100202")  # in the household's village
    assert _hits(small_programme, "property") == [(register["甲"].id_number, "property")]


def test_a_registered_business(small_programme, register, listed):
    listed("businesses", register["乙"])
    listed("businesses", register["丙"], registered_on=dt.date(2021, 1, 5))
    assert _hits(small_programme, "business") == [(register["乙"].id_number, "business")]


def test_deceased_before_the_end_of_the_year(small_programme, register, listed):
    listed("deaths", register["甲"], died_on=dt.date(2020, 12, 31))
    listed("deaths", register["乙"], died_on=dt.date(2021, 1, 1))
    assert _hits(small_programme, "deceased") == [(register["甲"].id_number, "deceased")]


def test_deaths_of_earlier_lists_still_count(small_programme, register, listed):
    listed("deaths", register["甲"], year=2018, died_on=dt.date(2018, 5, 1))
    assert _hits(small_programme, "deceased") == [(register["甲"].id_number, "deceased")]


def test_duplicate_the_same_id_in_two_households_in_two_counties(small_programme, register):
    甲, 丁 = register["甲"], register["丁"]
    other = 丁.household
    other.householder_id_number = 甲.id_number  # 甲 of 康保 is the householder in 怀安 too
    other.save()
    flags = [f for f in _flags(small_programme) if f.rule == "duplicate"]
    assert [(f.household, f.person) for f in flags] == [(甲.household.household_no, 甲.id_number)]
    assert flags[0].evidence["record"]["户编号"] == other.household_no
    assert flags[0].source == "registry"


def test_duplicate_by_a_disability_certificate_number(small_programme, register):
    from xiezuo.registry.models import Member

    甲, 丙 = register["甲"], register["丙"]
    Member.objects.create(
        household=丙.household,
        name=甲.name,
        id_number=甲.id_number + "11",  # the ID number with category and grade
        sex="男",
        birth_date=甲.birth_date,
        relation="其他",
        health="残疾",
        labour_skill="弱劳动力或半劳动力",
    )
    flags = [f for f in _flags(small_programme) if f.rule == "duplicate"]
    assert sorted(f.household for f in flags) == sorted(
        [甲.household.household_no, 丙.household.household_no]
    )


def test_no_duplicate_for_a_householder_of_their_own_household(small_programme, register):
    甲 = register["甲"]
    household = 甲.household
    household.householder_id_number = 甲.id_number
    household.save()
    assert _hits(small_programme, "duplicate") == []


def test_households_identified_after_the_year_are_not_checked(small_programme, register, listed):
    listed("deaths", register["甲"], died_on=dt.date(2019, 1, 1))
    household = register["甲"].household
    household.identified_year = 2021
    household.save()
    assert _hits(small_programme, "deceased") == []


def test_flags_are_sorted_by_household_person_and_rule(small_programme, register, listed):
    for name in ("丙", "乙", "甲"):
        listed("deaths", register[name])
        listed("businesses", register[name])
    flags = _flags(small_programme)
    keys = [(f.household, f.person, f.rule) for f in flags]
    assert keys == sorted(keys)
    assert len(flags) == 6


def test_a_county_office_sees_only_its_county(small_programme, register, listed, access_as):
    listed("deaths", register["甲"])
    listed("deaths", register["丁"])
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130728"))
    flags = flags_for(access=county, year=2020)
    assert [f.person for f in flags] == [register["丁"].id_number]
    assert {f.household for f in flags} == {register["丁"].household.household_no}


def test_region_narrows_the_register(small_programme, register, listed):
    listed("deaths", register["甲"])
    listed("deaths", register["丙"])
    flags = _flags(small_programme, region="130723100202")
    assert [f.person for f in flags] == [register["丙"].id_number]


def test_a_helper_office_may_not_see_cross_checks(small_programme, register, access_as):
    helper = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    with pytest.raises(ScopeError):
        flags_for(access=helper, year=2020)


def test_an_assessor_sees_flags_with_personal_fields_masked(
    small_programme, register, listed, access_as
):
    listed("deaths", register["甲"])
    assessor = access_as(small_programme, (Role.ASSESSOR, "130000"))
    (flag,) = flags_for(access=assessor, year=2020)
    assert flag.person != register["甲"].id_number
    assert flag.person.startswith(register["甲"].id_number[:6])
    assert flag.evidence["record"]["证件号码"] == flag.person
    assert flag.evidence["record"]["出生日期"].endswith("岁")


def test_a_county_office_may_not_ask_for_another_county(small_programme, register, access_as):
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130728"))
    with pytest.raises(ScopeError):
        flags_for(access=county, year=2020, region="130723")
