"""The extraction API: dates, places, amounts, directions, the seed article, the labelled set."""

import json
from datetime import date
from decimal import Decimal

import pytest

from xiezuo.bulletins.extraction import extract
from xiezuo.bulletins.extraction.evaluation import Score, same
from xiezuo.bulletins.extraction.numbers import chinese_number, find_amounts, find_dates
from xiezuo.bulletins.textfile import parse_article, read_article
from xiezuo.core.codes import county_of

from .conftest import LABELLED


def run(index, sides, body, published="2019-06-15 10:00:00", title="标题"):
    article = parse_article(f"{title}\n{published} 信息来源：测试\n{body}")
    return [activity.as_json() for activity in extract(article, places=index, sides=sides)]


def only(activities, kind):
    found = [a for a in activities if a["kind"] == kind]
    assert len(found) == 1, activities
    return found[0]


# Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "spans"),
    [
        ("4月13日至14日", date(2018, 4, 15), [(date(2018, 4, 13), date(2018, 4, 14))]),
        ("6月10日至11日", date(2019, 6, 12), [(date(2019, 6, 10), date(2019, 6, 11))]),
        ("12月30日至1月2日", date(2020, 1, 5), [(date(2019, 12, 30), date(2020, 1, 2))]),
        ("12月30日至1月2日", date(2019, 12, 20), [(date(2019, 12, 30), date(2020, 1, 2))]),
        ("2019年6月10日", date(2020, 1, 1), [(date(2019, 6, 10), None)]),
        ("6月10日", date(2019, 6, 12), [(date(2019, 6, 10), None)]),
        ("12月27日", date(2019, 1, 3), [(date(2018, 12, 27), None)]),
        ("2019年12月30日至2020年1月2日", date(2020, 1, 5),
         [(date(2019, 12, 30), date(2020, 1, 2))]),
        ("今年6月", date(2019, 6, 12), []),
    ],
)  # fmt: skip
def test_dates(text, published, spans):
    assert [(s.start, s.end) for s in find_dates(text, published)] == spans


def test_a_visit_across_the_year_boundary(index, sides):
    found = run(
        index, sides, "12月30日至1月2日，海淀区副区长带队赴赤城县走访慰问贫困户。", "2020-01-05"
    )
    visit = only(found, "visit")
    assert (visit["start"], visit["end"]) == ("2019-12-30", "2020-01-02")
    assert visit["row"]["开始日期"] == "2019-12-30"
    assert visit["row"]["结束日期"] == "2020-01-02"


def test_a_one_day_event_has_a_start_only(index, sides):
    visit = only(run(index, sides, "6月13日，顺义区区长率队赴望都县调研。"), "visit")
    assert visit["start"] == "2019-06-13"
    assert "end" not in visit
    assert visit["row"]["结束日期"] == "2019-06-13"


# Amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("3600万元", Decimal(3600)),
        ("1.2亿元", Decimal(12000)),
        ("500元", Decimal("0.05")),
        ("3,600万元", Decimal(3600)),
        ("三千万元", Decimal(3000)),
        ("一千二百万元", Decimal(1200)),
    ],
)
def test_amounts_in_wan_yuan(text, wan):
    assert [a.wan_yuan for a in find_amounts(f"拨付资金{text}。")] == [wan]


def test_amounts_without_yuan_are_no_money():
    assert find_amounts("提供岗位1200个，覆盖3万人") == []
    assert chinese_number("十五") == 15


def test_funds_in_yi_and_wan(index, sides):
    yi = only(run(index, sides, "6月19日，北京市安排对口帮扶河北省财政援助资金1.2亿元。"), "fund")
    assert (yi["amount_wan_yuan"], yi["helper"], yi["recipient"]) == (12000, "11", "13")
    wan = only(run(index, sides, "4月1日，朝阳区向康保县拨付财政援助资金3600万元。"), "fund")
    assert (wan["amount_wan_yuan"], wan["helper"], wan["recipient"]) == (3600, "110105", "130723")
    assert wan["ledger"] == "funds"
    assert wan["row"] == {
        "年度": 2019,
        "帮扶方代码": "110105",
        "受援方代码": "130723",
        "资金来源": "财政援助",
        "金额(万元)": 3600,
        "拨付日期": "2019-04-01",
    }


