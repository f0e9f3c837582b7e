"""The report pages: the list by role, a unit's report with paragraphs, sign-off and
versions, downloads, a tampered version's warning, and junk answered 400/404."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.reports.signoff_site import (
    YEAR,
    access_of,
    assessment_data,  # noqa: F401  (a fixture)
    signoff_site,  # noqa: F401  (a fixture)
)
from xiezuo.reports import services
from xiezuo.reports.models import SignedReport

COUNTY = [YEAR, "recipient", "130723"]


def _client(site: dict, who: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(site["users"][who])
    return client


def test_the_list_shows_the_units_reached_with_their_status(signoff_site):  # noqa: F811
    services.report_sign_off(
        access=access_of(signoff_site, "kangbao"), year=YEAR, unit_type="recipient", unit="130723"
    )
    page = _client(signoff_site, "huairou").get(reverse("web:reports"), {"year": YEAR})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-unit="recipient:130728"' in html
    assert 'data-unit="recipient:130723"' not in html
    office = _client(signoff_site, "office").get(reverse("web:reports"), {"year": YEAR})
    text = office.content.decode()
    assert "已签发 v1" in text
    assert text.count("未签发") >= 5
    assert reverse("web:reports-zip", args=[YEAR]) in text


def test_paragraphs_appear_in_the_html_and_sign_off_freezes_them(signoff_site):  # noqa: F811
    client = _client(signoff_site, "kangbao")
    saved = client.post(
        reverse("web:report-paragraphs", args=COUNTY),
        {"after_0": "summary", "text_0": "康保县补充说明：全年完成帮扶任务。"},
    )
    assert saved.status_code == 302
    html = client.get(reverse("web:report-file", args=[*COUNTY, "html"])).content.decode()
    assert "康保县补充说明：全年完成帮扶任务。" in html
    page = client.get(reverse("web:report", args=COUNTY)).content.decode()
    assert "签发报告" in page
    assert 'data-confirm="确认签发' in page
    signed = client.post(reverse("web:report-sign", args=COUNTY), {"action": "sign"}, follow=True)
    report = SignedReport.objects.get()
    assert report.sha256 in signed.content.decode()
    assert "康保县补充说明" in report.content["paragraphs"][0]["text"]


def test_an_assessor_reads_but_cannot_sign(signoff_site):  # noqa: F811
    client = _client(signoff_site, "assessor")
    page = client.get(reverse("web:report", args=COUNTY))
    assert page.status_code == 200
    assert "签发报告" not in page.content.decode()
    assert (
        client.post(reverse("web:report-sign", args=COUNTY), {"action": "sign"}).status_code == 403
    )
    assert not SignedReport.objects.exists()
    county = _client(signoff_site, "kangbao")
    assert county.get(reverse("web:report", args=[YEAR, "helper", "110105"])).status_code == 403


def test_downloads_are_attachments_with_safe_names(signoff_site):  # noqa: F811
    client = _client(signoff_site, "kangbao")
    pdf = client.get(reverse("web:report-file", args=[*COUNTY, "pdf"]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    workbook = client.get(reverse("web:report-file", args=[*COUNTY, "xlsx"]))
    assert workbook.content.startswith(b"PK")
    assert "attachment" in workbook["Content-Disposition"]


def test_a_tampered_version_is_flagged(signoff_site):  # noqa: F811
    report = services.report_sign_off(
        access=access_of(signoff_site, "kangbao"), year=YEAR, unit_type="recipient", unit="130723"
    )
    content = dict(report.content)
    content["summary"] = {**content["summary"], "score": 100}
    SignedReport.objects.filter(pk=report.pk).update(content=content)
    page = _client(signoff_site, "kangbao").get(reverse("web:report", args=COUNTY))
    html = page.content.decode()
    assert "data-tampered" in html
    assert "不一致" in html


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/reports/?year=abcd", 400),
        ("/reports/?year=1999", 404),
        ("/reports/1999/recipient/130723/", 404),
        ("/reports/2019/pairing/130723/", 404),
        ("/reports/2019/recipient/999999/", 404),
        ("/reports/2019/recipient/130723/?version=abc", 400),
        ("/reports/2019/recipient/130723/?version=7", 404),
        ("/reports/2019/recipient/130723/report.doc", 404),
        ("/reports/2019/recipient/130723/report.pdf?version=x", 400),
        ("/reports/2019/recipient/130723/report.pdf?version=9", 404),
        ("/reports/2019/recipient/" + "9" * 500 + "/", 404),
        ("/reports/2019/zip/not-a-task/", 404),
        ("/reports/2019/zip/" + "a" * 300 + "/download/", 404),
        ("/reports/99999999999999999999/zip/", 404),
    ],
)
def test_junk_answers_400_or_404(signoff_site, path, status):  # noqa: F811
    assert _client(signoff_site, "office").get(path).status_code == status


def test_junk_posts_answer_400_and_bad_paragraphs_a_message(signoff_site):  # noqa: F811
    client = _client(signoff_site, "kangbao")
    assert client.post(reverse("web:report-sign", args=COUNTY), {"action": "x"}).status_code == 400
    page = client.post(
        reverse("web:report-paragraphs", args=COUNTY),
        {"after_0": "nowhere", "text_0": "x"},
        follow=True,
    )
    assert "第 1 段的位置“nowhere”不存在" in page.content.decode()
