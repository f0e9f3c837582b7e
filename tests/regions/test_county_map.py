"""The vendored county map of 张家口, 承德 and 保定."""

import csv
import gzip
import json
from pathlib import Path

import pytest

from xiezuo.regions.services import DIVISIONS_FILE

MAP_FILE = (
    Path(__file__).resolve().parents[2]
    / "xiezuo/web/static/vendor/maps/zhangjiakou-chengde-baoding.json"
)
RECIPIENTS = {
    "130722", "130723", "130732", "130709", "130728", "130826", "130824",
    "130724", "130725", "130726", "130727", "130708", "130705", "130731",
    "130624", "130630", "130623", "130633", "130627", "130636", "130631", "130634", "130637",
}  # fmt: skip
CITIES = {"130600", "130700", "130800"}


@pytest.fixture(scope="module")
def features():
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))["features"]


def rings(geometry):
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [ring for polygon in polygons for ring in polygon]


def test_every_recipient_county_has_a_feature(features):
    assert {f["properties"]["adcode"] for f in features} >= RECIPIENTS


def test_features_carry_a_six_digit_adcode_a_name_and_their_city(features):
    for feature in features:
        props = feature["properties"]
        assert isinstance(props["adcode"], str), props
        assert len(props["adcode"]) == 6, props
        assert props["adcode"].isascii(), props
        assert props["adcode"].isdigit(), props
        assert props["name"], props
        assert props["city"] == props["adcode"][:4] + "00", props


def test_the_map_holds_every_administrative_county_of_the_three_cities(features):
    """The statistics bureau's development zones (xx7x codes) have no geometry of their own."""
    with gzip.open(DIVISIONS_FILE, "rt", encoding="utf-8") as handle:
        counties = {
            row["code"]: row["name"]
            for row in csv.DictReader(handle)
            if row["level"] == "3" and row["parent"] in CITIES and row["code"][4] != "7"
        }
    mapped = {f["properties"]["adcode"]: f["properties"]["name"] for f in features}
    assert mapped == counties


def test_geometry_is_plain_closed_rings_in_hebei_at_four_decimals(features):
    for feature in features:
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        for ring in rings(feature["geometry"]):
            assert len(ring) >= 4
            assert ring[0] == ring[-1]
            for lon, lat in ring:
                assert 113 < lon < 120, (feature["properties"], lon)
                assert 38 < lat < 43, (feature["properties"], lat)
                assert round(lon, 4) == lon
                assert round(lat, 4) == lat
