import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SEED = HERE / "seed" / "000_928fba44edae6af6.txt"  # the seed news page, as saved from the site
LABELLED = HERE / "labelled"


@pytest.fixture
def seed_path(tmp_path):
    return Path(shutil.copy(SEED, tmp_path / "seed.txt"))


@pytest.fixture(scope="session")
def index():
    """The place index of the packaged division table (as a set-up installation has it)."""
    from xiezuo.bulletins.extraction.loading import place_index_from_file

    return place_index_from_file()


@pytest.fixture(scope="session")
def sides():
    from xiezuo.bulletins.extraction.loading import programme_sides_from_file

    return programme_sides_from_file()
