"""The cross-check pages over HTTP: the counties' counts, a county's queue with its filters,
a flag's evidence side by side, confirm and dismiss, who reaches what and what is masked."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from xiezuo.access import Role
from xiezuo.access.models import AuditEvent
from xiezuo.core.ids import mask_id
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.crosscheck.services import AUDIT_ACTION
from xiezuo.registry.models import Household, Member

KANGBAO, HUAIAN = "130723", "130728"
ONE, TWO = "130723100201", "130723100202"
YEAR = 2020
Status = CrossCheckFlag.Status


@pytest.fixture
def users(small_programme, settings):
    from django.contrib.auth.models import User

    from xiezuo.access.services import grant_give

    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    made = {}
    for name, role, region in [
        ("programme", Role.PROGRAMME_OFFICE, "110000"),
        ("kangbao", Role.COUNTY_OFFICE, KANGBAO),
        ("huaian", Role.COUNTY_OFFICE, HUAIAN),
        ("assessor", Role.ASSESSOR, "130000"),
        ("chaoyang", Role.HELPER_OFFICE, "110105"),  # paired with 康保
    ]:
        user = User.objects.create_user(name)
        grant_give(user=user, role=role, region_code=region)
        made[name] = user
    return made


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def county_url(county=KANGBAO, **query):
    query = {"year": YEAR, **query}
    return f"{reverse('web:crosscheck-county', args=[county])}?" + "&".join(
        f"{k}={v}" for k, v in query.items()
    )


def flag_url(flag):
    return reverse("web:crosscheck-flag", args=[flag.pk])


def decide_url(flag, decision):
    return reverse("web:crosscheck-decide", args=[flag.pk, decision])


def queue(html: str) -> dict[str, str]:
    """Return the queue's rows as {flag pk: the row's text}."""
    body = re.search(r'<table[^>]*id="flag-table".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, "flag table not found"
    found = re.findall(r'<tr data-flag="(\d+)"[^>]*>(.*?)</tr>', body.group(1), re.S)
    return {pk: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for pk, text in found}


def register_state():
    return (
        list(Household.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
    )


# --- who reaches what --------------------------------------------------------------------------


def test_the_index_lists_the_counties_read_with_counts(stored, users, as_user):
    html = as_user(users["programme"]).get(reverse("web:crosscheck")).content.decode()
    assert 'data-county="130723"' in html
    assert 'data-county="130728"' in html
    total = re.search(r'data-county="130723".*?data-total="(\d+)"', html, re.S)
    assert total is not None
    assert int(total.group(1)) == 3
    assert 'id="crosscheck-run"' in html  # the programme office may run
    own = as_user(users["kangbao"]).get(reverse("web:crosscheck")).content.decode()
    assert 'data-county="130723"' in own
    assert 'data-county="130728"' not in own
    seen = as_user(users["assessor"]).get(reverse("web:crosscheck")).content.decode()
    assert 'data-county="130728"' in seen
    assert 'id="crosscheck-run"' not in seen  # an assessor reads only


def test_a_helper_office_and_an_anonymous_caller_are_kept_out(stored, users, as_user, client):
    response = client.get(county_url())
    assert response.status_code == 302  # to the sign-in page
    helper = as_user(users["chaoyang"])
    for url in (reverse("web:crosscheck"), county_url(), flag_url(stored["k1"])):
        assert helper.get(url).status_code == 403
    home = helper.get(reverse("web:overview")).content.decode()
    assert reverse("web:crosscheck") not in home  # no nav link either


def test_a_county_office_cannot_read_or_decide_another_county(stored, users, as_user):
    client = as_user(users["huaian"])
    assert client.get(county_url(KANGBAO)).status_code == 404
    assert client.get(flag_url(stored["k1"])).status_code == 404
    response = client.post(decide_url(stored["k1"], "dismiss"), {"dismiss-reason": "非本人"})
    assert response.status_code == 404
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING


def test_an_assessor_reads_but_cannot_decide(stored, users, as_user):
    client = as_user(users["assessor"])
    page = client.get(flag_url(stored["k1"]))
    assert page.status_code == 200
    assert 'id="form-confirm"' not in page.content.decode()
    response = client.post(decide_url(stored["k1"], "dismiss"), {"dismiss-reason": "非本人"})
    assert response.status_code == 403
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING
    run = client.post(reverse("web:crosscheck-run"), {"county": KANGBAO, "year": YEAR})
    assert run.status_code == 403


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_filters_by_rule_village_and_status(stored, users, as_user):
    client = as_user(users["kangbao"])
    assert set(queue(client.get(county_url()).content.decode())) == {
        str(stored[k].pk) for k in ("k1", "k2", "k1_payroll")
    }
    by_rule = queue(client.get(county_url(rule="payroll")).content.decode())
    assert set(by_rule) == {str(stored["k1_payroll"].pk)}
    by_village = queue(client.get(county_url(village=TWO)).content.decode())
    assert set(by_village) == {str(stored["k2"].pk)}
    client.post(decide_url(stored["k2"], "dismiss"), {"dismiss-reason": "非本人"})
    dismissed = queue(client.get(county_url(status="dismissed")).content.decode())
    assert set(dismissed) == {str(stored["k2"].pk)}
    assert "已排除" in dismissed[str(stored["k2"].pk)]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"rule": "nonsense"}, 400),
        ({"status": "done"}, 400),
        ({"village": "12ab"}, 400),
        ({"village": "130728100201"}, 404),  # another county's village
        ({"year": "20x0"}, 400),
        ({"year": "1999"}, 404),
        ({"page": "x"}, 400),
        ({"page": "99"}, 404),
    ],
)
def test_junk_parameters_answer_400_or_404(stored, users, as_user, query, status):
    assert as_user(users["kangbao"]).get(county_url(**query)).status_code == status


@pytest.mark.parametrize(
    "url",
    ["/crosscheck/999999/", "/crosscheck/abc/", "/crosscheck/flag/999999/", "/crosscheck/flag/x/"],
)
def test_unknown_counties_and_flags_answer_404(stored, users, as_user, url):
    assert as_user(users["programme"]).get(url).status_code == 404


def test_the_queue_masks_id_numbers_for_callers_without_the_right(stored, users, as_user):
    number = stored["k1"].member.id_number
    own = as_user(users["kangbao"]).get(county_url()).content.decode()
    assert number in own
    for name in ("programme", "assessor"):
        html = as_user(users[name]).get(county_url()).content.decode()
        assert number not in html
        assert mask_id(number) in html


def test_the_queue_pages(review_world, users, as_user, make_flag, settings):
    from xiezuo.access import Access
    from xiezuo.crosscheck.services import flags_store
    from xiezuo.web.crosscheck import views

    household = review_world["k1"]
    flags = [make_flag(household, evidence={"号牌号码": f"冀G{i:05d}"}) for i in range(7)]
    flags_store(
        access=Access.operator(review_world["programme"]), year=YEAR, region=KANGBAO, flags=flags
    )
    size = 3
    views.FLAGS_PER_PAGE, before = size, views.FLAGS_PER_PAGE
    try:
        client = as_user(users["kangbao"])
        pages = [queue(client.get(county_url(page=n)).content.decode()) for n in (1, 2, 3)]
    finally:
        views.FLAGS_PER_PAGE = before
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len(set().union(*pages)) == 7


# --- one flag ----------------------------------------------------------------------------------


def test_the_flag_page_shows_the_differences_side_by_side(review_world, users, as_user, make_flag):
    from xiezuo.access import Access
    from xiezuo.crosscheck.services import flags_store

    k1 = review_world["k1"]
    member = k1.members.order_by("id").first()
    other_day = member.birth_date + dt.timedelta(days=3)
    flags_store(
        access=Access.operator(review_world["programme"]),
        year=YEAR,
        region=KANGBAO,
        flags=[make_flag(k1, match="fuzzy", score=0.88, evidence={"出生日期": str(other_day)})],
    )
    flag = CrossCheckFlag.objects.get()
    html = as_user(users["kangbao"]).get(flag_url(flag)).content.decode()
    rows = dict(re.findall(r'<tr data-field="([^"]+)" data-differs="(true|false)"', html))
    assert rows == {"姓名": "false", "证件号码": "false", "出生日期": "true", "区划代码": "false"}
    differing = re.search(r'data-field="出生日期".*?</tr>', html, re.S)
    assert differing is not None
    assert differing.group(0).count('class="mono differs"') == 2
    assert str(other_day) in differing.group(0)
    assert "冀G" in html  # the list row's other fields


def test_the_flag_page_masks_for_the_programme_office(stored, users, as_user):
    member = stored["k1"].member
    html = as_user(users["programme"]).get(flag_url(stored["k1"])).content.decode()
    assert member.id_number not in html
    assert member.birth_date.isoformat() not in html
    assert mask_id(member.id_number) in html


# --- deciding ----------------------------------------------------------------------------------


def test_confirm_over_http(stored, users, as_user):
    before = register_state()
    client = as_user(users["kangbao"])
    deadline = dt.date(2099, 3, 31)
    response = client.post(
        decide_url(stored["k1"], "confirm"),
        {"confirm-reason": "该成员名下车辆购置价 85,000 元，属实", "confirm-deadline": deadline},
    )
    assert response.status_code == 302
    flag = CrossCheckFlag.objects.get(pk=stored["k1"].pk)
    assert (flag.status, flag.deadline) == (Status.CONFIRMED, deadline)
    assert AuditEvent.objects.filter(action=AUDIT_ACTION, user=users["kangbao"]).count() == 1
    assert register_state() == before
    page = client.get(flag_url(flag)).content.decode()
    assert 'data-status="confirmed"' in page
    assert 'id="form-confirm"' not in page
    rectification = client.get(reverse("web:rectification")).content.decode()
    assert 'id="crosscheck-corrections"' in rectification
    assert f'data-flag="{flag.pk}"' in rectification


@pytest.mark.parametrize(
    ("decision", "data", "message"),
    [
        ("confirm", {"confirm-reason": "属实"}, "请填写整改期限"),
        ("confirm", {"confirm-deadline": "2099-01-01"}, "请填写理由"),
        ("confirm", {"confirm-reason": "属实", "confirm-deadline": "2001-01-01"}, "早于今天"),
        ("confirm", {"confirm-reason": "属实", "confirm-deadline": "31/12/2099"}, "日期"),
        ("dismiss", {"dismiss-reason": "   "}, "请填写理由"),
    ],
)
def test_a_decision_without_its_reason_or_deadline_is_refused(
    stored, users, as_user, decision, data, message
):
    response = as_user(users["kangbao"]).post(decide_url(stored["k1"], decision), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING
    assert not AuditEvent.objects.filter(action=AUDIT_ACTION).exists()


def test_dismiss_over_http_and_no_second_decision(stored, users, as_user):
    client = as_user(users["kangbao"])
    response = client.post(decide_url(stored["k2"], "dismiss"), {"dismiss-reason": "同名不同人"})
    assert response.status_code == 302
    assert CrossCheckFlag.objects.get(pk=stored["k2"].pk).status == Status.DISMISSED
    again = client.post(
        decide_url(stored["k2"], "confirm"),
        {"confirm-reason": "属实", "confirm-deadline": "2099-01-01"},
    )
    assert again.status_code == 422
    assert "不能重复处理" in again.content.decode()
    assert CrossCheckFlag.objects.get(pk=stored["k2"].pk).status == Status.DISMISSED
    assert client.post(decide_url(stored["k2"], "undo"), {}).status_code == 404


# --- the county's profile ----------------------------------------------------------------------


def test_counts_per_rule_on_the_county_profile(stored, users, as_user):
    url = f"{reverse('web:precision-county', args=[KANGBAO])}?year={YEAR}"
    html = as_user(users["kangbao"]).get(url).content.decode()
    block = re.search(r'<section class="card" id="crosscheck-counts">(.*?)</section>', html, re.S)
    assert block is not None
    totals = dict(re.findall(r'<tr data-rule="([a-z_]+)" data-total="(\d+)"', block.group(1)))
    assert totals["vehicle"] == "2"
    assert totals["payroll"] == "1"
    assert totals["deceased"] == "0"
    assert 'id="crosscheck-counts"' not in (
        as_user(users["chaoyang"]).get(url).content.decode()
    )  # a helper office reads the precision page but not the cross-checks


# --- a run of the checks -----------------------------------------------------------------------


def test_a_run_from_the_page_stores_whole_evidence_and_keeps_decisions(
    register, listed, users, as_user
):
    """The programme office (who sees personal data masked) runs 康保's checks: the stored flag
    holds the registered ID number and the list row whole; the county office sees them, and
    a second run finds the same flag with its decision kept."""
    member = next(m for m in register.values() if m.household.county_id == KANGBAO)
    listed("vehicles", member)
    office = as_user(users["programme"])
    response = office.post(
        reverse("web:crosscheck-run"), {"county": KANGBAO, "year": YEAR, "fuzzy": "1"}
    )
    assert response.status_code == 302
    flag = CrossCheckFlag.objects.get(member=member, rule="vehicle")
    assert flag.person == member.id_number
    assert flag.evidence["record"]["证件号码"] == member.id_number
    client = as_user(users["kangbao"])
    page = client.get(flag_url(flag)).content.decode()
    assert "冀G12345" in page
    assert member.id_number in page
    client.post(decide_url(flag, "dismiss"), {"dismiss-reason": "车辆已转让"})
    count = CrossCheckFlag.objects.count()
    again = client.post(reverse("web:crosscheck-run"), {"county": KANGBAO, "year": YEAR})
    assert again.status_code == 302
    assert CrossCheckFlag.objects.count() == count
    kept = CrossCheckFlag.objects.get(pk=flag.pk)
    assert (kept.status, kept.current) == (Status.DISMISSED, True)
    other = as_user(users["huaian"]).post(
        reverse("web:crosscheck-run"), {"county": KANGBAO, "year": YEAR}
    )
    assert other.status_code == 403
