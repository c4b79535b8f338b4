"""The planner's workbench against issue 16's goals: "why" for one cell within 2 s on crimea and
5 s on 400 reps, the plan workbook of 1,500 reps written within 5 s, and the page's first
paint of a 400-rep plan within 1 s.

    .venv/bin/python benchmarks/workbench_study.py   (run.py --workbench; results/workbench.json)

- Why: the plans come from the product's solve (crimea 40 s, L 60 s; one worker, seed 0), then
  `optimizer.why.why` for fixed cells with the goal as its deadline; each priced alternative is
  re-checked by the simulator afterwards (outside the timing).
- Workbook: XL (1,500 reps, 300 territories) with its greedy plan simulated; the time of
  `xlsx_bytes` (every sheet, the status quo simulated, the file's bytes).
- First paint: a real `ledokol serve` and Debian's chromium (headless, through Playwright). The
  L scenario is solved on the page (10 s); then, timed in the browser, the plan is fetched from
  the service and drawn (cards, months, costs, map, schedule, targets) up to the next animation
  frame. Three rounds; the median is reported.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from instances import instance  # noqa: E402
from run import machine  # noqa: E402

from optimizer.datasets import load_dataset  # noqa: E402
from optimizer.deadline import Deadline  # noqa: E402
from optimizer.greedy import greedy_plan  # noqa: E402
from optimizer.report.xlsx import xlsx_bytes  # noqa: E402
from optimizer.search.neighbourhood import SubModels  # noqa: E402
from optimizer.search.scope import territory_totals  # noqa: E402
from optimizer.simulate import simulate  # noqa: E402
from optimizer.solve import SolveOptions, solve  # noqa: E402
from optimizer.why import _try_as_is, why, with_lock  # noqa: E402

OUT = HERE / "results" / "workbench.json"
# (scenario, plan seconds, person, month, deadline): the cells of RESULTS.md, fixed for good
WHY_CELLS = (
    ("crimea", 40.0, "r05", 4, 2.0),
    ("crimea", 40.0, "r10", 7, 2.0),
    ("L", 60.0, "r01", 4, 5.0),
    ("L", 60.0, "r150", 8, 5.0),
    ("L", 60.0, "r300", 2, 5.0),
)
PAINT_ROUNDS = 3
PAINT = """async () => {
  const t0 = performance.now();
  state.plan = await (await api(`/v1/solves/${state.job}/plan`)).json();
  render();
  await new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  return performance.now() - t0;
}"""


def why_rows() -> list[dict]:
    scenarios = {"crimea": load_dataset("crimea"), "L": instance("L")}
    plans = {}
    rows = []
    for name, seconds, person, period, deadline in WHY_CELLS:
        s = scenarios[name]
        if name not in plans:
            result = solve(s, SolveOptions(time_limit=seconds, workers=1, seed=0))
            assert result.plan is not None
            plans[name] = result.plan
        plan = plans[name]
        start = time.perf_counter()
        answer = why(s, plan, person, period, Deadline.after(deadline))
        took = time.perf_counter() - start
        priced = [a for a in answer.alternatives if a.status == "priced"]
        base = simulate(s, plan)
        models, totals = SubModels(s), territory_totals(base)
        better = 0
        for a in priced:  # every price is the simulator's, checked outside the timing
            assert a.plan is not None and a.score is not None
            whole = simulate(with_lock(s, person, period, a.cell), a.plan)
            assert whole.feasible and whole.score == a.score
            alone, _ = _try_as_is(
                models, plan, base, totals, person, period, answer.cell, a.cell, None
            )
            better += alone is None or a.score > (alone.score or 0)
        rows.append(
            {
                "scenario": name,
                "person": person,
                "month": s.period_label(period),
                "deadline": deadline,
                "seconds": round(took, 2),
                # the alternatives the rules allow, the plan's own cell not counted
                "allowed": sum(a.status in ("priced", "unknown") for a in answer.alternatives),
                "priced": len(priced),
                "as_is": sum(a.how == "as is" for a in priced),
                "quick": sum(a.how == "quick" for a in priced),
                # priced better than the plan with just that cell changed, or priced where
                # that plan breaks a rule
                "beyond_as_is": better,
            }
        )
        print(rows[-1], flush=True)
    return rows


def workbook_row() -> dict:
    s = instance("XL")
    plan = greedy_plan(s)
    full = simulate(s, plan).apply_to(plan)
    times = []
    size = 0
    for _ in range(3):
        start = time.perf_counter()
        size = len(xlsx_bytes(s, full))
        times.append(time.perf_counter() - start)
    row = {
        "reps": len(s.reps),
        "territories": len(s.territories),
        "median_seconds": round(statistics.median(times), 2),
        "rounds": [round(t, 2) for t in times],
        "bytes": size,
    }
    print(row, flush=True)
    return row


def paint_row() -> dict:
    from playwright.sync_api import sync_playwright
    from service import KEY_A, Service

    chromium = shutil.which("chromium")
    assert chromium is not None, "Debian's chromium is needed for the first paint"
    s = instance("L")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "L.json"
        path.write_text(s.model_dump_json())
        svc = Service(Path(tmp) / "data").start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
                )
                tab = browser.new_page(viewport={"width": 1400, "height": 900})
                tab.goto(f"{svc.url}/")
                tab.fill("#key", KEY_A)
                tab.dispatch_event("#key", "change")
                tab.set_input_files("#file", str(path))
                tab.wait_for_function("!document.getElementById('solve').disabled")
                tab.fill("#seconds", "10")
                tab.click("#solve")
                tab.wait_for_selector("#result:not([hidden])", timeout=600_000)
                times = [tab.evaluate(PAINT) for _ in range(PAINT_ROUNDS)]
                cells = tab.locator("#schedule-table td[data-period]").count()
                browser.close()
        finally:
            svc.stop()
    row = {
        "reps": len(s.reps),
        "median_ms": round(statistics.median(times)),
        "rounds_ms": [round(t) for t in times],
        "schedule_cells": cells,
    }
    print(row, flush=True)
    return row


def main() -> dict:
    result = {
        "machine": machine(),
        "why": why_rows(),
        "workbook": workbook_row(),
        "first_paint": paint_row(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
