"""Loading the division table and the county flags."""

import csv
import time

import pytest
from django.db.models import Count

from xiezuo.core.codes import contains
from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region
from xiezuo.regions.services import COUNTY_FLAGS_FILE, load_county_flags, load_divisions

# DOMAIN.md §2: the 23 recipient counties of the 2018–2020 agreement.
RECIPIENTS = {
    "130722", "130723", "130732", "130709", "130728", "130826", "130824",
    "130724", "130725", "130726", "130727", "130708", "130705", "130731",
    "130624", "130630", "130623", "130633", "130627", "130636", "130631", "130634", "130637",
}  # fmt: skip


def counts_per_level(province_prefix: str) -> dict[int, int]:
    rows = (
        Region.objects.filter(code__startswith=province_prefix)
        .values("level")
        .annotate(n=Count("code"))
    )
    return {row["level"]: row["n"] for row in rows}


@pytest.fixture
def divisions(db):
    load_divisions()


def test_load_divisions_loads_every_level_of_hebei(divisions):
    assert counts_per_level("13") == {1: 1, 2: 11, 3: 190, 4: 2365, 5: 54145}


def test_load_divisions_loads_beijing_down_to_villages(divisions):
    assert counts_per_level("11") == {1: 1, 2: 1, 3: 16, 4: 349, 5: 7535}


def test_every_region_but_the_provinces_has_a_parent_one_level_up(divisions):
    assert set(Region.objects.filter(parent__isnull=True).values_list("code", flat=True)) == {
        "110000",
        "130000",
    }
    for level in range(2, 6):
        wrong = Region.objects.filter(level=level).exclude(parent__level=level - 1)
        assert not wrong.exists(), list(wrong[:5])


def test_a_village_chains_up_to_its_province(divisions):
    village = Region.objects.get(code="130723100201")
    chain = []
    region = village
    while region.parent_id:
        region = region.parent
        chain.append(region.code)
    assert chain == ["130723100", "130723", "130700", "130000"]
    assert Region.objects.get(code="130723").name == "康保县"


def test_every_region_lies_inside_its_parent(divisions):
    pairs = Region.objects.filter(parent__isnull=False).values_list("parent_id", "code")
    outside = [(parent, code) for parent, code in pairs if not contains(parent, code)]
    assert outside == []


def test_load_divisions_is_fast_on_the_embedded_database(db):
    started = time.perf_counter()
    count = load_divisions()
    elapsed = time.perf_counter() - started
    assert count == 64614
    assert elapsed < 3, f"load_divisions took {elapsed:.2f} s"


def test_load_divisions_twice_adds_nothing_and_keeps_flags(divisions):
    load_county_flags()
    before = Region.objects.count()
    assert load_divisions() == 0
    assert Region.objects.count() == before
    assert Region.objects.get(code="130723").poor_county


def test_load_divisions_leaves_existing_rows_alone_and_adds_the_rest(db):
    Region.objects.create(code="130000", name="河北", level=1)
    added = load_divisions()
    assert added == 64613
    assert Region.objects.get(code="130000").name == "河北"
    assert Region.objects.get(code="130700").parent_id == "130000"


def test_county_flags_mark_the_23_recipient_counties_poor(divisions):
    assert load_county_flags() == 23
    poor = set(Region.objects.filter(poor_county=True).values_list("code", flat=True))
    assert poor == RECIPIENTS


def test_county_flags_give_every_recipient_an_exit_year_of_the_campaign(divisions):
    load_county_flags()
    years = dict(Region.objects.filter(code__in=RECIPIENTS).values_list("code", "exit_year"))
    assert all(2016 <= year <= 2020 for year in years.values()), years
    assert years["130723"] == 2020  # 康保: last batch
    assert years["130631"] == 2017  # 望都


def test_county_flags_mark_kangbao_deep_poverty_and_leave_others_alone(divisions):
    load_county_flags()
    assert Region.objects.get(code="130723").deep_poverty
    assert not Region.objects.filter(code="130702", poor_county=True).exists()  # 桥东区
    assert not Region.objects.filter(level__lt=3, poor_county=True).exists()


def test_county_flags_file_says_where_each_row_comes_from():
    with COUNTY_FLAGS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["code"] for row in rows} == RECIPIENTS
    assert all(row["source"].strip() for row in rows)


def test_county_flags_with_an_unknown_code_are_refused_whole(divisions, tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text(
        "code,poor_county,deep_poverty,exit_year\n130723,1,1,2020\n139999,1,0,2019\n",
        encoding="utf-8",
    )
    with pytest.raises(RegionDataError) as caught:
        load_county_flags(path=path)
    assert "第 3 行" in caught.value.message
    assert "code" in caught.value.message
    assert not Region.objects.filter(poor_county=True).exists()


def test_county_flags_refuse_a_township_code(divisions, tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("code,poor_county,deep_poverty,exit_year\n130723100,1,0,\n", encoding="utf-8")
    with pytest.raises(RegionDataError, match="不是已知的县"):
        load_county_flags(path=path)


def test_county_flags_refuse_a_bad_year(divisions, tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("code,poor_county,deep_poverty,exit_year\n130723,1,1,20x0\n", encoding="utf-8")
    with pytest.raises(RegionDataError) as caught:
        load_county_flags(path=path)
    assert caught.value.extra["errors"] == [
        {"row": 2, "column": "exit_year", "message": "不是数字: '20x0'"}
    ]
