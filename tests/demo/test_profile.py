import pytest

from xiezuo.core import codelists
from xiezuo.demo import profile


def test_every_label_of_the_profile_is_in_its_code_list():
    loaded = profile.load_profile()
    assert loaded["households"] > 0
    for path, listname in profile.LABELLED_TABLES:
        node = loaded
        for key in path.split("."):
            node = node[key]
        assert set(node) <= set(codelists.labels(listname)), path


def test_every_label_of_the_ledger_profile_is_in_its_code_list():
    loaded = profile.load_ledger_profile()
    for path, listname in profile.LEDGER_LABELLED_TABLES:
        node = loaded
        for key in path.split("."):
            node = node[key]
        assert set(node) <= set(codelists.labels(listname)), path
    assert set(loaded["labour"]["skills"]) <= set(codelists.labels("labour_skill"))
    for weights in loaded["projects"]["status"]:
        assert set(weights) <= set(codelists.labels("project_status"))


def test_every_label_of_the_precision_profile_is_in_its_code_list():
    loaded = profile.load_precision_profile()
    for path, listname in profile.PRECISION_LABELLED_TABLES:
        node = loaded
        for key in path.split("."):
            node = node[key]
        assert set(node) <= set(codelists.labels(listname)), path
    assert set(loaded["clues"]["case_measures"].values()) <= set(
        codelists.labels("measure_category")
    )
    # Every category says who receives it: the household or a member by health or age.
    levels = {entry["level"] for entry in loaded["measures"]["categories"].values()}
    assert levels == {"household", "working", "student", "sick", "disabled"}
    assert set(loaded["measures"]["categories"]) == set(codelists.labels("measure_category"))


def test_the_seed_reports_april_2018_delegation_is_a_recorded_visit():
    (event,) = profile.load_ledger_profile()["visits"]["events"]
    assert (event["start_date"].isoformat(), event["end_date"].isoformat()) == (
        "2018-04-13",
        "2018-04-14",
    )
    assert event["leader_category"] == "党委书记"
    assert {place["county"] for place in event["places"]} == {
        "130824", "130826", "130724", "130722",
    }  # fmt: skip


def test_a_label_missing_from_its_code_list_is_refused():
    with pytest.raises(profile.ProfileError) as raised:
        profile._check("health.adult", ["健康", "亚健康"], "health")
    assert raised.value.extra["labels"] == ["亚健康"]
    with pytest.raises(profile.ProfileError):
        profile.label("relation", "之曾孙")


def test_names_and_accounts_are_read_from_the_data_files():
    names = profile.load_names()
    assert len(names.surnames) == len(names.surname_weights) > 50
    assert names.surnames[0] == "王"
    accounts = profile.load_accounts()
    assert {entry["role"] for entry in accounts["accounts"]} == {
        "programme_office", "helper_office", "county_office", "cadre", "assessor",
    }  # fmt: skip
