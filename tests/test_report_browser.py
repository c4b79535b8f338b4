"""The HTML report in a real browser (Debian's chromium, headless): it renders with no console
message at all and shows the schedule chart, the KPI cards and the territory charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from service import unavailable

from optimizer.datasets import load_dataset
from optimizer.plan import Plan
from optimizer.report.html import render_html
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve
from optimizer.status_quo import status_quo_plan

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


# every host but this one fails to resolve: a page that needs the internet shows it at once
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def _browse(page: Path | str, tmp_path: Path, wait_ms: int = 0) -> tuple[str, list[str]]:
    """The DOM after load (and `wait_ms` of the page's own work), and every console message
    the page produced; a file or a URL, offline."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium")
    url = page.as_uri() if isinstance(page, Path) else page
    budget = [f"--virtual-time-budget={wait_ms}"] if wait_ms else []
    run = subprocess.run(
        [
            chromium,
            *FLAGS,
            OFFLINE,
            *budget,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    return run.stdout, console


def test_the_console_check_sees_errors(tmp_path: Path) -> None:
    """The harness itself: a broken page is caught (so a clean report means something)."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>missing()</script></body></html>", encoding="utf-8")
    _, console = _browse(page, tmp_path)
    assert any("ReferenceError" in line for line in console)


def test_report_renders_cleanly_with_its_charts(tmp_path: Path) -> None:
    s = load_dataset("long_cycle_equipment")
    result = solve(s, SolveOptions(time_limit=3, workers=1))
    assert result.plan is not None and result.evaluation is not None
    page = tmp_path / "report.html"
    html = render_html(s, result.plan, result.evaluation, simulate(s, status_quo_plan(s)))
    page.write_text(html, encoding="utf-8")
    dom, console = _browse(page, tmp_path)
    assert console == []
    chart = re.search(r"<svg id=\"schedule-chart\".*?</svg>", dom, re.S)
    assert chart is not None, "no schedule chart in the rendered page"
    persons = {a.person for a in result.plan.assignments}
    assert chart.group(0).count("<rect") == len(persons) * s.periods
    assert 'id="kpis"' in dom
    assert 'id="territory-charts"' in dom
    assert dom.count("<polyline") == 2 * len(s.territories)


def test_infeasible_report_shows_the_explanation(tmp_path: Path) -> None:
    s = load_dataset("long_cycle_equipment")
    plan = Plan(scenario=s.name, status="INFEASIBLE", assignments=(), explanation="Kerch & co")
    page = tmp_path / "infeasible.html"
    page.write_text(render_html(s, plan, None, None), encoding="utf-8")
    dom, console = _browse(page, tmp_path)
    assert console == []
    assert "Kerch &amp; co" in dom
    assert "schedule-chart" not in dom


@pytest.mark.parametrize("name", ["crimea"])
def test_status_quo_report_of_a_dataset(tmp_path: Path, name: str) -> None:
    s = load_dataset(name)
    plan = status_quo_plan(s)
    ev = simulate(s, plan)
    page = tmp_path / f"{name}.html"
    page.write_text(render_html(s, ev.apply_to(plan), ev, ev), encoding="utf-8")
    dom, console = _browse(page, tmp_path)
    assert console == []
    assert "schedule-chart" in dom


def test_the_api_docs_render_offline(tmp_path: Path) -> None:
    """/docs in the browser with every other host unreachable: Swagger UI renders the routes
    from assets the service serves itself, with no console error."""
    from service import Service

    svc = Service(tmp_path / "data").start()
    try:
        import httpx

        html = httpx.get(f"{svc.url}/docs", timeout=30).text
        assert re.findall(r"(?:src|href)=['\"](https?://[^'\"]*)", html) == []
        dom, console = _browse(f"{svc.url}/docs", tmp_path, wait_ms=15000)
    finally:
        svc.stop()
    assert "opblock" in dom and "/v1/solves" in dom, dom[-2000:]
    assert [line for line in console if "error" in line.lower()] == []


def test_report_shows_the_chances_under_uncertainty(tmp_path: Path) -> None:
    """With an uncertainty block: the profit's spread, the target rows by chance (one bar per
    tenth, as many rows as there are targets) and each target's chances, in the browser."""
    s = load_dataset("uncertain_bonus")
    plan = status_quo_plan(s)
    ev = simulate(s, plan)
    out = ev.apply_to(plan)
    assert out.attainment is not None
    page = tmp_path / "chances.html"
    page.write_text(render_html(s, out, ev, ev), encoding="utf-8")
    dom, console = _browse(page, tmp_path)
    assert console == []
    assert 'id="profit-spread"' in dom and f"P10 {out.attainment.profit.p10:,}" in dom
    histogram = re.search(r"<svg id=\"chance-histogram\".*?</svg>", dom, re.S)
    assert histogram is not None
    counted = [int(n) for n in re.findall(r"%: (\d+) target rows", histogram.group(0))]
    assert sum(counted) == len(out.targets) and len(counted) == 10
    assert "chance: clients" in dom and dom.count("<tr>") >= len(out.targets)