# Places and directions ------------------------------------------------------------------


def test_a_village_name_shared_by_two_counties(index, sides):
    """东梁村 is a village of 康保县 (邓油坊镇), of 赤城县 (东万口乡) and of others: the county
    before it decides."""
    assert {"130723", "130732"} <= {county_of(code) for code in index.names["东梁村"]}
    chicheng = [m.code for m in index.find("到赤城县东梁村走访")]
    kangbao = [m.code for m in index.find("到康保县东梁村走访")]
    assert chicheng[-1] != kangbao[-1]
    assert county_of(chicheng[-1]) == "130732"
    assert county_of(kangbao[-1]) == "130723"
    assert [m.code for m in index.find("东梁村")] == []  # no county about: left out
    visit = only(run(index, sides, "7月18日，海淀区工作组到赤城县东万口乡东梁村走访。"), "visit")
    assert visit["places"] == ["130732"]
    assert visit["row"]["到访地代码"] == chicheng[-1]


def test_full_and_short_names(index):
    def codes(text):
        return [m.code for m in index.find(text)]

    assert codes("丰宁满族自治县") == codes("丰宁县") == codes("丰宁") == ["130826"]
    assert codes("北京市") == codes("北京") == ["110000"]
    assert codes("河北省") == codes("我省") == codes("河北") == ["130000"]
    assert codes("承德市") == codes("承德") == ["130800"]
    assert codes("张家口市") == ["130700"]


def test_a_visit_from_beijing_to_hebei(index, sides):
    visit = only(
        run(index, sides, "6月10日至11日，朝阳区党政代表团赴康保县调研对接扶贫协作工作。"), "visit"
    )
    assert (visit["from"], visit["to"]) == ("110105", "130723")
    assert (visit["helper"], visit["recipient"]) == ("110105", "130723")
    assert visit["places"] == ["130723"]
    assert visit["row"]["出访方代码"] == "110105"
    assert visit["row"]["到访地代码"] == "130723"


def test_a_visit_from_hebei_to_beijing(index, sides):
    visit = only(
        run(index, sides, "9月3日，康保县县长带领康保县党政代表团到北京市朝阳区考察学习。"),
        "visit",
    )
    assert (visit["from"], visit["to"]) == ("130723", "11")
    assert visit["places"] == ["110105"]
    assert (visit["helper"], visit["recipient"]) == ("11", "130723")
    assert visit["leader_category"] == "政府主要负责人"


def test_leader_categories(index, sides):
    def category(text):
        return only(run(index, sides, text), "visit").get("leader_category")

    assert category("6月1日，朝阳区委书记带队赴康保县调研。") == "党委书记"
    assert category("6月1日，朝阳区区长带队赴康保县调研。") == "政府主要负责人"
    assert category("6月1日，朝阳区副区长带队赴康保县调研。") == "其他领导"
    assert category("6月1日，朝阳区工作组赴康保县调研。") is None


def test_an_article_with_nothing_to_extract(index, sides):
    assert run(index, sides, "会议强调，要加大培训力度，做好资金保障。春节将至，注意安全。") == []


def test_training_job_fair_and_agreement(index, sides):
    found = run(
        index,
        sides,
        "7月8日至12日，朝阳区在朝阳区委党校为康保县举办党政干部能力提升培训班，培训120人次。"
        "3月5日，朝阳区在康保县举办专场招聘会，帮助36名贫困劳动力达成就业意向。"
        "5月10日，朝阳区与康保县签署《朝阳区 康保县扶贫协作协议》和《劳务协作协议》。",
    )
    training = only(found, "training")
    assert training["trainee"] == "党政干部"
    assert training["person_times"] == 120
    assert (training["helper"], training["recipient"]) == ("110105", "130723")
    assert training["row"]["培训人次"] == 120
    fair = only(found, "job_fair")
    assert (fair["poor_labourers"], fair["start"]) == (36, "2019-03-05")
    assert "ledger" not in fair
    assert "row" not in fair
    titles = [a["title"] for a in found if a["kind"] == "agreement"]
    assert titles == ["朝阳区 康保县扶贫协作协议", "劳务协作协议"]


