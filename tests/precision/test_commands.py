"""`xiezuo precision` and `xiezuo monitor`: the issue's JSON keys, typed input, bad input."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def run(*argv: str) -> str:
    out = StringIO()
    call_command(*argv, "--programme", "small", stdout=out)
    return out.getvalue()


def test_precision_json_has_exactly_the_issue_keys(precision_world):
    data = json.loads(run("precision", "--year", "2020", "--format", "json"))
    assert list(data) == ["year", "gaps", "wrong_exits", "ready_to_exit", "villages", "counties"]
    assert data["gaps"][0] == {
        "household": "K01",
        "cause": "因病",
        "expected": ["医疗保障", "医疗救助", "保险"],
    }
    assert data["wrong_exits"] == ["K03", "K04"]
    assert data["ready_to_exit"] == ["K06"]
    assert data["villages"][1] == {"village": "130723100202", "incidence": 2.0, "passes": False}
    assert data["counties"][0] == {
        "county": "130723",
        "incidence": 2.67,
        "missed_rate": 1.5,
        "wrong_exit_rate": 2.0,
        "approval": 89.99,
        "passes": False,
        "people_to_exit": 5,
    }


def test_monitor_json_has_exactly_the_issue_keys(monitoring_world):
    data = json.loads(
        run("monitor", "--year", "２０２０", "--as-of", "2020年6月30日", "--format", "json")
    )
    assert list(data) == ["year", "threshold", "cases"]
    assert (data["year"], data["threshold"]) == (2020, 6000.0)
    m02 = next(case for case in data["cases"] if case["household"] == "M02")
    assert m02 == {
        "household": "M02",
        "categories": ["脱贫不稳定户", "突发严重困难户"],
        "reasons": [
            "脱贫不稳定户：已脱贫，当年有风险线索 1 条",
            "突发严重困难户：风险线索刚性支出 20,000.00 元，超过上年家庭纯收入 15,000.00 元",
        ],
        "first_clue": "2020-06-14",
        "confirm_by": "2020-06-29",
        "status": "待确认",
        "overdue": ["confirm"],
    }


def test_full_width_region_and_the_readable_table(monitoring_world):
    text = run("monitor", "--year", "2020年", "--as-of", "2020/6/30", "--region", "１３０７２８")
    assert "H11" in text
    assert "M02" not in text
    assert "脱贫不稳定户" in text


def test_precision_table(precision_world):
    text = run("precision", "--year", "2020")
    assert "K01" in text
    assert "康保县" in text


@pytest.mark.parametrize(
    "argv",
    [
        ("precision", "--year", "二〇二〇"),
        ("precision", "--year", "2020", "--region", "1307"),
        ("precision", "--year", "2020", "--region", "999999"),
        ("monitor", "--year", "2020", "--as-of", "2020-02-30"),
    ],
)
def test_bad_arguments_exit_2(monitoring_world, argv):
    with pytest.raises(CommandError) as raised:
        run(*argv)
    assert raised.value.returncode == 2


def test_a_year_without_a_line_exits_1(monitoring_world):
    with pytest.raises(CommandError, match="2018") as raised:
        run("precision", "--year", "2018")
    assert raised.value.returncode == 1
