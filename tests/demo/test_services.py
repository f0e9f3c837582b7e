import datetime as dt
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from xiezuo.access.models import Grant
from xiezuo.core import codelists, codes
from xiezuo.core.errors import XiezuoError
from xiezuo.core.ids import parse_id
from xiezuo.demo.profile import load_profile
from xiezuo.demo.services import demo_accounts, demo_build
from xiezuo.ledgers.models import LabourTransfer
from xiezuo.programs.models import Pairing, PovertyLine, Programme
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.calculations import is_poor_at_end_of
from xiezuo.registry.models import Household, Income, Member, StatusChange

RECIPIENTS = {"130723", "130728", "130826"}
SCALE = 0.005  # 765 households, about 2,300 people


def _build(programme, **kwargs):
    return demo_build(programme=programme.key, **{"scale": SCALE, **kwargs})


def _digest() -> str:
    digest = hashlib.sha256()
    for model in (Household, Member, Income, StatusChange, RuralPopulation):
        for row in model.objects.order_by("id").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_writes_the_same_rows_and_another_seed_does_not(demo_programme):
    _build(demo_programme, seed=7)
    first = _digest()
    _build(demo_programme, seed=7)
    assert _digest() == first
    _build(demo_programme, seed=8)
    assert _digest() != first


def test_rebuild_replaces_the_demo_rows(demo_programme):
    summary = _build(demo_programme)
    _build(demo_programme)
    assert Household.objects.filter(registered=True).count() == summary.households
    assert Household.objects.filter(registered=False).count() == summary.monitored_households
    assert Member.objects.filter(household__registered=True).count() == summary.people
    assert RuralPopulation.objects.filter(region_id__in=RECIPIENTS).count() == 3 * 5


def test_scale_multiplies_the_counts(demo_programme):
    small = _build(demo_programme, scale=0.002)
    larger = _build(demo_programme, scale=0.01)
    assert small.households == 306
    assert larger.households == 1530
    assert Household.objects.filter(registered=True).count() == 1530


def test_households_of_other_counties_are_left_alone(demo_programme, make_household):
    outside = make_household("130724100201", people=2)
    _build(demo_programme)
    assert Household.objects.filter(pk=outside.pk).exists()
    assert Member.objects.filter(household=outside).count() == 2


def test_id_numbers_are_valid_for_county_and_birth_date_and_unique(demo_programme):
    _build(demo_programme)
    members = list(
        Member.objects.values_list("id_number", "birth_date", "sex", "household__county")
    )
    assert len({number for number, *_ in members}) == len(members)
    for number, birth_date, sex, county in members:
        parsed = parse_id(number)
        assert parsed.region_code == county
        assert parsed.birth_date == birth_date
        assert parsed.sex == sex


def test_an_id_number_already_in_the_registry_is_not_generated_again(demo_programme):
    """A person of 康保 registered elsewhere keeps a number the demo would otherwise draw."""
    _build(demo_programme)
    demo_member = Member.objects.select_related("household").order_by("id").first()
    number = demo_member.id_number
    household_no = demo_member.household.household_no
    demo_member.delete()
    outside = Household.objects.create(
        household_no="130724100201X1", village_id="130724100201", county_id="130724",
        householder_name="外县户主", householder_id_number=number, size=1,
        attribute="一般贫困户", standard="国家标准", main_cause="因病", identified_year=2015,
        status="未脱贫",
    )  # fmt: skip
    Member.objects.create(
        household=outside, name="外县户主", id_number=number, sex=demo_member.sex,
        birth_date=demo_member.birth_date, relation="本人", health="健康",
        labour_skill="普通劳动力",
    )  # fmt: skip
    _build(demo_programme)  # same seed: the same number comes up again and must move
    assert Member.objects.filter(id_number=number).get().household_id == outside.pk
    replacement = Member.objects.get(
        household__household_no=household_no,
        name=demo_member.name,
        birth_date=demo_member.birth_date,
    )
    assert replacement.id_number != number
    parsed = parse_id(replacement.id_number)
    assert parsed.birth_date == demo_member.birth_date
    assert parsed.sex == demo_member.sex


