"""The import page in a real browser: upload, the job polled to its report, no console errors."""

import re

import pytest
from django.core.management import call_command

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from tests.web.test_browser import browser  # noqa: F401 (the fixture)
from xiezuo.access import Role
from xiezuo.access.services import grant_give
from xiezuo.ingest.models import ImportJob

pytestmark = pytest.mark.browser

SCREENSHOTS = "/tmp/import-{}.png"
PASSWORD = "a long test password"


def test_upload_a_file_with_one_bad_row_and_read_the_report(
    live_server,
    programme,
    browser,  # noqa: F811
    django_user_model,
    settings,
    tmp_path,
):
    """The real task backend: the job page polls while queued, the worker runs it, the report
    with the bad row replaces the progress bar."""
    settings.DATA_DIR = tmp_path / "data"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = django_user_model.objects.create_user("kangbao", password=PASSWORD)
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    path = write_xlsx(
        tmp_path / "康保贫困户.xlsx",
        [HOUSEHOLD_HEADERS, household_row(1), household_row(2, 贫困户属性="特别贫困")],
        title="康保县贫困户台账",
    )

    page = browser.page
    page.goto(f"{live_server.url}/import/")
    page.fill("input[name=username]", "kangbao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("form.upload-form")
    page.select_option("select[name=ledger]", "households")
    page.set_input_files("input[name=file]", str(path))
    page.click("form.upload-form button[type=submit]")

    page.wait_for_url(re.compile(r"/import/jobs/\d+/$"))
    page.wait_for_selector("#job[data-status='queued'] progress")
    page.screenshot(path=SCREENSHOTS.format("queued"), full_page=True)
    job_url = page.url
    # Run the worker right after a poll, so it is done before the next one asks.
    with page.expect_response(lambda r: r.url == job_url and r.request.headers.get("hx-request")):
        pass
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert ImportJob.objects.get().status == ImportJob.Status.DONE

    page.wait_for_selector("#error-table", timeout=10_000)
    assert page.get_attribute("#job", "data-status") == "done"
    assert page.get_attribute("#job", "hx-trigger") is None
    cells = page.locator("#error-table tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == ["4", "贫困户属性", "特别贫困"]
    assert "发现 1 处错误" in page.inner_text(".outcome")
    assert page.inner_text("[data-count='errors']") == "1"
    assert page.locator("a[href$='annotated.xlsx']").count() == 1
    page.screenshot(path=SCREENSHOTS.format("report"), full_page=True)

    page.click("text=再导入一个文件")
    page.wait_for_selector("#batch-table")
    assert page.get_attribute("#batch-table tbody tr", "data-status") == "failed"
    page.screenshot(path=SCREENSHOTS.format("page"), full_page=True)
    assert browser.errors == []
