"""Two plans side by side: the KPIs are both plans' simulated ones, the changed cells are
exactly the person-months whose state differs, in roster order."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.datasets import load_dataset
from optimizer.diff import diff
from optimizer.greedy import greedy_plan
from optimizer.plan import Cell
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan


def test_the_diff_is_the_two_plans_simulated_and_their_changed_cells() -> None:
    s = load_dataset("crimea")
    a, b = status_quo_plan(s), greedy_plan(s)
    answer = diff(s, a, b)
    ea, eb = simulate(s, a), simulate(s, b)
    by = {f: (x, y) for f, _, x, y in answer.kpis}
    assert by["profit"] == (ea.kpis.profit, eb.kpis.profit)
    assert by["score"][1] == eb.kpis.score
    cells_a = {(x.person, x.period): Cell(x.role, x.territory) for x in a.assignments}
    cells_b = {(x.person, x.period): Cell(x.role, x.territory) for x in b.assignments}
    keys = set(cells_a) | set(cells_b)
    differing = {k for k in keys if cells_a.get(k, Cell("off")) != cells_b.get(k, Cell("off"))}
    assert {(c.person, c.period) for c in answer.changes} == differing
    order = [c.person for c in answer.changes]
    roster = [p.id for p in s.persons]
    assert order == sorted(order, key=roster.index)
    assert answer.feasible == (not ea.violations, not eb.violations)
    assert diff(s, b, b).changes == ()


def test_cli_diff_prints_both_and_the_difference(tmp_path: Path) -> None:
    s = load_dataset("rotation_distributor")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(status_quo_plan(s).model_dump_json(), encoding="utf-8")
    b.write_text(greedy_plan(s).model_dump_json(), encoding="utf-8")
    scenario = "datasets/rotation_distributor.json"
    runner = CliRunner()
    shown = runner.invoke(app, ["diff", scenario, str(a), str(b)])
    assert shown.exit_code == 0, shown.output
    assert "b.json - a.json" in shown.output and "person-month(s) differ" in shown.output
    out = json.loads(runner.invoke(app, ["diff", scenario, str(a), str(b), "--json"]).output)
    profit = next(k for k in out["kpis"] if k["kpi"] == "profit")
    assert profit["difference"] == profit["b"] - profit["a"]
    assert profit["b"] == simulate(s, greedy_plan(s)).kpis.profit
