"""`xiezuo crosscheck`: the JSON contract letter by letter, the table, bad arguments."""

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _run(*argv):
    out = io.StringIO()
    call_command("crosscheck", *argv, "--programme", "small", stdout=out)
    return out.getvalue()


def test_json_keys_letter_by_letter(small_programme, register, listed):
    甲 = register["甲"]
    listed("deaths", 甲, died_on=dt.date(2020, 6, 1))
    listed(
        "vehicles",
        None,
        id_number="",
        name="章伟",
        birth_date=甲.birth_date,
        region_id=甲.household.village_id,
    )
    document = json.loads(_run("--year", "2020", "--format", "json"))
    assert list(document) == ["year", "flags"]
    assert document["year"] == 2020
    assert len(document["flags"]) == 2
    for flag in document["flags"]:
        assert list(flag) == ["household", "person", "rule", "source", "match", "evidence", "score"]
        assert flag["household"] == 甲.household.household_no
        assert flag["person"] == 甲.id_number
    by_rule = {f["rule"]: f for f in document["flags"]}
    assert (by_rule["deceased"]["source"], by_rule["deceased"]["match"]) == ("deaths", "exact")
    assert by_rule["deceased"]["score"] == 1.0
    assert (by_rule["vehicle"]["source"], by_rule["vehicle"]["match"]) == ("vehicles", "fuzzy")
    assert 0 < by_rule["vehicle"]["score"] < 1
    assert by_rule["vehicle"]["evidence"]["record"]["号牌号码"] == "冀G12345"


def test_no_fuzzy_links_by_id_number_only(small_programme, register, listed):
    甲 = register["甲"]
    listed(
        "vehicles",
        None,
        id_number="",
        name="章伟",
        birth_date=甲.birth_date,
        region_id=甲.household.village_id,
    )
    assert json.loads(_run("--year", "2020", "--no-fuzzy", "--format", "json"))["flags"] == []
    assert len(json.loads(_run("--year", "2020", "--fuzzy", "--format", "json"))["flags"]) == 1


def test_region_limits_the_register(small_programme, register, listed):
    listed("deaths", register["甲"])
    listed("deaths", register["丁"])
    flags = json.loads(_run("--year", "2020", "--region", "130728", "--format", "json"))["flags"]
    assert [f["person"] for f in flags] == [register["丁"].id_number]


def test_table_is_the_default(small_programme, register, listed):
    listed("deaths", register["甲"])
    printed = _run("--year", "2020")
    assert "已死亡" in printed
    assert register["甲"].household.household_no in printed


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--year", "二〇二〇"), "无效的年度"),
        (("--year", "2020", "--region", "999999"), "未知的区划代码"),
        (("--year", str(timezone.localdate().year + 1)), "尚未到来"),
    ],
)
def test_bad_year_or_region_is_one_chinese_line_and_non_zero(small_programme, argv, message):
    with pytest.raises(CommandError, match=message) as raised:
        _run(*argv)
    assert raised.value.returncode != 0


def test_bad_year_on_the_command_line_prints_one_line_on_stderr():
    done = subprocess.run(
        [sys.executable, "-m", "xiezuo", "crosscheck", "--year", "abc", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "无效的年度" in lines[0]
    assert done.stdout == ""
