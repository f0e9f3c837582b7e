"""The precision pages over HTTP: a county's 精准帮扶 page, the 监测 board, a case with its
steps and the village notice — what each role reaches, what it sees, what it may change."""

import html as html_text
import re

import pytest
from django.urls import reverse

from xiezuo.access import Role
from xiezuo.core.ids import mask_id
from xiezuo.precision.models import MonitoringCase

KANGBAO, HUAIAN = "130723", "130728"
ONE, TWO = "130723100201", "130723100202"
AS_OF = "2020-03-17"  # 16 days after U2's clue of 2020-03-01


@pytest.fixture
def users(make_user):
    return {
        "programme": make_user("bjxzb", Role.PROGRAMME_OFFICE, "110000"),
        "kangbao": make_user("kangbao", Role.COUNTY_OFFICE, KANGBAO),
        "huaian": make_user("huaian", Role.COUNTY_OFFICE, HUAIAN),
        "chaoyang": make_user("chaoyang", Role.HELPER_OFFICE, "110105"),  # paired with 康保
        "huairou": make_user("huairou", Role.HELPER_OFFICE, "110116"),  # 怀安 and 丰宁
    }


def as_user(client, user):
    client.force_login(user)
    return client


def rows(html: str, table: str) -> dict[str, str]:
    """Return the rows of a table as {data-household: the row's text}."""
    body = re.search(rf'<table[^>]*id="{table}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"table {table} not found"
    found = re.findall(r'<tr data-household="([^"]+)"[^>]*>(.*?)</tr>', body.group(1), re.S)
    return {no: " ".join(re.sub(r"<[^>]+>", " ", text).split()) for no, text in found}


def listed(html: str, section: str) -> list[str]:
    """Return the household numbers listed in a section of the county page."""
    part = re.search(rf'<section class="card" id="{section}">(.*?)</section>', html, re.S)
    assert part, f"section {section} not found"
    return re.findall(r'<li data-household="([^"]+)">', part.group(1))


def county_url(county: str = KANGBAO, year: int = 2020) -> str:
    return f"{reverse('web:precision-county', args=[county])}?year={year}"


def case_url(household, year: int = 2020) -> str:
    return reverse("web:monitoring-case", args=[household.household_no, year])


# --- scope: who reaches which page -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "county", "status"),
    [
        ("programme", KANGBAO, 200),
        ("programme", HUAIAN, 200),
        ("kangbao", KANGBAO, 200),
        ("kangbao", HUAIAN, 404),
        ("huaian", KANGBAO, 404),
        ("chaoyang", KANGBAO, 200),
        ("chaoyang", HUAIAN, 404),
        ("huairou", KANGBAO, 404),
        ("huairou", HUAIAN, 200),
    ],
)
def test_county_page_answers_only_inside_the_callers_reach(
    client, precision_registry, users, who, county, status
):
    """A county office reads its own county, a helper office its paired counties, the
    programme office every recipient county; any other county is not found."""
    assert as_user(client, users[who]).get(county_url(county)).status_code == status


