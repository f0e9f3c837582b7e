"""Secondments both ways (双向挂职): a recipient county's cadre posted to the helper district
belongs to the pairing, is marked 接收, and counts in no helper → recipient indicator."""

import datetime as dt

import pytest

from tests.ingest.conftest import write_xlsx
from xiezuo.assessment.services import assessment_run
from xiezuo.core.ids import make_id
from xiezuo.ingest.catalog import ledger
from xiezuo.ledgers.models import Secondment

SECONDMENT_HEADERS = ledger("secondments").headers
SENT, RECEIVED = Secondment.Direction.SENT, Secondment.Direction.RECEIVED


def secondment_row(n, *, home="110105", **changes):
    """Return a secondment of person `n` (ID issued in `home`), 朝阳 → 康保 by default."""
    values = {
        "姓名": f"干部{n}",
        "证件号码": make_id(home, dt.date(1978, 6, 12), n),
        "派出方代码": "110105",
        "挂职地代码": "130723",
        "人员类别": "党政干部",
        "开始日期": "2019-03-01",
        "结束日期": "2019-12-31",
    }
    values.update(changes)
    return [values[h] for h in SECONDMENT_HEADERS]


def received_row(n, **changes):
    """Return a 康保 cadre (a village of 康保 sends) posted to 朝阳."""
    changes = {"派出方代码": "130723100201", "挂职地代码": "110105", **changes}
    return secondment_row(n, home="130723", **changes)


def secondments(tmp_path, *rows, name="s.xlsx"):
    return write_xlsx(tmp_path / name, [SECONDMENT_HEADERS, *rows])


def test_both_directions_load_into_the_pairing(run_import, tmp_path):
    report = run_import("secondments", secondments(tmp_path, secondment_row(1), received_row(2)))
    assert (report.errors, report.inserted) == ([], 2)
    found = {s.name: (s.direction, s.pairing.key) for s in Secondment.objects.all()}
    assert found == {"干部1": (SENT, "110105→130723"), "干部2": (RECEIVED, "110105→130723")}


def test_a_received_cadre_of_another_helpers_county_is_an_error_on_both_codes(run_import, tmp_path):
    """怀安's cadre posted to 朝阳: 朝阳 does not help 怀安, so no pairing holds the record."""
    row = received_row(1, 派出方代码="130728")
    report = run_import("secondments", secondments(tmp_path, row, secondment_row(2)))
    assert [(e.row, e.column) for e in report.errors] == [(2, "派出方代码"), (2, "挂职地代码")]
    assert "不是本项目同一个结对的两方" in report.errors[0].message
    assert not Secondment.objects.exists()


@pytest.mark.parametrize(
    ("sender", "posting"),
    [("110105", "110116"), ("130723", "130728"), ("110105", "110105")],
)
def test_both_codes_on_one_side_are_an_error(run_import, tmp_path, sender, posting):
    row = secondment_row(1, 派出方代码=sender, 挂职地代码=posting)
    report = run_import("secondments", secondments(tmp_path, row))
    assert {e.column for e in report.errors} == {"派出方代码", "挂职地代码"}


def test_re_importing_keeps_the_direction_unchanged(run_import, tmp_path):
    path = secondments(tmp_path, secondment_row(1), received_row(2))
    run_import("secondments", path)
    again = run_import("secondments", path)
    assert (again.unchanged, again.updated, again.inserted) == (2, 0, 0)


def test_received_cadres_count_in_neither_i04_nor_i05(small_programme, run_import, tmp_path):
    rows = [
        secondment_row(1),
        secondment_row(2, 人员类别="专业技术人才-医疗"),
        received_row(3),
        received_row(4, 人员类别="专业技术人才-教育"),
        received_row(5, 派出方代码="130728", 挂职地代码="110116"),  # 怀安 → 怀柔
    ]
    report = run_import("secondments", secondments(tmp_path, *rows))
    assert report.errors == []
    assert Secondment.objects.filter(direction=RECEIVED).count() == 3
    run = assessment_run(programme=small_programme, year=2019)
    values = {
        (r.indicator, r.unit_type, r.unit): r.value
        for r in run.results.filter(indicator__in=["I04", "I05"])
    }
    assert values[("I04", "pairing", "110105→130723")] == 1
    assert values[("I05", "pairing", "110105→130723")] == 1
    programme = {i: v for (i, side, _), v in values.items() if side == "programme"}
    assert programme == {"I04": 1, "I05": 1}
    assert not values.get(("I04", "pairing", "110116→130728"))
