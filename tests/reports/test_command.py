"""`xiezuo report`: one file per unit, the programme report by default, clear errors."""

import threading
import warnings

import pytest
from django.core.management import CommandError, call_command


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"


def report(*args: str) -> None:
    call_command("report", "--programme", "small", *args)


def test_one_unit_as_html(assessed, out):
    report("--year", "2019", "--unit", "110105", "--format", "html", "-o", str(out))
    written = sorted(p.name for p in out.iterdir())
    assert written == ["2019-110105-朝阳区.html"]
    assert "朝阳区" in (out / written[0]).read_text(encoding="utf-8")


def test_a_unit_code_and_format_as_officials_type_them(assessed, out):
    report("--year", "2019", "--unit", " １１０１０５ ", "--format", "HTML", "-o", str(out))
    assert [p.name for p in out.iterdir()] == ["2019-110105-朝阳区.html"]


def test_all_units_and_the_programme(assessed, out):
    call_command(
        "report",
        "--programme",
        "small",
        "--year",
        "2019",
        "--all",
        "--format",
        "html",
        "-o",
        str(out),
    )
    units = assessed.units.filter(unit_type__in=("helper", "recipient"))
    written = {p.name for p in out.iterdir()}
    assert "2019-programme.html" in written
    assert {name.split("-")[1] for name in written} == {u.unit for u in units} | {"programme.html"}


def test_the_programme_report_by_default_as_pdf(assessed, out):
    report("--year", "2019", "-o", str(out))
    path = out / "2019-programme.pdf"
    assert [p.name for p in out.iterdir()] == [path.name]
    assert path.read_bytes().startswith(b"%PDF")


def test_pdf_workers_are_not_forked_from_a_process_running_threads(assessed, out, monkeypatch):
    """Forking a process that runs threads (a progress bar's, a server's) may copy a lock one
    of them holds; Python warns of it when it forks such a process."""
    monkeypatch.setenv("XIEZUO_REPORT_WORKERS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            report("--year", "2019", "--all", "--format", "pdf", "-o", str(out))
    finally:
        stop.set()
        thread.join()
    assert not [w for w in caught if "multi-threaded" in str(w.message)]
    units = assessed.units.filter(unit_type__in=("helper", "recipient")).count()
    written = list(out.iterdir())
    assert len(written) == units + 1
    assert all(path.read_bytes().startswith(b"%PDF") for path in written)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2030"], "2030 年度还没有考核运行"),
        (["--year", "2019", "--unit", "999999"], "单位代码 999999 不是"),
        (["--year", "2019", "--run", "9999"], "没有编号为 9999 的考核运行"),
    ],
)
def test_clear_errors(assessed, out, args, message):
    with pytest.raises(CommandError, match=message):
        report(*args, "-o", str(out))
    assert not out.exists() or not list(out.iterdir())


def test_xlsx_and_the_offices_paragraphs(assessed, out):
    from xiezuo.reports.models import ReportDraft

    ReportDraft.objects.create(
        programme=assessed.programme,
        year=2019,
        unit_type="helper",
        unit="110105",
        paragraphs=[{"after": "组织领导", "text": "本区召开专题会议部署协作工作。"}],
    )
    report("--year", "2019", "--unit", "110105", "--format", "html", "-o", str(out))
    page = (out / "2019-110105-朝阳区.html").read_text(encoding="utf-8")
    assert "本区召开专题会议部署协作工作。" in page
    assert page.index("本区召开专题会议") > page.index("（1）组织领导")
    report("--year", "2019", "--unit", "110105", "--format", "xlsx", "-o", str(out))
    assert (out / "2019-110105-朝阳区.xlsx").read_bytes().startswith(b"PK")
