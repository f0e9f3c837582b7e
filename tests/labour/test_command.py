"""`xiezuo labour match`: the stable JSON, a posts file, --region and --save."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuo.labour.models import MatchRun, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_programme(small_programme, settings):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key


def run(*args):
    out = StringIO()
    call_command("labour", "match", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_of_a_match_of_the_stored_posts(labourers, posts):
    """甲 and 乙 (康保) reach GW1 and GW3, 丁 (怀安) and 戊 (丰宁) GW2. Optimum: 甲 on GW1 (6000),
    乙 on GW3 (the skilled post, 3000), 丁 and 戊 on GW2 (5000 each); one place of GW2 open."""
    result = run()
    assert set(result) == {
        "posts", "candidates", "placed", "wage_total", "assignments", "unfilled", "seconds"
    }  # fmt: skip
    assert result["posts"] == 3
    assert result["candidates"] == 4
    assert result["placed"] == 4
    assert result["wage_total"] == 19000
    by_person = {a["person"]: a for a in result["assignments"]}
    assert by_person[labourers["甲"].id_number] == {
        "post": "GW1",
        "person": labourers["甲"].id_number,
        "household": labourers["甲"].household.household_no,
        "wage": 6000,
        "kind": "transfer",
    }
    assert by_person[labourers["乙"].id_number]["post"] == "GW3"
    assert by_person[labourers["乙"].id_number]["kind"] == "local"
    assert by_person[labourers["丁"].id_number]["post"] == "GW2"
    assert by_person[labourers["戊"].id_number]["post"] == "GW2"
    assert result["unfilled"] == [{"post": "GW2", "open": 1}]
    assert MatchRun.objects.count() == 0


def test_region_narrows_the_people(labourers, posts):
    result = run("--region", "130728")
    assert result["candidates"] == 1
    assert [a["person"] for a in result["assignments"]] == [labourers["丁"].id_number]


def test_a_posts_file_is_read_without_storing_it(labourers, small_programme, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        "岗位编号,用工单位,统一社会信用代码,帮扶方代码,工作地代码,岗位名称,招聘人数,月工资(元),"
        "技能要求,年龄下限,年龄上限,开始日期,结束日期\n"
        "F1,北京示例物业管理有限公司,91110105MA01ABCD5F,110116,110116,保洁员,1,4500,不限,18,30,"
        "2019-03-01,\n",
        encoding="utf-8",
    )
    result = run("--posts", str(path))
    # 丁 (27) and 戊 (23) are in reach of 怀柔 and under 30; one place: the first in order.
    assert result["posts"] == 1
    assert result["candidates"] == 2
    assert result["placed"] == 1
    assert result["wage_total"] == 4500
    assert result["unfilled"] == []


def test_a_posts_file_with_an_error_is_refused(labourers, small_programme, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        "岗位编号,用工单位,统一社会信用代码,帮扶方代码,工作地代码,岗位名称,招聘人数,月工资(元),"
        "技能要求,年龄下限,年龄上限,开始日期,结束日期\n"
        "F1,某公司,91110105MA01ABCD5F,,110116,保洁员,1,4500,高级,18,30,2019-03-01,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="技能要求"):
        run("--posts", str(path))


def test_save_stores_the_run_as_proposals_with_reasons(labourers, posts):
    out = StringIO()
    call_command("labour", "match", "--save", stdout=out)
    run_row = MatchRun.objects.get()
    assert run_row.placed == 4
    assert run_row.status == MatchRun.Status.DONE
    proposal = Proposal.objects.get(id_number=labourers["乙"].id_number)
    assert proposal.post.post_no == "GW3"
    assert proposal.kind == "local"
    assert "技能劳动力" in proposal.reasons
    assert "33 周岁" in proposal.reasons
    assert run_row.unplaced == {}
    assert "已保存为匹配记录" in out.getvalue()
