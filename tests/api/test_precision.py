"""Precision work and monitoring through the API: the selectors' reports, in the caller's
scope, 404 for years without them and for roles that may not see them."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_county_office_reads_its_precision_report(households, bearer):
    """康保's office: the report of 2020 holds only 康保's households and villages."""
    response = bearer("county_office").get("/api/precision/2020")
    assert response.status_code == 200, response.content[:300]
    report = response.json()
    assert report["year"] == 2020
    assert set(report) == {"year", "gaps", "wrong_exits", "ready_to_exit", "villages", "counties"}
    numbers = [g["household"] for g in report["gaps"]] + report["ready_to_exit"]
    assert numbers
    assert all(n.startswith("130723") for n in numbers)
    assert {c["county"] for c in report["counties"]} <= {"130723"}


def test_a_cadre_may_not_read_precision_and_other_years_are_not_found(households, bearer):
    assert bearer("cadre").get("/api/precision/2020").status_code == 404
    for url in ("/api/precision/2030", "/api/monitoring/2030"):
        response = bearer("county_office").get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_monitoring_cases_of_a_year(households, bearer):
    """The board's cases of 2020 in the caller's scope; a household that is no case is 404."""
    client = bearer("county_office")
    report = client.get("/api/monitoring/2020").json()
    assert (report["year"], report["as_of"]) == (2020, "2020-12-31")
    assert all(case["household"].startswith("130723") for case in report["cases"])
    cases = {case["household"] for case in report["cases"]}
    quiet = next(h for h in ("A", "B", "C") if households[h].household_no not in cases)
    response = client.get(f"/api/monitoring/2020/cases/{households[quiet].household_no}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
