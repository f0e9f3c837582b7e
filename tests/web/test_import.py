"""The import pages: upload, the job's progress and report, annotated file, history and undo."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    write_xlsx,
)
from xiezuo.access import Role
from xiezuo.core.ids import make_id
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.tasks import run_import
from xiezuo.ingest.writing._annotate import FILL
from xiezuo.registry.models import Household, Member
from xiezuo.web.imports.display import ERRORS_SHOWN

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
HH = "13072310020100001"
BORN = dt.date(1960, 1, 1)


@pytest.fixture(autouse=True)
def _tasks_and_uploads(settings, tmp_path):
    """Run tasks in the request; keep uploads under the test's own folder."""
    settings.TASKS = IMMEDIATE
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def kangbao(programme, make_user, client):
    """Return a client signed in as the 康保 county office (130723)."""
    client.force_login(make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    return client


def households_file(tmp_path, *rows, name="households.xlsx"):
    path = write_xlsx(tmp_path / name, [HOUSEHOLD_HEADERS, *rows], title="贫困户台账")
    return SimpleUploadedFile(name, path.read_bytes())


def upload(client, file, *, ledger="households", dry_run=False):
    """Post the upload form; return the job page it leads to."""
    data = {"ledger": ledger, "file": file}
    if dry_run:
        data["dry_run"] = "on"
    response = client.post(reverse("web:import"), data, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    return response


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def error_rows(html: str) -> list[list[str]]:
    body = re.search(r'id="error-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, "no error table"
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]


# --- who may come in -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("web:import"),
        reverse("web:import-job", args=[1]),
        reverse("web:import-job-annotated", args=[1]),
        reverse("web:import-template", args=["households"]),
    ],
)
def test_anonymous_readers_are_sent_to_sign_in(client, programme, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "region"), [(Role.CADRE, "130723100201"), (Role.ASSESSOR, "130000")]
)
def test_cadres_and_assessors_may_not_import(client, programme, make_user, tmp_path, role, region):
    """403 on the page and on the upload itself; nothing is queued."""
    client.force_login(make_user("reader", role, region))
    assert client.get(reverse("web:import")).status_code == 403
    response = client.post(
        reverse("web:import"),
        {"ledger": "households", "file": households_file(tmp_path, household_row(1))},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_the_upload_needs_the_csrf_token(programme, make_user, tmp_path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    response = client.post(
        reverse("web:import"),
        {"ledger": "households", "file": households_file(tmp_path, household_row(1))},
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


# --- the page --------------------------------------------------------------------------------


def test_the_page_offers_every_ledger_and_its_template(kangbao):
    html = kangbao.get(reverse("web:import")).content.decode()
    assert {"households", "population", "measures", "monitored"} <= set(ledgers())
    for key, ledger in ledgers().items():
        assert f'<option value="{key}">{ledger.title}（{key}）</option>' in html
        assert reverse("web:import-template", args=[key]) in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.parametrize("key", list(ledgers()))
def test_templates_download_as_xlsx_with_the_ledgers_headers(kangbao, key):
    response = kangbao.get(reverse("web:import-template", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[3] if cell.value is not None]
    assert headers == ledgers()[key].headers


def test_an_unknown_template_is_not_found(kangbao):
    assert kangbao.get(reverse("web:import-template", args=["nonsense"])).status_code == 404


def test_a_form_without_a_file_says_so(kangbao):
    response = kangbao.post(reverse("web:import"), {"ledger": "households"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- upload, job, report -------------------------------------------------------------------


def test_a_clean_upload_loads_and_the_report_says_so(kangbao, tmp_path):
    """Upload → job → report on the job page; the batch is in the history."""
    response = upload(kangbao, households_file(tmp_path, *map(household_row, (1, 2, 3))))
    job = ImportJob.objects.get()
    assert response.redirect_chain == [(reverse("web:import-job", args=[job.pk]), 302)]
    html = response.content.decode()
    assert "已写入：新增 3 行" in text(html)
    assert 'data-count="inserted">3<' in html
    assert "hx-trigger" not in html  # finished: nothing to poll
    assert "error-table" not in html
    assert f"#batch-{job.batch_id}" in html
    assert Household.objects.count() == 3
    history = kangbao.get(reverse("web:import")).content.decode()
    assert f'id="batch-{job.batch_id}" data-status="loaded"' in history
    assert reverse("web:import-job", args=[job.pk]) in history


def test_a_dry_run_reports_what_would_change(kangbao, tmp_path):
    html = upload(kangbao, households_file(tmp_path, household_row(1)), dry_run=True)
    assert "试导入：全部 1 行无误，未写入" in text(html.content.decode())
    assert not Household.objects.exists()


def test_a_file_with_errors_shows_the_table_and_the_annotated_cells_are_red(kangbao, tmp_path):
    """One bad row: the table names row, column, value and message; the XLSX marks the cell."""
    file = households_file(tmp_path, household_row(1), household_row(2, 贫困户属性="特别贫困"))
    html = upload(kangbao, file).content.decode()
    assert "发现 1 处错误，涉及 1 行：未写入任何数据" in text(html)
    [(row, column, value, message)] = error_rows(html)
    assert (row, column, value) == ("4", "贫困户属性", "特别贫困")
    assert message
    assert not Household.objects.exists()

    job = ImportJob.objects.get()
    response = kangbao.get(reverse("web:import-job-annotated", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)  # the file the task wrote
    assert content == job.annotated_path.read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    column = HOUSEHOLD_HEADERS.index("贫困户属性") + 1
    bad = sheet.cell(row=4, column=column)
    assert bad.value == "特别贫困"
    assert bad.fill.fgColor.rgb == FILL
    assert message in bad.comment.text
    good = sheet.cell(row=3, column=column)
    assert good.fill.fgColor.rgb != FILL
    assert good.comment is None


def test_the_report_says_how_many_cells_took_their_code_lists_form(kangbao, tmp_path):
    file = households_file(tmp_path, household_row(1, 识别标准="国家", 贫困户属性="低保户"))
    html = text(upload(kangbao, file).content.decode())
    assert "提示：已将 2 个单元格的简写或旧写法改为代码表的标准写法" in html
    assert Household.objects.get().standard == "国家标准"


def test_a_rule_across_columns_marks_every_involved_cell(kangbao, tmp_path):
    """An exit year before the identification year: both years are red in the workbook."""
    file = households_file(tmp_path, household_row(1, 识别年度="2019", 脱贫年度="2016"))
    html = upload(kangbao, file).content.decode()
    assert [(row, column) for row, column, *_ in error_rows(html)] == [
        ("3", "识别年度"),
        ("3", "脱贫年度"),
    ]
    job = ImportJob.objects.get()
    response = kangbao.get(reverse("web:import-job-annotated", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    for header in ("识别年度", "脱贫年度"):
        cell = sheet.cell(row=3, column=HOUSEHOLD_HEADERS.index(header) + 1)
        assert cell.fill.fgColor.rgb == FILL, header


def test_the_annotated_file_is_served_only_once_the_task_wrote_it(kangbao, tmp_path):
    file = households_file(tmp_path, household_row(1, 贫困户属性="特别贫困"))
    upload(kangbao, file)
    job = ImportJob.objects.get()
    url = reverse("web:import-job-annotated", args=[job.pk])
    job.annotated_path.unlink()
    assert kangbao.get(url).status_code == 404
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    assert kangbao.get(url).status_code == 404


def test_a_clean_job_has_no_annotated_file(kangbao, tmp_path):
    upload(kangbao, households_file(tmp_path, household_row(1)))
    job = ImportJob.objects.get()
    assert kangbao.get(reverse("web:import-job-annotated", args=[job.pk])).status_code == 404


def test_a_county_office_cannot_load_another_countys_rows(kangbao, tmp_path):
    """康保 uploads 怀安 households: every row is an error and nothing loads."""
    file = households_file(
        tmp_path,
        household_row(1, village="130728100201"),
        household_row(2, village="130728100201"),
    )
    html = upload(kangbao, file).content.decode()
    rows = error_rows(html)
    assert [row[0] for row in rows] == ["3", "4"]
    assert all("130728100201" in row[2] for row in rows)
    assert not Household.objects.exists()
    assert ImportJob.objects.get().batch.status == Batch.Status.FAILED


def test_an_unusable_file_is_reported(kangbao):
    file = SimpleUploadedFile("ledger.xlsx", b"%PDF-1.5\n")
    html = text(upload(kangbao, file).content.decode())
    title = ledgers()["households"].title
    assert f"文件无法作为「{title}」台账读取，未写入任何数据" in html
    assert "PDF" in html


def test_the_error_table_shows_the_first_thousand_and_the_total(kangbao, tmp_path):
    rows = [
        household_row(
            1,
            户编号=f"130723100201{n:05d}",
            户主证件号码=make_id("130723", BORN + dt.timedelta(n), 1),
            贫困户属性="特别贫困",
        )
        for n in range(1, ERRORS_SHOWN + 201)
    ]
    html = upload(kangbao, households_file(tmp_path, *rows)).content.decode()
    assert len(error_rows(html)) == ERRORS_SHOWN
    assert "共 1,200 处，此处显示前 1,000 处；全部错误见标注文件" in text(html)


def test_a_queued_job_shows_a_polling_progress_bar_until_done(kangbao, settings, tmp_path):
    """While queued the fragment polls every second; once run, the fragment is the report."""
    settings.TASKS = DUMMY
    upload(kangbao, households_file(tmp_path, household_row(1)))
    job = ImportJob.objects.get()
    url = reverse("web:import-job", args=[job.pk])
    page = kangbao.get(url).content.decode()
    assert "排队中" in page
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    assert "<progress" in page
    assert "vendor/htmx/htmx.min.js" in page

    run_import.call(job.pk)
    fragment = kangbao.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="job"')
    assert "<html" not in fragment
    assert "hx-trigger" not in fragment
    assert "已写入：新增 1 行" in text(fragment)


def test_a_running_job_shows_its_stage_and_share(kangbao, settings, tmp_path):
    settings.TASKS = DUMMY
    upload(kangbao, households_file(tmp_path, household_row(1)))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, stage="写入新增行", done=500, total=2000
    )
    html = kangbao.get(reverse("web:import-job", args=[job.pk])).content.decode()
    assert "写入新增行" in html
    assert 'value="25"' in html
    assert "500 / 2,000 行" in html


# --- who sees which jobs and batches --------------------------------------------------------


def test_an_office_sees_only_its_own_jobs_and_batches(kangbao, make_user, tmp_path):
    upload(kangbao, households_file(tmp_path, household_row(1)))
    job = ImportJob.objects.get()
    other = Client()
    other.force_login(make_user("chaoyang", Role.HELPER_OFFICE, "110105"))
    assert other.get(reverse("web:import-job", args=[job.pk])).status_code == 404
    assert f'id="batch-{job.batch_id}"' not in other.get(reverse("web:import")).content.decode()
    undo = other.post(reverse("web:import-batch-undo", args=[job.batch_id]))
    assert undo.status_code == 404
    assert Household.objects.count() == 1

    office = Client()
    office.force_login(make_user("office", Role.PROGRAMME_OFFICE, "110000"))
    assert office.get(reverse("web:import-job", args=[job.pk])).status_code == 200
    assert f'id="batch-{job.batch_id}"' in office.get(reverse("web:import")).content.decode()


# --- undo --------------------------------------------------------------------------------


def test_undo_from_the_page(kangbao, tmp_path):
    upload(kangbao, households_file(tmp_path, household_row(1), household_row(2)))
    batch = Batch.objects.get()
    html = kangbao.get(reverse("web:import")).content.decode()
    assert reverse("web:import-batch-undo", args=[batch.pk]) in html
    assert "data-confirm=" in html

    response = kangbao.post(reverse("web:import-batch-undo", args=[batch.pk]), follow=True)
    html = response.content.decode()
    assert f"批次 {batch.pk}（households.xlsx）已撤销" in html
    assert f'id="batch-{batch.pk}" data-status="undone"' in html
    assert not Household.objects.exists()
    job = kangbao.get(reverse("web:import-job", args=[batch.import_jobs.get().pk]))
    assert 'data-batch-status="undone"' in job.content.decode()


def test_undo_needs_a_post(kangbao, tmp_path):
    upload(kangbao, households_file(tmp_path, household_row(1)))
    batch = Batch.objects.get()
    assert kangbao.get(reverse("web:import-batch-undo", args=[batch.pk])).status_code == 405


def test_an_undo_refused_shows_why(kangbao, tmp_path):
    """Members refer to the households of the first batch: its undo is refused, with reason."""
    upload(kangbao, households_file(tmp_path, household_row(1)))
    households = Batch.objects.get()
    members = write_xlsx(tmp_path / "members.xlsx", [MEMBER_HEADERS, member_row(HH, 1)])
    upload(kangbao, SimpleUploadedFile("members.xlsx", members.read_bytes()), ledger="members")
    assert Member.objects.count() == 1

    response = kangbao.post(reverse("web:import-batch-undo", args=[households.pk]), follow=True)
    html = text(response.content.decode())
    assert f"批次 {households.pk} 未撤销：" in html
    assert "引用" in html
    households.refresh_from_db()
    assert households.status == Batch.Status.LOADED
    assert Household.objects.count() == 1


# --- what an import may reveal and write ------------------------------------------------------


def members_file(tmp_path, *rows, name="members.xlsx"):
    path = write_xlsx(tmp_path / name, [MEMBER_HEADERS, *rows], title="家庭成员台账")
    return SimpleUploadedFile(name, path.read_bytes())


@pytest.fixture
def kangbao_members(kangbao, tmp_path):
    """康保's office loads a household and its member (health 健康) through the page."""
    upload(kangbao, households_file(tmp_path, household_row(1)))
    upload(kangbao, members_file(tmp_path, member_row(HH, 1)), ledger="members")
    assert Member.objects.get().health == "健康"
    return Member.objects.get()


def test_a_helper_office_cannot_write_its_paired_countys_members(
    kangbao_members, programme, make_user, tmp_path
):
    """Leak 2: 朝阳 cannot import a 康保 member (dry run or not); the page answers the same
    whether the masked health differs or not, and nothing is written."""
    chaoyang = Client()
    chaoyang.force_login(make_user("chaoyang", Role.HELPER_OFFICE, "110105"))
    answers = []
    for health, dry_run in [("健康", True), ("长期慢性病", True), ("长期慢性病", False)]:
        file = members_file(tmp_path, member_row(HH, 1, 健康状况=health), name=f"{health}.xlsx")
        html = text(upload(chaoyang, file, ledger="members", dry_run=dry_run).content.decode())
        assert "所在县扶贫办" in html
        answers.append(re.sub(r"\S+\.xlsx|#\d+|任务 \d+|[\d-]+ \d\d:\d\d:\d\d", "", html))
    assert answers[0] == answers[1]
    assert Member.objects.get().health == "健康"


def test_a_person_of_another_county_is_refused_without_saying_where(
    kangbao, make_household, tmp_path
):
    """Leak 3: 康保 adding a person registered in 怀安 is told only that they cannot be added."""
    huaian = make_household("130728100201", people=1)
    person = huaian.members.get()
    upload(kangbao, households_file(tmp_path, household_row(1)))
    row = member_row(HH, 1, 证件号码=person.id_number, 出生日期=person.birth_date.isoformat())
    html = upload(kangbao, members_file(tmp_path, row), ledger="members").content.decode()
    assert "不能登记在此户" in text(html)
    assert huaian.household_no not in html
    assert "130728100201" not in html  # 怀安 一村, where the person is registered


def test_annotated_county_files_are_masked_for_the_programme_office(
    kangbao_members, programme, make_user, tmp_path
):
    """Leak 4: the programme office reads a county's members upload with ID numbers, birth
    dates and health masked; the county's own office reads its file as it sent it."""
    bad = member_row(HH, 1, 健康状况="不知道")
    kangbao = Client()
    kangbao.force_login(make_user("kangbao-2", Role.COUNTY_OFFICE, "130723"))
    upload(kangbao, members_file(tmp_path, bad, name="bad.xlsx"), ledger="members")
    job = ImportJob.objects.filter(original_name="bad.xlsx").get()
    url = reverse("web:import-job-annotated", args=[job.pk])
    office = Client()
    office.force_login(make_user("office", Role.PROGRAMME_OFFICE, "110000"))

    def cells(client) -> set[str]:
        response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}

    number = kangbao_members.id_number
    seen = cells(office)
    assert number not in seen
    assert number[:6] + "*" * 8 + number[-4:] in seen
    assert "不知道" not in seen
    assert not any(kangbao_members.birth_date.isoformat() in c for c in seen)
    report = text(office.get(reverse("web:import-job", args=[job.pk])).content.decode())
    assert "不知道" not in report
    assert number in cells(kangbao)


# --- a job that died: retry and cancel from its page ---------------------------------------


@pytest.fixture
def died(settings, kangbao, tmp_path):
    """Return a job of 康保's whose worker (on another host) went silent an hour ago."""
    settings.TASKS = DUMMY
    response = upload(kangbao, households_file(tmp_path, household_row(1), household_row(2)))
    job = response.context["view"].job
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING,
        started_at=an_hour_ago,
        heartbeat_at=an_hour_ago,
        worker="elsewhere:4242",
        stage="校验",
        done=2,
        total=2,
    )
    return job


def test_the_page_of_a_job_whose_worker_went_silent_says_so_and_offers_retry(kangbao, died):
    html = kangbao.get(reverse("web:import-job", args=[died.pk])).content.decode()
    assert 'data-status="failed"' in html
    assert "秒没有报告进度" in text(html)
    assert "没有写入这个文件的任何数据" in text(html)
    assert reverse("web:import-job-retry", args=[died.pk]) in html
    assert reverse("web:import-job-cancel", args=[died.pk]) in html
    assert "hx-get" not in html  # no more polling


def test_retry_from_the_page_loads_the_file(settings, kangbao, died):
    kangbao.get(reverse("web:import-job", args=[died.pk]))
    response = kangbao.post(reverse("web:import-job-retry", args=[died.pk]), follow=True)
    assert "已重新排队" in response.content.decode()
    assert run_import.call(died.pk) == "done"
    html = kangbao.get(reverse("web:import-job", args=[died.pk])).content.decode()
    assert 'data-status="done"' in html
    assert Household.objects.count() == 2


def test_cancel_from_the_page(kangbao, died):
    kangbao.get(reverse("web:import-job", args=[died.pk]))
    response = kangbao.post(reverse("web:import-job-cancel", args=[died.pk]), follow=True)
    html = response.content.decode()
    assert "已取消" in html
    assert 'data-status="cancelled"' in html
    assert reverse("web:import-job-retry", args=[died.pk]) in html
    assert reverse("web:import-job-cancel", args=[died.pk]) not in html


def test_a_queued_job_can_be_cancelled_but_a_finished_one_cannot(settings, kangbao, tmp_path):
    settings.TASKS = DUMMY
    job = upload(kangbao, households_file(tmp_path, household_row(1))).context["view"].job
    html = kangbao.get(reverse("web:import-job", args=[job.pk])).content.decode()
    assert reverse("web:import-job-cancel", args=[job.pk]) in html
    kangbao.post(reverse("web:import-job-cancel", args=[job.pk]))
    response = kangbao.post(reverse("web:import-job-cancel", args=[job.pk]), follow=True)
    assert "不能取消" in response.content.decode()
    assert run_import.call(job.pk) == "skipped"


def test_another_office_cannot_retry_or_cancel_a_job(died, make_user):
    other = Client()
    other.force_login(make_user("huaian", Role.COUNTY_OFFICE, "130728"))
    for name in ("web:import-job-retry", "web:import-job-cancel"):
        assert other.post(reverse(name, args=[died.pk])).status_code == 404
    died.refresh_from_db()
    assert died.status == ImportJob.Status.RUNNING


def test_the_programme_office_may_retry_any_job(kangbao, died, make_user):
    office = Client()
    office.force_login(make_user("office", Role.PROGRAMME_OFFICE, "110000"))
    office.get(reverse("web:import-job", args=[died.pk]))
    office.post(reverse("web:import-job-retry", args=[died.pk]))
    died.refresh_from_db()
    assert died.status == ImportJob.Status.QUEUED


def test_retry_and_cancel_take_posts_only(kangbao, died):
    for name in ("web:import-job-retry", "web:import-job-cancel"):
        assert kangbao.get(reverse(name, args=[died.pk])).status_code == 405
