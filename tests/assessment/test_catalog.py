"""The catalog is data: 22 indicators in six areas and four outcomes, as DOMAIN.md §3 lists."""

from decimal import Decimal

from xiezuo.assessment import catalog


def test_the_catalog_holds_i01_to_i22_and_o1_to_o4():
    ids = [i.id for i in catalog.indicators()]
    assert ids == [f"I{n:02d}" for n in range(1, 23)] + ["O1", "O2", "O3", "O4"]


def test_six_areas_and_the_outcomes():
    assert catalog.areas() == [
        "组织领导",
        "人才支援",
        "资金支持",
        "产业合作",
        "劳务协作",
        "携手奔小康",
        "成效",
    ]


def test_durations_are_parameters_not_code():
    assert catalog.indicator("I04").params["min_days"] == 30
    assert catalog.indicator("I05").params["min_days"] == 30
    assert catalog.indicator("I16").params["stable_days"] == 90
    assert catalog.indicator("I17").params["stable_days"] == 90


def test_outcomes_and_indicators_apply_to_both_sides():
    assert catalog.indicator("O1").unit_types == ("pairing", "helper", "recipient", "programme")
    assert catalog.indicator("I08").unit_types == ("pairing", "helper", "recipient", "programme")


def test_default_weights_split_each_area_evenly(beijing_targets):
    defaults = catalog.target_defaults(beijing_targets)
    assert defaults.weights["I01"] == Decimal(5)  # 组织领导 15 ÷ 3
    assert defaults.weights["I04"] == Decimal("3.75")  # 人才支援 15 ÷ 4
    assert defaults.weights["I08"] == Decimal(4)  # 资金支持 20 ÷ 5
    assert defaults.weights["I16"] == Decimal("6.6667")  # 劳务协作 20 ÷ 3
    assert defaults.weights["O1"] == 0
    assert sum(defaults.weights.values()).quantize(Decimal("0.01")) == 100
    assert defaults.targets["I11"] == 80
    assert "O2" not in defaults.targets
    assert [b.grade for b in defaults.grades] == ["好", "较好", "一般", "较差"]
