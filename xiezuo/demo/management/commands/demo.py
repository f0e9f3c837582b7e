import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from xiezuo.access import Role
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import console_progress
from xiezuo.regions.models import Region

if TYPE_CHECKING:
    # The generators (numpy) load when the build starts, not with `xiezuo help`.
    from xiezuo.demo.services import DemoAccount, DemoSummary

# How long the task worker may take to finish the task in hand when the server stops.
WORKER_STOP_SECONDS = 30
# How often the demo checks that its task worker still runs.
WORKER_CHECK_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Set up the database, build the Beijing–Hebei demo registry at real scale and the "
        "ledgers of every pairing and programme year, create one demo account per role, assess "
        "every year, then serve the site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count")
        parser.add_argument("--seed", type=int, default=2018, help="same seed, same rows")
        parser.add_argument("--no-serve", action="store_true", help="build, then stop")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="where to serve")

    def handle(
        self, *args: Any, scale: float, seed: int, no_serve: bool, addrport: str, **options: Any
    ) -> None:
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), highlight=False)
        from xiezuo.demo.services import (
            STAGE_TITLES,
            STAGES,
            demo_accounts,
            demo_assess,
            demo_build,
        )

        verbosity = options["verbosity"]
        console.print("[bold]准备数据库[/]：迁移、区划、项目配置…")
        call_command("setup", verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        try:
            titles = {stage: STAGE_TITLES[stage] for stage in STAGES}
            with console_progress(console.file, titles=titles, unit="行", always=True) as progress:
                summary = demo_build(scale=scale, seed=seed, progress=progress)
            accounts = demo_accounts()
            console.print("[bold]运行考核[/]：各年度年末…")
            runs = demo_assess()
        except XiezuoError as error:
            raise CommandError(error.message) from error
        console.print(_summary_table(summary))
        console.print(
            "已运行考核："
            + "、".join(f"{run.year} 年（#{run.pk}）" for run in runs)
            + "；考核、整改与自评报告页面据此显示。"
        )
        console.print(_accounts_table(accounts))
        console.print("[yellow]以上账号和密码仅供本机演示使用，切勿用于真实数据或对外部署。[/]")
        if not no_serve:
            console.print(f"打开 http://{addrport}/ 并用上面的账号登录；Ctrl-C 停止。")
            with _task_worker(console):
                call_command("runserver", addrport, use_reloader=False)


@contextlib.contextmanager
def _task_worker(console: Console) -> Iterator["_Supervisor"]:
    """Run `xiezuo worker` beside the server (imports run in it); stop it with the server.

    The worker retries a busy database, fails import jobs whose worker died and prunes old
    jobs and uploads daily (`xiezuo prune`); should it exit all the same, it is started again.
    It runs in a session of its own, so Ctrl-C reaches the server only and the worker gets
    exactly one SIGTERM from here: it finishes the task in hand, then exits (a second signal
    would abandon the task).
    """
    supervisor = _Supervisor(console)
    supervisor.start()
    try:
        yield supervisor
    finally:
        supervisor.stop()


class _Supervisor:
    """Keep one `xiezuo worker` process running until stopped."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.worker: subprocess.Popen | None = None
        self.watch = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self.console.print(
            f"后台任务进程 xiezuo worker 已启动（pid {self.worker.pid if self.worker else '?'}），"
            "用于网页导入；意外退出时会自动重启。"
        )
        self.watch.start()

    def _spawn(self) -> None:
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "xiezuo", "worker", "--no-reload"], start_new_session=True
        )

    def _watch(self) -> None:
        while not self.stopping.wait(WORKER_CHECK_SECONDS):
            with self.lock:
                if self.stopping.is_set() or self.worker is None:
                    return
                code = self.worker.poll()
                if code is None:
                    continue
                self._spawn()
                pid = self.worker.pid
            self.console.print(
                f"[yellow]后台任务进程意外退出（代码 {code}），已重新启动（pid {pid}）。[/]"
            )

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            worker = self.worker
        if worker is None or worker.poll() is not None:
            return
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _summary_table(summary: "DemoSummary") -> Table:
    from xiezuo.demo.ledgers import STAGE_TITLES as LEDGER_STAGES
    from xiezuo.demo.precision import STAGE_TITLES as PRECISION_STAGES

    table = Table(
        title=f"演示数据（规模 {summary.scale:g}，种子 {summary.seed}）", show_header=False
    )
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("受援县 / 有贫困户的村", f"{summary.counties} / {summary.villages:,}")
    table.add_row("建档立卡贫困户 / 人", f"{summary.households:,} / {summary.people:,}")
    for year, households in summary.exited_households.items():
        table.add_row(f"{year} 年脱贫 户 / 人", f"{households:,} / {summary.exited_people[year]:,}")
    table.add_row("累计脱贫人口", f"{summary.people_lifted:,}")
    table.add_row("返贫户", f"{summary.fallback_households:,}")
    table.add_row("监测对象户（建档立卡以外）", f"{summary.monitored_households:,}")
    table.add_row(
        f"{summary.last_year} 年末未脱贫 户 / 人",
        f"{summary.poor_households:,} / {summary.poor_people:,}",
    )
    table.add_row(f"{summary.last_year} 年乡村户籍人口", f"{summary.rural_population:,}")
    table.add_row(f"{summary.last_year} 年末贫困发生率", f"{summary.incidence:.2f} %")
    table.add_row("财政援助资金（万元）", f"{summary.fiscal_aid:,.2f}")
    table.add_row("与贫困人口紧密联系项目资金占比", f"{summary.closely_linked_share:.1f} %")
    table.add_row("台账行数", f"{sum(summary.rows.get(stage, 0) for stage in LEDGER_STAGES):,}")
    table.add_row(
        "精准帮扶与监测行数", f"{sum(summary.rows.get(stage, 0) for stage in PRECISION_STAGES):,}"
    )
    table.add_row("写入行数", f"{sum(summary.rows.values()):,}")
    table.add_row("用时", f"{summary.seconds:.1f} 秒")
    return table


def _accounts_table(accounts: "list[DemoAccount]") -> Table:
    names = Region.objects.in_bulk([account.region for account in accounts])
    table = Table(title="演示账号（仅供演示）")
    for column in ("用户名", "密码", "角色", "区划"):
        table.add_column(column)
    for account in accounts:
        region = names.get(account.region)
        where = f"{region.name} {account.region}" if region else account.region
        table.add_row(account.username, account.password, Role(account.role).label, where)
    return table