def test_pages_need_signing_in(client, precision_registry):
    u2 = precision_registry["U2"]
    for url in (
        reverse("web:precision"),
        county_url(),
        reverse("web:monitoring"),
        case_url(u2),
        reverse("web:monitoring-notice", args=[ONE]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_county_office_lands_on_its_own_county(client, precision_registry, users):
    response = as_user(client, users["kangbao"]).get(reverse("web:precision"), {"year": 2020})
    assert response.status_code == 302
    assert response["Location"] == county_url(KANGBAO, 2020)


def test_the_programme_office_picks_any_recipient_county(client, precision_registry, users):
    html = as_user(client, users["programme"]).get(reverse("web:precision")).content.decode()
    assert re.findall(r'data-county="(\d+)"', html) == ["130723", "130728", "130826"]


def test_a_helper_office_picks_among_its_paired_counties(client, precision_registry, users):
    html = as_user(client, users["huairou"]).get(reverse("web:precision")).content.decode()
    assert re.findall(r'data-county="(\d+)"', html) == ["130728", "130826"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme", 200), ("kangbao", 200), ("chaoyang", 200), ("huaian", 404), ("huairou", 404)],
)
def test_case_and_notice_pages_answer_only_inside_the_callers_reach(
    client, precision_registry, users, who, status
):
    client = as_user(client, users[who])
    assert client.get(case_url(precision_registry["U2"])).status_code == status
    notice = reverse("web:monitoring-notice", args=[ONE])
    assert client.get(notice, {"year": 2020}).status_code == status


def test_the_board_of_another_county_is_not_found(client, precision_registry, users):
    client = as_user(client, users["huaian"])
    assert client.get(reverse("web:monitoring"), {"region": KANGBAO}).status_code == 404
    assert client.get(reverse("web:monitoring"), {"village": ONE}).status_code == 404


# --- bad parameters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("precision-county", {"year": "20x0"}),
        ("precision", {"county": "13072"}),
        ("monitoring", {"year": "abc"}),
        ("monitoring", {"as_of": "2020-13-01"}),
        ("monitoring", {"year": "2020", "as_of": "2019-12-31"}),  # not inside the year
        ("monitoring", {"region": "13x723"}),
        ("monitoring", {"village": "1307231002"}),
        ("monitoring", {"category": "不是类别"}),
        ("monitoring", {"status": "已完成"}),
        ("monitoring", {"page": "two"}),
    ],
)
def test_malformed_parameters_are_bad_requests(client, precision_registry, users, url, query):
    path = reverse("web:precision-county", args=[KANGBAO]) if url.endswith("county") else None
    response = as_user(client, users["programme"]).get(path or reverse(f"web:{url}"), query)
    assert response.status_code == 400


def test_a_year_outside_the_programme_is_not_found(client, precision_registry, users):
    client = as_user(client, users["programme"])
    assert client.get(county_url(year=1999)).status_code == 404
    assert client.get(reverse("web:monitoring"), {"year": 2031}).status_code == 404
    assert client.get(case_url(precision_registry["U2"], 2019)).status_code == 404


def test_monitoring_before_2020_says_it_had_not_begun(client, precision_registry, users):
    response = as_user(client, users["programme"]).get(reverse("web:monitoring"), {"year": 2019})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="too-early"' in html
    assert "防返贫监测自 2020 年开始" in html
    assert 'id="case-table"' not in html


# --- the county page ------------------------------------------------------------------------


def test_county_page_lists_gaps_wrong_exits_and_ready_households(client, precision_registry, users):
    """G1's only 医疗保障 ended the day before 2020: a gap (其他原因 缺资金 listed, not counted);
    W1 exited in 2020 failing on housing; R1 passes while still poor."""
    h = precision_registry
    html = as_user(client, users["kangbao"]).get(county_url()).content.decode()
    gaps = rows(html, "gap-table")
    assert list(gaps) == [h["G1"].household_no]
    assert gaps[h["G1"].household_no] == (
        f"{h['G1'].household_no} 一村 因病 医疗保障、医疗救助、保险 缺资金"
    )
    assert listed(html, "wrong-exits") == [h["W1"].household_no]
    assert listed(html, "ready-to-exit") == [h["R1"].household_no]
    household_link = reverse("web:household", args=[h["G1"].household_no])
    assert f'href="{household_link}"' in html


