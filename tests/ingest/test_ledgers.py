"""Pairing-level ledgers through the same pipeline: attribution, household lists, members."""

import pytest

from tests.ingest.conftest import MEMBER_HEADERS, member_row, snapshot, write_xlsx
from xiezuo.ingest.catalog import ledger
from xiezuo.ingest.models import Batch
from xiezuo.ingest.services import batch_undo
from xiezuo.ledgers.models import LabourTransfer, Project, ProjectBeneficiary

PROJECT_HEADERS = ledger("projects").headers
LABOUR_HEADERS = ledger("labour").headers
HH = "1307231002010000"  # + 1…5: the households of the `households_file` fixture


def project_row(**changes):
    values = {
        "项目编号": "KB-2019-001",
        "项目名称": "康保县马铃薯种植基地",
        "帮扶方代码": "110105",
        "受援方代码": "130723",
        "实施地代码": "130723100201",
        "年度": "2019",
        "项目类别": "产业",
        "财政援助资金(万元)": "1,200.5",
        "已拨付(万元)": "800",
        "项目状态": "在建",
        "是否与贫困人口紧密联系": "是",
        "受益户编号": f"{HH}1、{HH}2",
    }
    values.update(changes)
    return [values[h] for h in PROJECT_HEADERS]


def projects(tmp_path, name, *rows):
    return write_xlsx(tmp_path / name, [PROJECT_HEADERS, *(rows or [project_row()])])


def beneficiaries():
    return sorted(ProjectBeneficiary.objects.values_list("household__household_no", flat=True))


@pytest.fixture
def households(run_import, households_file):
    assert run_import("households", households_file).inserted == 5


def test_a_project_is_attributed_and_its_beneficiaries_linked(households, run_import, tmp_path):
    report = run_import("projects", projects(tmp_path, "p.xlsx"))
    assert (report.inserted, report.errors) == (1, [])
    project = Project.objects.select_related("pairing").get()
    assert project.pairing.key == "110105→130723"
    assert str(project.fiscal_aid) == "1200.50"
    assert beneficiaries() == [f"{HH}1", f"{HH}2"]


def test_changed_beneficiaries_update_and_undo_restores_them(households, run_import, tmp_path):
    first = run_import("projects", projects(tmp_path, "a.xlsx"))
    before = snapshot(), beneficiaries()
    again = run_import("projects", projects(tmp_path, "a2.xlsx"))
    assert again.unchanged == 1
    row = project_row(受益户编号=f"{HH}3，{HH}2")
    changed = run_import("projects", write_xlsx(tmp_path / "b.xlsx", [PROJECT_HEADERS, row]))
    assert (changed.updated, changed.unchanged) == (1, 0)
    assert beneficiaries() == [f"{HH}2", f"{HH}3"]

    batch_undo(Batch.objects.get(pk=changed.batch_id))
    assert (snapshot(), beneficiaries()) == before
    batch_undo(Batch.objects.get(pk=first.batch_id))
    assert not Project.objects.exists()
    assert not ProjectBeneficiary.objects.exists()


def test_a_record_no_pairing_contains_is_an_error_on_both_codes(households, run_import, tmp_path):
    row = project_row(帮扶方代码="110116")  # 怀柔 helps 怀安 and 丰宁, not 康保
    report = run_import("projects", write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADERS, row]))
    assert [(e.row, e.column) for e in report.errors] == [(2, "帮扶方代码"), (2, "受援方代码")]
    assert not Project.objects.exists()


def test_an_unregistered_beneficiary_is_named(households, run_import, tmp_path):
    row = project_row(受益户编号=f"{HH}1、999")
    report = run_import("projects", write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADERS, row]))
    assert [(e.column, e.message) for e in report.errors] == [("受益户编号", "户编号未登记：999。")]


def labour_row(id_number, household_no, **changes):
    values = {
        "证件号码": id_number,
        "户编号": household_no,
        "就业地代码": "440305",  # 深圳南山: anywhere in China
        "用工单位": "某电子厂",
        "开始日期": "2019-03-01",
        "结束日期": "",
        "组织方式": "有组织",
    }
    values.update(changes)
    return [values[h] for h in LABOUR_HEADERS]


def test_labour_transfers_need_a_registered_member(households, run_import, tmp_path):
    member = member_row(f"{HH}1", 1)
    run_import("members", write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member]))
    id_number = member[MEMBER_HEADERS.index("证件号码")]
    rows = [labour_row(id_number, f"{HH}1"), labour_row(id_number, f"{HH}2", 开始日期="2020-1-1")]
    report = run_import("labour", write_xlsx(tmp_path / "l.xlsx", [LABOUR_HEADERS, *rows]))
    assert [(e.row, e.column) for e in report.errors] == [(3, "证件号码"), (3, "户编号")]
    report = run_import("labour", write_xlsx(tmp_path / "l2.xlsx", [LABOUR_HEADERS, rows[0]]))
    assert report.inserted == 1
    transfer = LabourTransfer.objects.select_related("pairing").get()
    assert (transfer.workplace_code, transfer.pairing.key) == ("440305", "110105→130723")
