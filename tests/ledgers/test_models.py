"""The ledger tables keep their natural keys, date order and money sign."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from xiezuo.ledgers.models import Agreement, Fund, Project, ProjectBeneficiary, Training

pytestmark = pytest.mark.django_db


def test_a_second_fund_with_the_same_natural_key_is_refused(pairings, make_fund):
    kangbao = pairings["110105→130723"]
    make_fund(kangbao, amount="100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_fund(kangbao, amount="200.00")


def test_negative_money_is_refused(pairings, make_fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_fund(pairings["110105→130723"], amount="-1.00")


def test_a_spell_cannot_end_before_it_starts(pairings, make_secondment):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_secondment(pairings["110105→130723"], dt.date(2019, 5, 1), dt.date(2019, 4, 30))


def test_training_counts_in_the_year_it_ends(pairings):
    training = Training.objects.create(
        pairing=pairings["110105→130723"],
        name="冬训班",
        host_id="110105",
        recipient_id="130723",
        audience="贫困劳动力",
        start_date=dt.date(2018, 12, 28),
        end_date=dt.date(2019, 1, 5),
        person_times=40,
    )
    assert not Training.objects.filter(Training.in_year(2018)).exists()
    assert list(Training.objects.filter(Training.in_year(2019))) == [training]


def test_agreement_counts_in_every_year_it_is_in_force(pairings):
    agreement = Agreement.objects.create(
        pairing=pairings["110105→130723"],
        name="三年协议",
        helper_id="110105",
        recipient_id="130723",
        signed_date=dt.date(2018, 5, 10),
        effective_date=dt.date(2018, 5, 10),
        end_date=dt.date(2020, 12, 31),
    )
    in_force = [y for y in range(2017, 2022) if Agreement.objects.filter(Agreement.in_year(y))]
    assert in_force == [2018, 2019, 2020]
    assert str(agreement) == "三年协议"


def test_project_beneficiaries_are_households(pairings, make_household):
    households = [make_household("130723100201"), make_household("130723100202")]
    project = Project.objects.create(
        pairing=pairings["110105→130723"],
        project_no="KB2019-001",
        name="光伏电站",
        helper_id="110105",
        recipient_id="130723",
        site_id="130723100201",
        year=2019,
        category="产业",
        fiscal_aid="500.00",
        disbursed="350.00",
        status="在建",
        closely_linked=True,
    )
    ProjectBeneficiary.objects.bulk_create(
        ProjectBeneficiary(project=project, household=h) for h in households
    )
    assert set(project.beneficiaries.all()) == set(households)
    assert list(households[0].projects.all()) == [project]


def test_fund_in_year_uses_its_year_field(pairings, make_fund):
    fund = make_fund(pairings["110105→130723"], year=2019, paid_date=dt.date(2020, 1, 10))
    assert list(Fund.objects.filter(Fund.in_year(2019))) == [fund]
