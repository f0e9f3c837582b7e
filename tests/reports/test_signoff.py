"""Sign-off: a signed report is frozen (figures and hash) whatever later runs say; new
versions supersede old ones; who may edit, sign and read."""

import pytest

from tests.reports.signoff_site import (
    YEAR,
    access_of,
    assessment_data,  # noqa: F401  (a fixture)
    change_ledger_and_rerun,
    indicator,
    signoff_site,  # noqa: F401  (a fixture)
)
from xiezuo.access.models import AuditEvent
from xiezuo.assessment.models import IndicatorResult
from xiezuo.core.errors import ScopeError
from xiezuo.reports import selectors, services
from xiezuo.reports.models import SignedReport

COUNTY = ("recipient", "130723")


def _where(unit_type: str, unit: str) -> dict:
    return {"year": YEAR, "unit_type": unit_type, "unit": unit}


def test_a_signed_report_keeps_its_figures_and_hash_after_a_new_run(signoff_site):  # noqa: F811
    kangbao = access_of(signoff_site, "kangbao")
    signed = services.report_sign_off(access=kangbao, **_where(*COUNTY))
    before = services.report_for(access=kangbao, **_where(*COUNTY))
    assert before["signoff"]["sha256"] == signed.sha256 == selectors.digest(signed.content)
    stored_value = IndicatorResult.objects.get(
        run=signoff_site["run"], indicator="I08", unit_type="recipient", unit="130723"
    ).value
    assert indicator(before, "I08")["value"] == float(stored_value)

    new_run = change_ledger_and_rerun(signoff_site)

    rerun_value = IndicatorResult.objects.get(
        run=new_run, indicator="I08", unit_type="recipient", unit="130723"
    ).value
    assert rerun_value != stored_value  # the ledger change did move the figure
    after = services.report_for(access=kangbao, **_where(*COUNTY))
    assert indicator(after, "I08")["value"] == indicator(before, "I08")["value"]
    assert after["run"]["id"] == signoff_site["run"].pk
    assert after["signoff"]["sha256"] == signed.sha256
    assert after["signoff"]["verified"] is True
    signed.refresh_from_db()
    assert selectors.digest(signed.content) == signed.sha256
    live = services.live_content(access=kangbao, paragraphs=[], **_where(*COUNTY))
    assert indicator(live, "I08")["value"] == float(rerun_value)


def test_a_new_version_comes_from_the_latest_run_and_the_old_stays_readable(signoff_site):  # noqa: F811
    office = access_of(signoff_site, "office")
    first = services.report_sign_off(access=office, **_where(*COUNTY))
    new_run = change_ledger_and_rerun(signoff_site)
    second = services.report_new_version(access=office, **_where(*COUNTY))
    first.refresh_from_db()
    assert (first.version, first.is_current, second.version, second.is_current) == (
        1,
        False,
        2,
        True,
    )
    assert second.run_number == new_run.pk
    assert second.sha256 != first.sha256
    current = services.report_for(access=office, **_where(*COUNTY))
    assert current["signoff"]["version"] == 2
    old = services.report_version_content(access=office, version=1, **_where(*COUNTY))
    assert old["signoff"]["verified"]
    assert not old["signoff"]["current"]
    assert old["run"]["id"] == signoff_site["run"].pk


def test_a_signed_report_is_not_signed_again(signoff_site):  # noqa: F811
    kangbao = access_of(signoff_site, "kangbao")
    services.report_sign_off(access=kangbao, **_where(*COUNTY))
    with pytest.raises(services.ReportError, match="已签发"):
        services.report_sign_off(access=kangbao, **_where(*COUNTY))
    with pytest.raises(services.ReportError, match="尚未签发"):
        services.report_new_version(
            access=access_of(signoff_site, "huaian"), **_where("recipient", "130728")
        )
    assert SignedReport.objects.count() == 1


def test_every_sign_off_is_audited(signoff_site):  # noqa: F811
    kangbao = access_of(signoff_site, "kangbao")
    report = services.report_sign_off(access=kangbao, **_where(*COUNTY))
    event = AuditEvent.objects.get(action=services.SIGN_ACTION)
    assert (event.username, event.region, event.detail["sha256"]) == (
        "kangbao",
        "130723",
        report.sha256,
    )
    assert report.signed_by_name == "kangbao"