def test_county_checklist_and_what_if(client, precision_registry, users):
    """康保: 6 poor of 300 → 2.00 % fails (< 2 %), 漏评 1.00 passes, 错退 3.00 fails, 认可 95.00
    passes; one more person must exit: 一村 holds 5."""
    html = as_user(client, users["kangbao"]).get(county_url()).content.decode()
    checks = dict(re.findall(r'data-check="(\w+)" data-passes="(\w+)"', html))
    assert checks == {
        "incidence": "false",
        "missed_rate": "true",
        "wrong_exit_rate": "false",
        "approval": "true",
    }
    table = re.search(r'id="check-table".*?</table>', html, re.S).group(0)
    text = " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", table)).split())
    assert "贫困发生率 2.00 % < 2.00 % 未通过" in text
    assert "错退率 3.00 % ≤ 2.00 % 未通过" in text
    assert "群众认可度 95.00 % ≥ 90.00 % 通过" in text
    assert 'data-passes="false">未达到摘帽标准' in html
    assert 'data-people="1"' in html
    to_exit = re.search(r'<ol class="to-exit">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r'data-village="(\d+)"', to_exit) == [ONE]
    assert "5 人" in to_exit


def test_village_chart_data_marks_villages_at_the_threshold(client, precision_registry, users):
    """一村 5 of 250 is exactly 2 % and is marked; 二村 1 of 100 is 1 % and is not."""
    response = as_user(client, users["kangbao"]).get(county_url())
    html = response.content.decode()
    chart = response.context["chart"]
    assert chart["threshold"] == 2.0
    [township] = chart["townships"]
    assert township["name"] == "康保镇"
    villages = {v["code"]: v for v in township["children"]}
    assert villages[ONE]["incidence"] == 2.0
    assert villages[ONE]["flagged"] is True
    assert (villages[ONE]["poor"], villages[ONE]["population"]) == (5, 250)
    assert villages[TWO]["incidence"] == 1.0
    assert villages[TWO]["flagged"] is False
    assert 'id="village-data"' in html
    bars = re.findall(r'<li data-village="(\d+)" data-flagged="(\w+)"', html)
    assert bars == [(ONE, "true"), (TWO, "false")]  # highest incidence first


def test_a_helper_reads_the_county_page_read_only(client, precision_registry, users):
    html = as_user(client, users["chaoyang"]).get(county_url()).content.decode()
    assert "只读" in html
    assert '<form method="post"' not in html


# --- the monitoring board ---------------------------------------------------------------------


def test_board_counts_and_lists_cases_with_overdue_deadlines(client, precision_registry, users):
    """On 2020-03-17 U2's clue of 2020-03-01 is 16 days unconfirmed: its confirm-by date
    (2020-03-16) is red; U1 (5,000 < 6,000) is 脱贫不稳定户, M1 边缘易致贫户."""
    h = precision_registry
    response = as_user(client, users["kangbao"]).get(
        reverse("web:monitoring"), {"year": 2020, "as_of": AS_OF}
    )
    assert response.status_code == 200
    html = response.content.decode()
    listed_cases = rows(html, "case-table")
    for key in ("U1", "U2", "M1"):
        assert h[key].household_no in listed_cases
    assert h["G1"].household_no not in listed_cases  # registered and poor: not watched
    u2 = re.search(rf'<tr data-household="{h["U2"].household_no}"[^>]*>', html).group(0)
    assert 'class="overdue-row"' in u2
    assert 'data-overdue="confirm' in u2
    assert (
        '<td class="overdue" data-overdue-cell="confirm" title="逾期未确认">2020-03-16</td>' in html
    )
    assert "脱贫不稳定户" in listed_cases[h["U1"].household_no]
    assert "边缘易致贫户" in listed_cases[h["M1"].household_no]
    assert "非建档立卡" in listed_cases[h["M1"].household_no]
    report = response.context["report"]
    counts = {line.category: line for line in response.context["counts"]}
    everyone = counts["合计（每户一次）"]
    assert everyone.total == len(report.cases) == len(listed_cases)
    assert counts["边缘易致贫户"].total == 1
    assert everyone.overdue == sum(1 for case in report.cases if case.overdue) >= 1


def test_board_filters_by_category_status_and_village(client, precision_registry, users):
    h = precision_registry
    client = as_user(client, users["programme"])
    url = reverse("web:monitoring")
    marginal = rows(
        client.get(
            url, {"year": 2020, "as_of": AS_OF, "category": "边缘易致贫户"}
        ).content.decode(),
        "case-table",
    )
    assert list(marginal) == [h["M1"].household_no]
    by_village = rows(
        client.get(url, {"year": 2020, "as_of": AS_OF, "village": ONE}).content.decode(),
        "case-table",
    )
    assert h["W1"].household_no not in by_village  # 二村
    assert {h["U1"].household_no, h["U2"].household_no, h["M1"].household_no} <= set(by_village)
    overdue = rows(
        client.get(url, {"year": 2020, "as_of": AS_OF, "overdue": "1"}).content.decode(),
        "case-table",
    )
    assert h["U2"].household_no in overdue
    done = rows(
        client.get(url, {"year": 2020, "as_of": AS_OF, "status": "风险已消除"}).content.decode(),
        "case-table",
    )
    assert done == {}


# --- the case page and its steps ----------------------------------------------------------------


def test_case_page_shows_the_timeline_and_deadlines(client, precision_registry, users):
    response = as_user(client, users["kangbao"]).get(case_url(precision_registry["U2"]))
    html = response.content.decode()
    assert response.status_code == 200
    timeline = re.search(r'id="case-timeline".*?</ol>', html, re.S).group(0)
    assert "2020-03-01" in timeline
    assert 'data-step="confirm"' in html
    assert 'id="case-actions"' in html  # a county office may record the steps


def test_helpers_see_the_case_masked_and_read_only(client, precision_registry, users):
    u2 = precision_registry["U2"]
    helper = as_user(client, users["chaoyang"]).get(case_url(u2)).content.decode()
    assert mask_id(u2.householder_id_number) in helper
    assert u2.householder_id_number not in helper
    assert "13812345678" not in helper
    assert 'id="case-actions"' not in helper
    client.logout()
    county = as_user(client, users["kangbao"]).get(case_url(u2)).content.decode()
    assert u2.householder_id_number in county
    assert "13812345678" in county


def post_step(client, household, step: str, **data):
    url = reverse("web:monitoring-case-step", args=[household.household_no, 2020, step])
    return client.post(url, {f"{step}-{k}": v for k, v in data.items()}, follow=True)


def test_a_county_office_confirms_notices_and_eliminates(client, precision_registry, users):
    """Confirmation, a five-day notice and elimination are stored and shown on the case."""
    u2 = precision_registry["U2"]
    client = as_user(client, users["kangbao"])
    response = post_step(client, u2, "confirm", on="2020-03-10")
    assert response.status_code == 200
    assert "已确认为监测对象" in response.content.decode()
    response = post_step(client, u2, "notice", start="2020-03-11", end="2020-03-15")
    assert "已记录村内公示" in response.content.decode()
    response = post_step(client, u2, "eliminate", on="2020-12-01")
    html = response.content.decode()
    assert "已标注风险消除" in html
    case = MonitoringCase.objects.get(household=u2, year=2020)
    assert (str(case.confirmed_on), str(case.notice_from), str(case.notice_to)) == (
        "2020-03-10",
        "2020-03-11",
        "2020-03-15",
    )
    assert str(case.eliminated_on) == "2020-12-01"
    assert 'data-status="风险已消除"' in html
    board = client.get(reverse("web:monitoring"), {"year": 2020, "as_of": AS_OF}).content.decode()
    u2_row = re.search(rf'<tr data-household="{u2.household_no}"[^>]*>', board).group(0)
    assert "confirm" not in u2_row  # confirmed within 15 days: nothing overdue


def test_the_services_refusal_is_shown(client, precision_registry, users):
    """U1 earns 5,000 per person, below 6,000: its risk cannot be marked eliminated."""
    u1 = precision_registry["U1"]
    html = post_step(as_user(client, users["kangbao"]), u1, "eliminate", on="2020-12-01")
    html = html.content.decode()
    assert 'class="flash flash-error"' in html
    assert "未保存：2020 年人均纯收入 5,000.00 元低于监测标准 6,000.00 元" in html
    assert not MonitoringCase.objects.filter(household=u1, eliminated_on__isnull=False)


def test_a_short_notice_is_recorded_and_shown_overdue(client, precision_registry, users):
    """A notice of three days (both ends counted) is kept as it ran; the case shows the
    notice overdue, since the rules ask five."""
    u2 = precision_registry["U2"]
    client = as_user(client, users["kangbao"])
    post_step(client, u2, "confirm", on="2020-03-10")
    html = post_step(client, u2, "notice", start="2020-03-11", end="2020-03-13").content.decode()
    assert "已记录村内公示" in html
    assert re.search(r'class="alert" data-overdue="[^"]*notice', html)
    assert '<tr data-step="notice" class="overdue-row">' in html
    case = MonitoringCase.objects.get(household=u2, year=2020)
    assert (str(case.notice_from), str(case.notice_to)) == ("2020-03-11", "2020-03-13")


def test_a_form_with_a_bad_date_changes_nothing(client, precision_registry, users):
    u2 = precision_registry["U2"]
    html = post_step(as_user(client, users["kangbao"]), u2, "confirm", on="3月10日")
    assert "未保存：" in html.content.decode()
    assert not MonitoringCase.objects.filter(household=u2, confirmed_on__isnull=False)


def test_helpers_and_other_counties_may_not_record_steps(client, precision_registry, users):
    u2 = precision_registry["U2"]
    url = reverse("web:monitoring-case-step", args=[u2.household_no, 2020, "confirm"])
    data = {"confirm-on": "2020-03-10"}
    assert as_user(client, users["chaoyang"]).post(url, data).status_code == 403
    client.logout()
    assert as_user(client, users["huaian"]).post(url, data).status_code == 404
    assert not MonitoringCase.objects.filter(household=u2, confirmed_on__isnull=False)


# --- the village notice -----------------------------------------------------------------------


def test_village_notice_holds_no_personal_data(client, precision_registry, users):
    h = precision_registry
    response = as_user(client, users["kangbao"]).get(
        reverse("web:monitoring-notice", args=[ONE]), {"year": 2020, "as_of": AS_OF}
    )
    html = response.content.decode()
    assert response.status_code == 200
    sheet = re.search(r'<article class="notice-sheet".*?</article>', html, re.S).group(0)
    for key in ("U1", "U2", "M1"):
        assert h[key].householder_name in sheet
    assert h["W1"].householder_name not in sheet  # 二村
    for household in h.values():
        assert household.householder_id_number not in html
        assert mask_id(household.householder_id_number) not in html
    assert "13812345678" not in html
    assert "长期慢性病" not in html  # members' health
    assert "@page" not in html  # the print rules live in the stylesheet


def test_a_year_without_a_poverty_line_says_so(client, precision_registry, users):
    """The small programme sets a line for 2020 only: 2019 cannot be judged, and says why."""
    response = as_user(client, users["kangbao"]).get(county_url(year=2019))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="precision-error"' in html
    assert "2019 年无法核算" in html


def test_a_cadre_reads_the_cases_of_their_village(client, precision_registry, make_user):
    """A village cadre reads the board and the notice of their village; the county pages
    are the offices' (view_precision)."""
    h = precision_registry
    client = as_user(client, make_user("cadre", Role.CADRE, TWO))
    board = client.get(reverse("web:monitoring"), {"year": 2020, "as_of": AS_OF})
    assert set(rows(board.content.decode(), "case-table")) == {h["W1"].household_no}
    assert client.get(county_url()).status_code == 403
    assert client.get(reverse("web:precision")).status_code == 403
    assert client.get(reverse("web:monitoring-notice", args=[ONE])).status_code == 404
    assert client.get(reverse("web:monitoring-notice", args=[TWO])).status_code == 200


def test_pages_read_in_a_fixed_number_of_queries(
    client, precision_registry, users, make_household, django_assert_max_num_queries
):
    """More households and cases do not mean more queries: no read per row."""
    for _ in range(5):
        make_household(ONE, people=2, identified_year=2016)  # five more gaps
    client = as_user(client, users["programme"])
    with django_assert_max_num_queries(25):
        assert client.get(county_url()).status_code == 200
    with django_assert_max_num_queries(15):
        board = client.get(reverse("web:monitoring"), {"year": 2020, "as_of": AS_OF})
        assert board.status_code == 200