def test_household_size_is_its_member_count_and_the_householder_comes_first(demo_programme):
    _build(demo_programme)
    counts = dict(Household.objects.annotate(n=Count("members")).values_list("id", "n"))
    sizes = dict(Household.objects.values_list("id", "size"))
    assert counts == sizes
    assert set(sizes.values()) <= set(range(1, 8))
    first = {}
    for household_id, relation, name, number in Member.objects.order_by("id").values_list(
        "household_id", "relation", "name", "id_number"
    ):
        first.setdefault(household_id, (relation, name, number))
    for household_id, name, number in Household.objects.values_list(
        "id", "householder_name", "householder_id_number"
    ):
        assert first[household_id] == ("本人", name, number)


def test_relations_are_consistent_with_the_householder(demo_programme):
    _build(demo_programme)
    by_household = defaultdict(list)
    for row in Member.objects.order_by("id").values_list(
        "household_id", "relation", "sex", "birth_date"
    ):
        by_household[row[0]].append(row[1:])
    for members in by_household.values():
        relations = Counter(relation for relation, *_ in members)
        head_sex, head_birth = members[0][1], members[0][2]
        assert relations["本人"] == 1
        assert relations["配偶"] <= 1
        assert relations["之父"] <= 1
        assert relations["之母"] <= 1
        for relation, sex, birth in members[1:]:
            assert relation in codelists.labels("relation")
            if relation == "配偶":
                assert sex != head_sex
            if relation in {"之子", "之女", "之孙子", "之孙女", "之外孙子", "之外孙女"}:
                assert birth > head_birth
                assert sex == ("男" if relation in {"之子", "之孙子", "之外孙子"} else "女")
            if relation in {"之父", "之母"}:
                assert birth < head_birth


def test_every_coded_field_holds_a_label_of_its_code_list(demo_programme):
    _build(demo_programme)
    household_lists = {
        "attribute": "household_attribute",
        "standard": "identification_standard",
        "main_cause": "poverty_cause",
        "status": "household_status",
        "dangerous_house": "dangerous_house",
    }
    for field, listname in household_lists.items():
        found = set(Household.objects.filter(registered=True).values_list(field, flat=True))
        assert found <= set(codelists.labels(listname)), field
    for text in Household.objects.exclude(other_causes="").values_list("other_causes", flat=True):
        assert set(text.split("、")) <= set(codelists.labels("poverty_cause"))
    member_lists = {
        "sex": "sex",
        "relation": "relation",
        "ethnicity": "ethnicity",
        "education": "education",
        "schooling": "schooling",
        "health": "health",
        "labour_skill": "labour_skill",
    }
    for field, listname in member_lists.items():
        found = set(Member.objects.values_list(field, flat=True))
        assert found <= set(codelists.labels(listname)), field
    locations = set(
        Member.objects.exclude(work_location="").values_list("work_location", flat=True)
    )
    assert locations <= set(codelists.labels("work_location"))


def test_distributions_are_plausible(demo_programme):
    summary = _build(demo_programme, scale=0.01)
    assert 2.7 <= summary.people / summary.households <= 3.3
    causes = Counter(Household.objects.values_list("main_cause", flat=True))
    assert causes.most_common(1)[0][0] == "因病"
    schooling = Household.objects.filter(other_causes__contains="因学") | Household.objects.filter(
        main_cause="因学"
    )
    assert schooling.exists()
    assert not schooling.filter(size__lt=3).exists()
    manchu = Counter(
        Member.objects.filter(household__county_id="130826").values_list("ethnicity", flat=True)
    )
    han = Counter(
        Member.objects.filter(household__county_id="130723").values_list("ethnicity", flat=True)
    )
    assert manchu["满族"] / manchu.total() > 0.3
    assert han["满族"] / han.total() < 0.05
    # Causes show in health: a household poor through illness has a sick member.
    for household in Household.objects.filter(main_cause="因病").prefetch_related("members")[:200]:
        assert {"长期慢性病", "患有大病"} & {m.health for m in household.members.all()}
    for household in Household.objects.filter(main_cause="因残").prefetch_related("members")[:200]:
        assert "残疾" in {m.health for m in household.members.all()}
    children = Member.objects.filter(birth_date__year__gte=2015)
    assert set(children.values_list("labour_skill", flat=True)) == {"无劳动力"}
    assert not children.exclude(work_location="").exists()
    workers = Member.objects.exclude(work_location="")
    assert workers.exists()
    assert not workers.filter(months_worked=0).exists()
    assert Member.objects.filter(work_location="").exclude(months_worked=0).count() == 0
    dibao = Household.objects.filter(attribute__startswith="低保")
    assert dibao.exists()
    assert Member.objects.filter(household__in=dibao, dibao=True).count() > 0
    assert not Member.objects.filter(dibao=True).exclude(household__in=dibao).exists()