# The seed article ------------------------------------------------------------------------


def test_the_seed_article(index, sides, seed_path):
    article = read_article(seed_path)
    found = [a.as_json() for a in extract(article, places=index, sides=sides)]
    visit = only(found, "visit")
    assert (visit["start"], visit["end"]) == ("2018-04-13", "2018-04-14")
    assert visit["from"] == "11"
    assert visit["to"] == "13"
    assert sorted(visit["places"]) == sorted(
        [
            index.names["滦平县"][0],
            index.names["丰宁满族自治县"][0],
            index.names["沽源县"][0],
            index.names["张北县"][0],
        ]
    )
    assert visit["leader_category"] == "党委书记"
    agreement = only(found, "agreement")
    assert agreement["title"] == "全面深化京冀扶贫协作工作三年行动框架协议"
    assert (agreement["helper"], agreement["recipient"]) == ("11", "13")
    assert agreement["row"]["协议名称"] == agreement["title"]
    assert set(agreement["row"]) == {
        "协议名称", "帮扶方代码", "受援方代码", "签署日期", "生效日期", "终止日期"
    }  # fmt: skip


# The labelled set and its evaluation ------------------------------------------------------


def test_the_labelled_set_is_well_formed():
    texts = sorted(LABELLED.glob("*.txt"))
    assert len(texts) >= 40
    for path in texts:
        read_article(path)
        expected = json.loads(path.with_suffix(".json").read_text("utf-8"))
        for activity in expected["activities"]:
            assert activity["kind"] in {
                "visit", "meeting", "agreement", "training", "job_fair", "fund", "purchase",
                "donation", "investment", "secondment",
            }, path  # fmt: skip
    assert any(not json.loads(p.read_text("utf-8"))["activities"] for p in LABELLED.glob("*.json"))


def test_the_evaluation_on_a_tiny_hand_case():
    expected = [
        {"kind": "visit", "start": "2019-06-10", "from": "110105", "places": ["130723", "130722"]},
        {"kind": "fund", "amount_wan_yuan": 3600, "helper": "110105", "recipient": "130723"},
    ]
    found = [
        # Places in another order, extra fields: still the same visit.
        {"kind": "visit", "start": "2019-06-10", "from": "110105", "places": ["130722", "130723"],
         "evidence": "…"},
        # Wrong amount: not the expected fund.
        {"kind": "fund", "amount_wan_yuan": 360, "helper": "110105", "recipient": "130723"},
        {"kind": "meeting", "start": "2019-06-11", "helper": "110105", "recipient": "130723"},
    ]  # fmt: skip
    assert same(expected[0], found[0])
    assert not same(expected[1], found[1])
    assert not same(expected[0], {**found[0], "end": "2019-06-11"})
    score = Score()
    score.add(expected, found)
    assert score.precision() == 1 / 3
    assert score.recall() == 1 / 2
    assert score.precision("visit") == 1.0
    assert score.recall("fund") == 0.0
    assert score.precision("meeting") == 0.0
    assert score.recall("meeting") is None
    # A found activity matches one expected activity at most.
    twice = Score()
    twice.add(expected[:1], [found[0], found[0]])
    assert (twice.correct["visit"], twice.found["visit"]) == (1, 2)


def test_a_visit_lists_only_the_places_visited(index, sides):
    found = run(
        index,
        sides,
        "6月10日至11日，朝阳区委书记率党政代表团赴康保县调研，朝阳区向康保县拨付援助资金3600万元。",
        "2019-06-12",
    )
    visit = only(found, "visit")
    assert visit["from"] == "110105"
    assert visit["places"] == ["130723"]
    assert only(found, "fund")["amount_wan_yuan"] == 3600
