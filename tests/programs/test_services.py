import tomllib

import pytest

from xiezuo.core.errors import XiezuoError
from xiezuo.programs.models import Pairing
from xiezuo.programs.services import programme_file, programme_load


def test_builtin_programme_has_23_recipients_16_helpers_and_7_confirmed_pairs():
    """The Beijing–Hebei file matches DOMAIN.md §2: 23 counties, 16 districts, 7 confirmed pairs."""
    with programme_file("beijing-hebei").open("rb") as f:
        config = tomllib.load(f)
    pairs = config["pairings"]
    confirmed = {(p["helper"], p["recipient"]) for p in pairs if "provenance" not in p}
    assert len({p["recipient"] for p in pairs}) == 23
    assert len({p["helper"] for p in pairs}) == 16
    assert confirmed == {
        ("110102", "130722"),
        ("110105", "130723"),
        ("110108", "130732"),
        ("110101", "130709"),
        ("110116", "130728"),
        ("110116", "130826"),
        ("110118", "130824"),
    }
    assert config["fund_envelope"] == "262100.00"


def test_programme_load_creates_pairings_with_provenance(small_programme):
    pairings = {p.key: p for p in small_programme.pairings.all()}
    assert set(pairings) == {"110105→130723", "110116→130728", "110116→130826"}
    assert pairings["110116→130826"].provenance == Pairing.Provenance.ILLUSTRATIVE
    assert pairings["110105→130723"].provenance == Pairing.Provenance.CONFIRMED
    assert small_programme.poverty_lines.get(year=2020).yuan_per_person == 4000


def test_programme_load_is_idempotent(small_programme, tmp_path):
    """Loading the same file twice leaves one programme with the same pairings."""
    again = programme_load(path=tmp_path / "small.toml")
    assert again.pk == small_programme.pk
    assert again.pairings.count() == 3


def test_programme_load_rejects_unknown_regions(db, tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        'key = "x"\nname = "x"\nstart_year = 2018\nend_year = 2020\nhelper_province = "110000"\n'
        'recipient_province = "130000"\nfund_envelope = "1"\nstart_date = "2018-01-01"\n'
        'end_date = "2020-12-31"\n',
        encoding="utf-8",
    )
    with pytest.raises(XiezuoError, match="110000"):
        programme_load(path=path)


def test_unknown_programme_key_names_the_known_ones():
    with pytest.raises(XiezuoError, match="beijing-hebei"):
        programme_file("nowhere")