def test_history_agrees_with_the_household_fields(demo_programme):
    _build(demo_programme)
    history = defaultdict(list)
    for household_id, year, kind in StatusChange.objects.order_by("id").values_list(
        "household_id", "year", "kind"
    ):
        history[household_id].append((kind, year))
    for household in Household.objects.filter(registered=True):
        expected = [("identified", household.identified_year)]
        if household.exit_year:
            expected.append(("exited", household.exit_year))
        if household.fallback_year:
            expected.append(("fell_back", household.fallback_year))
        assert history[household.pk] == expected
        if household.fallback_year:
            assert household.status == "返贫"
            assert household.attribute.endswith("贫困户")
        elif household.exit_year:
            assert household.status.startswith("已脱贫")
            assert household.attribute.endswith("脱贫户")
            assert 2017 <= household.exit_year <= 2020
            assert household.exit_year > household.identified_year
        else:
            assert household.status == "未脱贫"
            assert household.attribute.endswith("贫困户")


def test_fall_backs_exist_and_come_after_the_exit(demo_programme):
    _build(demo_programme)
    fallen = Household.objects.filter(fallback_year__isnull=False)
    assert fallen.exists()
    for household in fallen:
        assert household.exit_year is not None
        assert household.exit_year < household.fallback_year <= 2020
        assert household.is_poor_at_end_of(2020)


def test_people_lifted_and_incidence_match_the_reported_outcome(demo_programme):
    """About 450,000 × scale people lifted; incidence about 0.3 % at the end of 2020."""
    scale = 0.01
    summary = _build(demo_programme, scale=scale)
    exited_people = Member.objects.filter(household__exit_year__isnull=False).count()
    assert exited_people == summary.people_lifted
    assert abs(exited_people - 450_000 * scale) < 0.05 * 450_000 * scale
    poor_people = sum(
        household.size
        for household in Household.objects.all()
        if is_poor_at_end_of(
            2020,
            identified_year=household.identified_year,
            exit_year=household.exit_year,
            fallback_year=household.fallback_year,
        )
    )
    population = sum(
        RuralPopulation.objects.filter(year=2020, region_id__in=RECIPIENTS).values_list(
            "population", flat=True
        )
    )
    assert poor_people == summary.poor_people
    assert 0.15 < poor_people / population * 100 < 0.5
    assert summary.incidence == pytest.approx(poor_people / population * 100)


def test_rural_population_is_given_per_county_and_year_and_exceeds_the_registered(
    demo_programme,
):
    summary = _build(demo_programme, scale=0.01)
    rows = RuralPopulation.objects.filter(region_id__in=RECIPIENTS)
    assert {(r.region_id, r.year) for r in rows} == {
        (c, y) for c in RECIPIENTS for y in range(2016, 2021)
    }
    registered = dict(
        Household.objects.filter(registered=True)
        .values("county_id")
        .annotate(n=Count("members"))
        .values_list("county_id", "n")
    )
    for row in rows:
        assert 5 * registered[row.region_id] < row.population < 20 * registered[row.region_id]
    assert summary.rural_population == sum(r.population for r in rows if r.year == 2020)


