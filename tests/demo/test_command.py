import io

import pytest
from django.core.management import call_command

from xiezuo.core import codes
from xiezuo.programs.models import Pairing
from xiezuo.registry.models import Household


@pytest.mark.django_db
def test_demo_command_sets_up_builds_and_prints_the_summary_and_sign_in(settings):
    """On the real division data: 23 recipient counties, villages of the real table."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("demo", "--scale", "0.002", "--no-serve", stdout=out)
    text = out.getvalue()
    recipients = set(Pairing.objects.values_list("recipient_id", flat=True))
    assert len(recipients) == 23
    counties = set(Household.objects.values_list("county_id", flat=True))
    assert counties <= recipients
    assert len(counties) >= 20
    for village, county in Household.objects.values_list("village_id", "county_id"):
        assert codes.contains(county, village)
    assert "306" in text  # households at scale 0.002
    assert "贫困发生率" in text
    assert "kangbao-cadre" in text
    assert "仅供" in text  # the passwords are said to be demo-only
