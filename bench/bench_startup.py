"""Time how long commands take to start, each run a fresh process, beside Django's own start.

    uv run python bench/bench_startup.py [RUNS]

Prints the median wall time and CPU time (user + system) of RUNS fresh subprocesses (default
7, after one warm-up run each; CPU time is the steadier figure on a shared machine) for
`python -c "import django; django.setup()"` with Xiezuo's settings (the floor), `xiezuo check`,
`xiezuo import --help`, `xiezuo assess --help`, and, for reference, setup plus the heavy modules
URL loading used to import (Ibis, Polars, PyArrow, numpy, xlsxwriter).
Target: `xiezuo check` and `xiezuo import --help` within 1.2 s.

Runs as an installed machine does, with bytecode caches: PYTHONDONTWRITEBYTECODE is dropped
for the subprocesses, so the warm-up run writes them (compiling every module each time would
add seconds to each start, Django's own included).
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.2
SETUP = "import django; django.setup()"
# What `xiezuo check` imported before: the libraries the URLconf pulled in through the
# assessment and ingest modules.
HEAVY = SETUP + (
    "; import ibis, ibis.backends.sql.compilers.sqlite, polars, pyarrow.parquet, pyarrow.compute"
    "; import numpy, xlsxwriter"
)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Return the wall and CPU seconds of `runs` fresh processes (after a warm-up run)."""
    walls, cpus = [], []
    for n in range(runs + 1):
        cpu, start = _cpu(), time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        if n:  # the first run writes bytecode caches and warms the disk cache
            walls.append(time.perf_counter() - start)
            cpus.append(_cpu() - cpu)
    return walls, cpus


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    python = sys.executable
    xiezuo = str(Path(python).parent / "xiezuo")
    with tempfile.TemporaryDirectory(prefix="xiezuo-bench-startup-") as data_dir:
        env = {
            **os.environ,
            "XIEZUO_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
        }
        cases = [
            ('python -c "import django; django.setup()"', [python, "-c", SETUP], False),
            ("xiezuo check", [xiezuo, "check"], True),
            ("xiezuo import --help", [xiezuo, "import", "--help"], True),
            ("xiezuo assess --help", [xiezuo, "assess", "--help"], False),
            ("setup + Ibis/Polars/PyArrow/numpy (before)", [python, "-c", HEAVY], False),
        ]
        print(f"command start-up: median of {runs} fresh processes, wall and CPU seconds")
        print(f"  {'':<46} {'wall':>6} {'cpu':>6}  {'cpu over django.setup()':>24}")
        floor = None
        for label, command, targeted in cases:
            walls, cpus = _time(command, env, runs)
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            floor = floor if floor is not None else cpu
            note = ""
            if targeted:
                note = f"  target ≤ {TARGET_SECONDS:.1f} s" + (
                    "" if wall <= TARGET_SECONDS else " (over: is the machine busy? see cpu)"
                )
            print(f"  {label:<46} {wall:6.2f} {cpu:6.2f}  {cpu - floor:+23.2f}{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