@pytest.mark.parametrize(
    ("who", "unit_type", "unit"),
    [
        ("kangbao", "helper", "110105"),  # a county office signs no district's report
        ("kangbao", "recipient", "130728"),  # nor another county's
        ("assessor", "recipient", "130723"),  # an assessor reads but signs nothing
        ("huairou", "recipient", "130728"),  # a helper office reads its counties, signs its own
        ("chaoyang", "programme", "small"),
    ],
)
def test_who_may_not_sign(signoff_site, who, unit_type, unit):  # noqa: F811
    access = access_of(signoff_site, who)
    with pytest.raises(ScopeError):
        services.report_sign_off(access=access, **_where(unit_type, unit))
    with pytest.raises(ScopeError):
        services.paragraphs_save(
            access=access, paragraphs=[{"after": "summary", "text": "x"}], **_where(unit_type, unit)
        )
    assert not SignedReport.objects.exists()


@pytest.mark.parametrize(
    ("who", "unit_type", "unit"),
    [
        ("kangbao", "recipient", "130723"),
        ("chaoyang", "helper", "110105"),
        ("office", "recipient", "130826"),
        ("office", "programme", "small"),
    ],
)
def test_who_may_sign(signoff_site, who, unit_type, unit):  # noqa: F811
    report = services.report_sign_off(
        access=access_of(signoff_site, who), **_where(unit_type, unit)
    )
    assert report.version == 1
    assert selectors.verified(report)


def test_who_reads_which_reports(signoff_site):  # noqa: F811
    def units(who: str) -> set[tuple[str, str]]:
        found = selectors.report_units(access=access_of(signoff_site, who), year=YEAR)
        return {(row.unit_type, row.unit) for row in found}

    assert units("kangbao") == {("recipient", "130723")}
    assert units("huairou") == {
        ("helper", "110116"),
        ("recipient", "130728"),
        ("recipient", "130826"),
    }
    assert len(units("assessor")) == len(units("office")) == 6
    huairou = access_of(signoff_site, "huairou")
    content = services.report_for(access=huairou, **_where("recipient", "130826"))
    assert content["unit"]["code"] == "130826"
    assessor = access_of(signoff_site, "assessor")
    assert services.report_for(access=assessor, **_where(*COUNTY))["signoff"] is None
    with pytest.raises(ScopeError):
        services.report_for(access=access_of(signoff_site, "kangbao"), **_where("helper", "110105"))


def test_paragraphs_go_into_the_signed_content(signoff_site):  # noqa: F811
    kangbao = access_of(signoff_site, "kangbao")
    services.paragraphs_save(
        access=kangbao,
        paragraphs=[
            {"after": "summary", "text": "  本县全年落实帮扶资金。\r\n另起一行。 "},
            {"after": "组织领导", "text": ""},  # blank: dropped
        ],
        **_where(*COUNTY),
    )
    signed = services.report_sign_off(access=kangbao, **_where(*COUNTY))
    assert signed.content["paragraphs"] == [
        {"after": "summary", "text": "本县全年落实帮扶资金。\n另起一行。"}
    ]


@pytest.mark.parametrize(
    ("paragraphs", "message"),
    [
        ([{"after": "nowhere", "text": "x"}], "第 1 段的位置“nowhere”不存在"),
        ([{"after": "summary", "text": "x" * 4001}], "第 1 段过长"),
        (
            [{"after": "summary", "text": "ok"}, {"after": "summary", "text": "a\x00b"}],
            "第 2 段含有控制字符",
        ),
        ("not a list", "段落须为列表"),
    ],
)
def test_bad_paragraphs_are_refused_by_number(signoff_site, paragraphs, message):  # noqa: F811
    with pytest.raises(services.ReportError, match=message):
        services.paragraphs_save(
            access=access_of(signoff_site, "kangbao"), paragraphs=paragraphs, **_where(*COUNTY)
        )


def test_a_signed_report_masks_personal_data_for_every_reader(signoff_site):  # noqa: F811
    """Frozen content is built as the assessment group reads it, whoever signs."""
    kangbao = access_of(signoff_site, "kangbao")
    signed = services.report_sign_off(access=kangbao, **_where(*COUNTY))
    text = selectors.canonical(signed.content).decode()
    from xiezuo.registry.models import Member

    numbers = list(
        Member.objects.filter(household__county_id="130723").values_list("id_number", flat=True)
    )
    assert numbers
    assert not any(number in text for number in numbers)
