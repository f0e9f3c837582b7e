import datetime as dt
import io

import pytest
from django.core.management import call_command

from xiezuo.assessment.models import AssessmentRun
from xiezuo.core import codes
from xiezuo.ledgers.models import Visit
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
    assert "262,100.00" in text  # fiscal aid in 万元: money does not scale
    assert "互访调研" in text  # a ledger stage
    # The seed report's delegation, one row per county, its villages found in the real table.
    delegation = Visit.objects.filter(start_date=dt.date(2018, 4, 13), leader="蔡奇")
    assert set(delegation.values_list("origin_id", "destination_id")) == {
        ("110118", "130824"),  # 密云 → 滦平: 兴春和生态循环农业示范区 has no region code
        ("110116", "130826104201"),  # 怀柔 → 丰宁 黄旗镇城根营村
        ("110107", "130724101207"),  # 石景山 → 沽源 小厂镇窑沟台村 (illustrative pair)
        ("110102", "130722"),  # 西城 → 张北: 嘉茂菌业 and 台路沟乡后大营滩村
    }
    assert "kangbao-cadre" in text
    assert "仅供" in text  # the passwords are said to be demo-only
    # Every year assessed at its year end, so the assessment and report pages open on figures.
    runs = AssessmentRun.objects.order_by("year")
    assert [(run.year, run.as_of) for run in runs] == [
        (year, dt.date(year, 12, 31)) for year in (2018, 2019, 2020)
    ]
    assert all(run.units.filter(unit_type="recipient").count() == 23 for run in runs)
    assert "已运行考核" in text


def test_the_demos_task_worker_is_started_again_when_it_dies(monkeypatch, tmp_path):
    """`xiezuo demo` keeps its `xiezuo worker` running: killed, it comes back; stopped, it ends."""
    import os
    import signal
    import time

    from rich.console import Console

    from xiezuo.demo.management.commands import demo

    monkeypatch.setenv("XIEZUO_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(demo, "WORKER_CHECK_SECONDS", 0.1)
    with demo._task_worker(Console(file=io.StringIO())) as supervisor:
        first = supervisor.worker
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while supervisor.worker is first and time.monotonic() < deadline:
            time.sleep(0.1)
        second = supervisor.worker
        assert second is not first
        assert second.poll() is None
    assert first.returncode == -signal.SIGKILL
    assert second.poll() is not None
