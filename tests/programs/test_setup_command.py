from io import StringIO

from django.core.management import call_command

from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import Region
from xiezuo.registry.models import Household


def test_setup_loads_regions_and_the_builtin_programme_without_households(db):
    out = StringIO()
    call_command("setup", stdout=out)

    programme = Programme.objects.get(key="beijing-hebei")
    assert programme.pairings.count() == 23
    assert programme.pairings.filter(provenance=Pairing.Provenance.CONFIRMED).count() == 7
    assert Region.objects.filter(level=5, code__startswith="130723").count() > 100
    assert Region.objects.get(code="130723").poor_county
    assert "23 对结对" in out.getvalue()
    assert Household.objects.count() == 0


def test_setup_twice_changes_nothing(db):
    call_command("setup", stdout=StringIO())
    regions = Region.objects.count()
    out = StringIO()
    call_command("setup", stdout=out)
    assert Region.objects.count() == regions
    assert "区划新增 0 条" in out.getvalue()