def test_incomes_follow_the_history_and_the_poverty_line(demo_programme):
    _build(demo_programme)
    lines = {int(year): yuan for year, yuan in load_profile()["poverty_lines"].items()}
    lines |= {
        line.year: float(line.yuan_per_person)
        for line in PovertyLine.objects.filter(programme=demo_programme)
    }
    incomes = defaultdict(dict)
    for income in Income.objects.all():
        incomes[income.household_id][income.year] = income
        assert min(income.wages, income.business, income.costs, income.transfers) >= 0
        assert income.wages == income.wages.quantize(Decimal("0.01"))
    rising = 0
    ready = []  # (household, year): poor at the end of the year, above its line already
    households = list(Household.objects.filter(registered=True))
    for household in households:
        years = incomes[household.pk]
        assert sorted(years) == list(range(max(2016, household.identified_year), 2021))
        per_capita = {y: float(i.net) / household.size for y, i in years.items()}
        if household.exit_year and not household.fallback_year:
            assert per_capita[household.exit_year] >= lines[household.exit_year]
            assert per_capita[2020] >= lines[2020]
            for year in range(min(years), household.exit_year):
                if per_capita[year] >= lines[year]:
                    ready.append((household.pk, year))
                    assert year == household.exit_year - 1 >= 2018
        if household.fallback_year:
            assert per_capita[2020] < lines[2020]
        if household.exit_year is None and per_capita[2020] >= lines[2020]:
            ready.append((household.pk, 2020))
        rising += per_capita[2020] > per_capita[min(years)]
    assert rising > 0.8 * len(households)
    # A few cross the line a year before their exit (or, never exited, in 2020).
    assert 0 < len(ready) < 0.03 * len(households)


def test_every_village_lies_in_its_county_and_counties_are_the_recipients(demo_programme):
    _build(demo_programme)
    villages = set(Region.objects.filter(level=codes.Level.VILLAGE).values_list("code", flat=True))
    pairs = set(Household.objects.values_list("village_id", "county_id"))
    assert {county for _, county in pairs} == RECIPIENTS
    for village, county in pairs:
        assert village in villages
        assert codes.contains(county, village)


def test_demo_accounts_are_idempotent_and_hold_their_grants(demo_programme):
    _build(demo_programme)
    demo_accounts()
    accounts = demo_accounts()
    user_model = get_user_model()
    assert user_model.objects.count() == 5
    assert Grant.objects.count() == 5
    roles = {account.role: account for account in accounts}
    assert set(roles) == {"programme_office", "helper_office", "county_office", "cadre", "assessor"}
    assert roles["programme_office"].region == "110000"
    assert roles["helper_office"].region == "110105"
    assert roles["county_office"].region == "130723"
    assert roles["assessor"].region == "110000"
    village = roles["cadre"].region
    assert codes.level_of(village) == codes.Level.VILLAGE
    assert codes.contains("130723", village)
    for account in accounts:
        user = user_model.objects.get(username=account.username)
        assert user.check_password(account.password)
        assert list(Grant.objects.filter(user=user).values_list("role", "region_code")) == [
            (account.role, account.region)
        ]
    cadre = user_model.objects.get(username=roles["cadre"].username)
    households = Household.objects.filter(village_id=village)
    assert households.exists()
    assert set(households.values_list("responsible_name", flat=True)) == {cadre.first_name}


def test_rebuild_wipes_the_programmes_ledgers_but_refuses_while_another_programme_refers(
    demo_programme,
):
    """The programme's own ledger rows go with its registry; another programme's ledger rows
    PROTECT the households they name: the rebuild names the table and changes nothing."""
    _build(demo_programme)
    household = Household.objects.order_by("id").first()
    LabourTransfer.objects.create(
        pairing=demo_programme.pairings.get(recipient_id=household.county_id),
        id_number=household.householder_id_number,
        household=household,
        workplace_code="110105",
        employer="北京某公司",
        start_date=dt.date(2017, 3, 1),
        organisation="有组织",
    )
    _build(demo_programme)
    assert not LabourTransfer.objects.filter(start_date=dt.date(2017, 3, 1)).exists()

    before = _digest()
    household = Household.objects.order_by("id").first()
    other = Programme.objects.create(
        key="other", name="另一个项目", start_year=2018, end_year=2020,
        helper_province_id="110000", recipient_province_id="130000", fund_envelope=0,
    )  # fmt: skip
    LabourTransfer.objects.create(
        pairing=Pairing.objects.create(
            programme=other,
            helper_id="110105",
            recipient_id=household.county_id,
            start_date=dt.date(2018, 1, 1),
            provenance="illustrative",
        ),
        id_number=household.householder_id_number,
        household=household,
        workplace_code="110105",
        employer="北京某公司",
        start_date=dt.date(2019, 3, 1),
        organisation="有组织",
    )
    with pytest.raises(XiezuoError, match="引用了演示的贫困户"):
        _build(demo_programme, seed=99)
    assert _digest() == before
    assert LabourTransfer.objects.filter(pairing__programme=demo_programme).exists()
