"""The cross-check flags through the API: the queue in the caller's reach, a flag's evidence,
confirm and dismiss by the offices that review the county, masking, and the answers a client
gets for what it may not do."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from xiezuo.access import Role
from xiezuo.access.models import AuditEvent
from xiezuo.access.services import grant_give
from xiezuo.api.tokens import token_create
from xiezuo.core.ids import mask_id
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.crosscheck.services import AUDIT_ACTION
from xiezuo.registry.models import Household, Member

KANGBAO, HUAIAN = "130723", "130728"
ONE = "130723100201"
YEAR = 2020
FUTURE = dt.date(2099, 6, 30)
Status = CrossCheckFlag.Status


@pytest.fixture
def api(review_world):
    """Return a function giving an API client holding the token of a user of `role` in
    `region` (made once per name)."""

    def client(name: str, role: Role, region: str) -> Client:
        if not User.objects.filter(username=name).exists():
            grant_give(user=User.objects.create_user(name), role=role, region_code=region)
        secret = token_create(username=name).secret
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return client


@pytest.fixture
def kangbao(api):
    return api("kangbao", Role.COUNTY_OFFICE, KANGBAO)


@pytest.fixture
def programme_office(api):
    return api("programme", Role.PROGRAMME_OFFICE, "110000")


@pytest.fixture
def assessor(api):
    return api("assessor", Role.ASSESSOR, "130000")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content.decode()
    return {item["id"] for item in response.json()["items"]}


def test_the_queue_is_the_callers_reach(stored, kangbao, programme_office):
    everyone = {flag.pk for flag in stored.values()}
    kangbao_flags = everyone - {stored["h1"].pk}
    assert ids(programme_office.get(f"/api/crosscheck/{YEAR}/flags")) == everyone
    assert ids(kangbao.get(f"/api/crosscheck/{YEAR}/flags")) == kangbao_flags
    assert ids(kangbao.get(f"/api/crosscheck/{YEAR}/flags?county={KANGBAO}")) == kangbao_flags
    assert ids(programme_office.get(f"/api/crosscheck/{YEAR}/flags?county={HUAIAN}")) == {
        stored["h1"].pk
    }
    # Another county than one's own answers as if it had nothing: 404, never 403.
    refused = kangbao.get(f"/api/crosscheck/{YEAR}/flags?county={HUAIAN}")
    assert refused.status_code == 404
    assert refused.json()["code"] == "not_found"
    assert ids(kangbao.get(f"/api/crosscheck/{YEAR - 1}/flags")) == set()


def test_filters_by_rule_status_and_village(stored, programme_office):
    url = f"/api/crosscheck/{YEAR}/flags"
    assert ids(programme_office.get(f"{url}?rule=payroll")) == {stored["k1_payroll"].pk}
    assert ids(programme_office.get(f"{url}?village={ONE}")) == {
        stored["k1"].pk,
        stored["k1_payroll"].pk,
    }
    assert ids(programme_office.get(f"{url}?status=confirmed")) == set()
    assert programme_office.get(f"{url}?rule=nonsense").status_code == 400
    assert programme_office.get(f"{url}?county=13072").status_code == 400
    assert programme_office.get(f"{url}?village={KANGBAO}").status_code == 400  # not a village


def test_a_page_at_a_time_and_the_whole_queue_as_csv(stored, programme_office):
    url = f"/api/crosscheck/{YEAR}/flags"
    first = programme_office.get(f"{url}?limit=3").json()
    rest = programme_office.get(f"{url}?limit=3&cursor={first['next']}").json()
    seen = [item["id"] for item in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(flag.pk for flag in stored.values())
    assert rest["next"] is None
    csv = b"".join(programme_office.get(f"{url}?format=csv").streaming_content).decode()
    assert csv.splitlines()[0].lstrip("\ufeff").startswith("id,year,household,")
    assert len(csv.strip().splitlines()) == 1 + len(stored)


def test_id_numbers_are_masked_for_a_role_that_may_not_see_them(stored, kangbao, assessor):
    person = stored["k1"].person
    detail = kangbao.get(f"/api/crosscheck/flags/{stored['k1'].pk}").json()
    assert detail["person"] == person
    assert detail["masked"] is False
    masked = assessor.get(f"/api/crosscheck/flags/{stored['k1'].pk}")
    assert masked.status_code == 200
    body = masked.json()
    assert body["masked"] is True
    assert body["person"] == mask_id(person)
    assert person not in masked.content.decode()
    listed = assessor.get(f"/api/crosscheck/{YEAR}/flags").content.decode()
    assert person not in listed


def test_a_flag_shows_the_register_beside_the_list(stored, kangbao):
    detail = kangbao.get(f"/api/crosscheck/flags/{stored['k1'].pk}").json()
    assert detail["rule"] == "vehicle"
    assert detail["status"] == Status.PENDING
    compared = {c["label"]: c for c in detail["compared"]}
    assert compared["姓名"]["registry"] == compared["姓名"]["listed"]
    assert not any(c["differs"] for c in detail["compared"])
    assert dict(detail["other"])["号牌号码"].startswith("冀G")
    assert kangbao.get(f"/api/crosscheck/flags/{stored['h1'].pk}").status_code == 404


def test_confirm_and_dismiss_are_decisions_audited_and_the_register_unchanged(
    stored, kangbao, programme_office
):
    before = (list(Household.objects.values()), list(Member.objects.values()))
    confirmed = kangbao.post(
        f"/api/crosscheck/flags/{stored['k1'].pk}/confirm",
        {"reason": "车辆登记在户内成员名下", "deadline": FUTURE.isoformat()},
        content_type="application/json",
    )
    assert confirmed.status_code == 200, confirmed.content.decode()
    body = confirmed.json()
    assert body["status"] == Status.CONFIRMED
    assert body["deadline"] == FUTURE.isoformat()
    assert body["reason"] == "车辆登记在户内成员名下"
    assert body["decided_by"] == "kangbao"
    dismissed = programme_office.post(
        f"/api/crosscheck/flags/{stored['h1'].pk}/dismiss",
        {"reason": "同名同姓，非本人"},
        content_type="application/json",
    )
    assert dismissed.status_code == 200, dismissed.content.decode()
    assert dismissed.json()["status"] == Status.DISMISSED
    assert CrossCheckFlag.objects.get(pk=stored["h1"].pk).status == Status.DISMISSED
    assert AuditEvent.objects.filter(action=AUDIT_ACTION).count() == 2
    assert (list(Household.objects.values()), list(Member.objects.values())) == before


def test_a_decided_flag_answers_409_and_a_bad_decision_400(stored, kangbao):
    url = f"/api/crosscheck/flags/{stored['k2'].pk}"
    json = "application/json"
    no_reason = kangbao.post(f"{url}/dismiss", {"reason": "  "}, content_type=json)
    assert no_reason.status_code == 400
    assert no_reason.json()["message"] == "请填写理由"
    past = kangbao.post(
        f"{url}/confirm", {"reason": "核实", "deadline": "2000-01-01"}, content_type=json
    )
    assert past.status_code == 400
    assert "早于今天" in past.json()["message"]
    assert (
        kangbao.post(f"{url}/dismiss", {"reason": "已核实"}, content_type=json).status_code == 200
    )
    again = kangbao.post(f"{url}/dismiss", {"reason": "再次"}, content_type=json)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert CrossCheckFlag.objects.get(pk=stored["k2"].pk).reason == "已核实"


def test_who_may_not_decide(stored, kangbao, assessor, api):
    json = "application/json"
    reason = {"reason": "核实"}
    # Another county's flag, a reader without the verb, a read-only token: nothing changes.
    assert (
        kangbao.post(
            f"/api/crosscheck/flags/{stored['h1'].pk}/dismiss", reason, content_type=json
        ).status_code
        == 404
    )
    assert (
        assessor.post(
            f"/api/crosscheck/flags/{stored['k1'].pk}/dismiss", reason, content_type=json
        ).status_code
        == 404
    )
    secret = token_create(username="kangbao", read_only=True).secret
    read_only = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    refused = read_only.post(
        f"/api/crosscheck/flags/{stored['k1'].pk}/dismiss", reason, content_type=json
    )
    assert refused.status_code == 403
    assert Client().get(f"/api/crosscheck/{YEAR}/flags").status_code == 401
    assert not CrossCheckFlag.objects.exclude(status=Status.PENDING).exists()
