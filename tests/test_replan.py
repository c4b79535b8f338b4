"""Quarterly re-planning: the horizon rolled forward with the actuals, frozen periods kept,
and a high change cost changing nothing that need not change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import LEDOKOL

from optimizer.datasets import load_dataset
from optimizer.plan import Cell
from optimizer.replan import changes, hired_id, load_actuals, roll_forward
from optimizer.scenario import InvalidInput
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve

ONE = SolveOptions(time_limit=20, workers=1, seed=0)


def last_quarter():
    """long_cycle_equipment and a checked plan of it with a hire in the first quarter."""
    s = load_dataset("long_cycle_equipment")
    plan = solve(s, SolveOptions(time_limit=5, workers=1, seed=0)).plan
    assert plan is not None
    return s, plan


def test_roll_forward_moves_the_calendar_and_applies_the_actuals():
    s, plan = last_quarter()
    first = s.territories[0].id
    gone = s.reps[0].id
    actuals = load_actuals(
        {
            "territories": {first: {"accounts": 7}},
            "left": [gone],
            "unavailable": {s.reps[1].id: [0]},
        }
    )
    rolled = roll_forward(s, plan, actuals, freeze=1, change_cost=1000)
    new = rolled.scenario
    assert new.horizon.start == "2027-04" and new.periods == s.periods
    assert new.territory_by_id[first].accounts == 7
    projected = simulate(s, plan).territory_periods
    second = s.territories[1].id
    assert new.territory_by_id[second].accounts == next(
        tp.accounts for tp in projected if tp.territory == second and tp.period == 3
    )
    assert gone not in new.rep_by_id
    assert 0 in new.rep_by_id[s.reps[1].id].unavailable
    ev = simulate(s, plan)
    for hire in ev.hires:
        if hire.start_period < 3:
            rep = new.rep_by_id[hired_id(hire.person)]
            assert rep.from_position == hire.person and rep.home == hire.territory
            assert hire.person not in new.position_by_id
    assert new.hiring.max_hires == s.hiring.max_hires - sum(h.start_period < 3 for h in ev.hires)
    b = new.baseline
    assert b is not None and b.freeze_periods == 1 and b.change_cost == 1000
    assert {a.period for a in b.assignments} == set(range(s.periods - 3))
    assert gone not in {a.person for a in b.assignments}


def test_actuals_are_validated_by_name():
    s, plan = last_quarter()
    with pytest.raises(InvalidInput, match=r"territories\.XXX: unknown territory"):
        roll_forward(s, plan, load_actuals({"territories": {"XXX": {"accounts": 1}}}))
    with pytest.raises(InvalidInput, match=r"left: unknown rep 'nobody'"):
        roll_forward(s, plan, load_actuals({"left": ["nobody"]}))
    with pytest.raises(InvalidInput, match="elapsed"):
        load_actuals({"elapsed": 0})


def test_freeze_keeps_the_frozen_periods_identical():
    s, plan = last_quarter()
    rolled = roll_forward(s, plan, load_actuals({}), freeze=3, change_cost=0)
    new = rolled.scenario
    result = solve(new, ONE)
    assert result.plan is not None and result.evaluation.feasible
    owner = {r.from_position: r.id for r in new.reps if r.from_position}
    now = {(a.person, a.period): Cell(a.role, a.territory) for a in result.plan.assignments}
    frozen = [a for a in new.baseline.assignments if a.period < 3]
    assert frozen
    for a in frozen:
        assert now.get((owner.get(a.person, a.person), a.period)) == Cell(a.role, a.territory)
    assert result.plan.bonus_levels[:3] == new.baseline.bonus_levels[:3]


def test_a_high_change_cost_changes_nothing_that_need_not_change():
    s, plan = last_quarter()
    rolled = roll_forward(s, plan, load_actuals({}), freeze=0, change_cost=10**9)
    start = simulate(rolled.scenario, rolled.warm_start)
    assert start.feasible  # carrying the last plan forward needs no change...
    result = solve(rolled.scenario, ONE)
    assert result.evaluation.kpis.changes == 0  # ...so none is made
    assert all(c.before == "-" for c in changes(rolled.scenario, result.plan))


def test_cli_replan_on_the_shipped_example(tmp_path: Path):
    import subprocess

    from optimizer.datasets import DATASETS_DIR

    example = DATASETS_DIR / "replan"
    done = subprocess.run(
        [
            LEDOKOL,
            "replan",
            str(DATASETS_DIR / "crimea.json"),
            "--baseline",
            str(example / "crimea-plan-2027-01.json"),
            "--actuals",
            str(example / "crimea-actuals-2027-04.json"),
            "--freeze",
            "1",
            "--change-cost",
            "20000",
            "--time-limit",
            "10",
            "--reproducible",  # deterministic work units: the same answer on a busy machine
            "--out",
            str(tmp_path / "next.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "differ from the last plan" in done.stdout
    assert "gone" in done.stdout  # the example's departure shows in the diff
    assert json.loads((tmp_path / "next.json").read_text())["status"] in ("OPTIMAL", "FEASIBLE")
