"""Code lists as data: labels, and the aliases offices write for them."""

import pytest

from xiezuo.core import codelists


def test_every_alias_names_a_label_and_no_form_is_ambiguous():
    for name in codelists.names():
        lookup = codelists.lookup(name)
        assert set(lookup.values()) == set(codelists.labels(name))
        for alias, label in codelists.aliases(name).items():
            assert codelists.canonical(name, alias) == label


@pytest.mark.parametrize(
    ("name", "text", "label"),
    [
        ("identification_standard", "国家", "国家标准"),
        ("identification_standard", "　省定 ", "省定标准"),
        ("household_attribute", "低保户", "低保贫困户"),
        ("household_attribute", "五保户", "特困供养贫困户"),
        ("household_status", "已脱贫", "已脱贫(享受政策)"),
        ("household_status", "已脱贫（不再享受政策）", "已脱贫(不再享受政策)"),
        ("dangerous_house", "c级", "C级"),
        ("yes_no", "y", "是"),
        ("household_status", "脱贫了", None),
        ("household_status", None, None),
    ],
)
def test_canonical_maps_what_offices_write(name, text, label):
    assert codelists.canonical(name, text) == label
