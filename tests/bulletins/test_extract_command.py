"""`xiezuo bulletins extract FILE --format json`: the contract, through the command."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def extract_json(path):
    out = StringIO()
    call_command("bulletins", "extract", str(path), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def site(small_programme, settings):
    """The small programme, with a 南关村 in 康保县 and another in 怀安县."""
    from xiezuo.regions.models import Region

    Region.objects.create(
        code="130723100203", name="南关村民委员会", level=5, parent_id="130723100"
    )
    Region.objects.create(
        code="130728100202", name="南关村民委员会", level=5, parent_id="130728100"
    )
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    return small_programme


def test_the_json_contract(site, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "\n朝阳区代表团赴康保县调研\n\n"
        "2019-06-12 09:30:00 信息来源：朝阳区扶贫协作办 发布者：王丽 点击量：12\n\n"
        "6月10日至11日，朝阳区委书记带领朝阳区党政代表团赴康保县南关村调研对接。\n"
        "6月11日，双方签署《朝阳区 康保县扶贫协作协议》。\n",
        encoding="utf-8",
    )
    result = extract_json(path)
    assert set(result) == {"title", "published", "source", "activities"}
    assert result["title"] == "朝阳区代表团赴康保县调研"
    assert result["published"] == "2019-06-12T09:30:00"
    assert result["source"] == "朝阳区扶贫协作办"
    visit, agreement = result["activities"]
    assert visit == {
        "kind": "visit",
        "start": "2019-06-10",
        "end": "2019-06-11",
        "from": "110105",
        "to": "130723",
        "helper": "110105",
        "recipient": "130723",
        "places": ["130723"],
        "leader_category": "党委书记",
        "ledger": "visits",
        "row": {
            "出访方代码": "110105",
            "到访地代码": "130723100203",  # the 南关村 of 康保县, not 怀安县's
            "开始日期": "2019-06-10",
            "结束日期": "2019-06-11",
            "带队领导": "",
            "领导类别": "党委书记",
            "事项": visit["evidence"],
        },
        "evidence": "6月10日至11日，朝阳区委书记带领朝阳区党政代表团赴康保县南关村调研对接。",
    }
    assert agreement["kind"] == "agreement"
    assert agreement["start"] == "2019-06-11"
    assert (agreement["helper"], agreement["recipient"]) == ("110105", "130723")


def test_the_helper_comes_from_the_pairing(site, tmp_path):
    """怀安县 has one helper in the programme (怀柔区): a fund naming only the county is
    proposed with it."""
    path = tmp_path / "a.txt"
    path.write_text(
        "怀安县收到帮扶资金\n2019年8月2日 信息来源: 怀安县政府网\n"
        "8月1日，怀安县收到援助资金500万元。",
        encoding="utf-8",
    )
    (fund,) = extract_json(path)["activities"]
    assert (fund["helper"], fund["recipient"], fund["amount_wan_yuan"]) == ("110116", "130728", 500)


def test_nothing_to_extract(site, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("通知\n2019-01-02 信息来源：县政府\n请各单位做好安全生产工作。", "utf-8")
    assert extract_json(path)["activities"] == []


def test_the_seed_article_against_the_region_table(site, seed_path):
    from xiezuo.regions.services import load_divisions

    load_divisions()
    result = extract_json(seed_path)
    assert result["published"] == "2018-04-15T12:04:38"
    (visit,) = [a for a in result["activities"] if a["kind"] == "visit"]
    assert (visit["start"], visit["end"], visit["from"]) == ("2018-04-13", "2018-04-14", "11")
    assert sorted(visit["places"]) == ["130722", "130724", "130824", "130826"]
    (agreement,) = [a for a in result["activities"] if a["kind"] == "agreement"]
    assert agreement["title"] == "全面深化京冀扶贫协作工作三年行动框架协议"
    assert (agreement["helper"], agreement["recipient"]) == ("11", "13")


def test_a_malformed_file_is_a_clear_error(site, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("只有标题\n没有发布行的正文。", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少发布行"):
        extract_json(path)
    with pytest.raises(CommandError, match="无法读取"):
        extract_json(tmp_path / "missing.txt")


def test_the_text_format(site, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "标题\n2019-06-12 信息来源：某报\n4月1日，朝阳区向康保县拨付资金3600万元。", "utf-8"
    )
    out = StringIO()
    call_command("bulletins", "extract", str(path), stdout=out)
    assert "资金" in out.getvalue()
    assert "3600" in out.getvalue()


def test_the_command_line_prints_one_line_and_no_traceback(tmp_path):
    """Run as a user would: one line on stderr, a non-zero exit status."""
    bad = tmp_path / "bad.txt"
    bad.write_text("只有标题\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")}
    env["XIEZUO_DATA_DIR"] = str(tmp_path / "var")
    command = [sys.executable, "-m", "xiezuo", "bulletins", "extract"]
    failed = subprocess.run(
        [*command, str(bad)], capture_output=True, text=True, env=env, timeout=120
    )
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    assert "缺少发布行" in failed.stderr


def test_import_publishes_the_files(site, tmp_path, settings, seed_path):
    from xiezuo.bulletins.models import Article

    settings.DATA_DIR = tmp_path
    other = tmp_path / "b.txt"
    other.write_text(
        "朝阳区向康保县拨付资金\n2019-04-02 信息来源：康保县扶贫办\n"
        "4月1日，朝阳区向康保县拨付财政援助资金3600万元。",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("bulletins", "import", str(seed_path), str(other), stdout=out)
    assert "共 2 篇" in out.getvalue()
    seed = Article.objects.get(title="北京市党政代表团到河北省对接扶贫协作工作")
    assert seed.status == Article.Status.PUBLISHED
    assert (seed.source, seed.publisher) == ("新华网", "isen")
    assert "4月13日至14日" in seed.text
    bad = tmp_path / "bad.txt"
    bad.write_text("只有标题\n正文。", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少发布行"):
        call_command("bulletins", "import", str(bad), stdout=StringIO())
