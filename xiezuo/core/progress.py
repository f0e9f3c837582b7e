"""One progress protocol for every long job: services report, commands draw, tasks store.

A service that takes a while (an import, an export, a demo build, an assessment) accepts a
`Progress` callback and calls it with the stage it is in, how much of that stage is done and
its total when known. It never knows who listens. A command draws the calls as a progress bar
on a terminal (`console_progress`); a task writes them to its job row for the page to poll.
"""

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Protocol


class Progress(Protocol):
    """Receive `done` of `total` (None when not known yet) for the stage `stage`."""

    def __call__(self, stage: str, done: int, total: int | None) -> None: ...


def silent(stage: str, done: int, total: int | None) -> None:
    """Ignore progress (the callback for callers that do not show it)."""


@contextlib.contextmanager
def console_progress(
    stream: Any = None,
    *,
    titles: Mapping[str, str] | None = None,
    unit: str = "",
    always: bool = False,
) -> Iterator[Progress]:
    """Yield a callback drawing one rich bar per stage on a terminal, or a silent one elsewhere.

    `titles` gives the Chinese title of each stage, in the order the bars are shown (stages
    not named there get a bar when they first report). The bars are drawn when `stream` is a
    terminal, or always with `always` (the demo build shows its stages on any console).
    """
    terminal = always or bool(getattr(stream, "isatty", lambda: False)())
    if not terminal:
        yield silent
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import (
        Progress as Bars,
    )

    out = getattr(stream, "_out", stream)  # a management command's OutputWrapper
    bars = Bars(
        SpinnerColumn(finished_text="✓"),
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=Console(file=out, highlight=False),
    )
    titles = dict(titles or {})
    tasks = {
        stage: bars.add_task(title, total=None, start=False) for stage, title in titles.items()
    }
    started: set[str] = set()

    def report(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(titles.get(stage, stage), total=total, start=False)
        task = tasks[stage]
        if stage not in started:
            started.add(stage)
            bars.start_task(task)
        bars.update(task, completed=done, total=total)
        if total is not None and done >= total:
            bars.stop_task(task)

    with bars:
        yield report
