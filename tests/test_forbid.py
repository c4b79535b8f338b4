"""A forbid (`locks[i].forbid`): the person may not be in the named state in those months.
Every stage keeps it — the domains, the greedy start, the model, the MIP, the repair — and
"why" names it as the rule that rules an alternative out."""

from __future__ import annotations

from optimizer.datasets import load_dataset
from optimizer.deadline import Deadline
from optimizer.domains import build_domains
from optimizer.greedy import greedy_plan
from optimizer.mip.encode import build_mip
from optimizer.plan import Cell, Plan
from optimizer.scenario import Scenario
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve
from optimizer.why import why

WORK = 3.0  # deterministic units: the same plans on any machine


def _cell(plan: Plan, person: str, period: int) -> Cell:
    a = next(a for a in plan.assignments if (a.person, a.period) == (person, period))
    return Cell(a.role, a.territory)


def _forbidding(s: Scenario, person: str, period: int, cell: Cell) -> Scenario:
    forbid = {
        "rep": person,
        "periods": [period],
        "role": cell.role,
        "territory": cell.territory,
        "forbid": True,
    }
    return s.replace(locks=[*(x.model_dump(mode="json") for x in s.locks), forbid])


def test_a_forbidden_cell_is_kept_out_by_every_stage() -> None:
    s = load_dataset("rotation_distributor")
    first = solve(s, SolveOptions.reproducible(WORK))
    assert first.plan is not None
    person, period = "h1", 4
    cell = _cell(first.plan, person, period)
    assert cell.working
    forbidden = _forbidding(s, person, period, cell)

    assert cell not in build_domains(forbidden).of(person, period)
    assert cell in build_domains(s).of(person, period)
    start = simulate(forbidden, greedy_plan(forbidden))
    assert not [v for v in start.violations if v.rule == "lock"]
    again = solve(forbidden, SolveOptions.reproducible(WORK))
    assert again.plan is not None and again.score is not None
    assert _cell(again.plan, person, period) != cell
    ev = simulate(forbidden, again.plan)
    assert ev.feasible and ev.score == again.score
    # the first plan breaks the forbid, and says so
    broken = [v for v in simulate(forbidden, first.plan).violations if v.rule == "lock"]
    assert [(v.entity, v.period) for v in broken] == [(person, period)]
    assert "forbids h1" in broken[0].message

    answer = why(forbidden, again.plan, person, period, Deadline.after(120), deep=False)
    ruled_out = next(a for a in answer.alternatives if a.cell == cell)
    assert ruled_out.status == "impossible"
    assert ruled_out.reason is not None and "a forbid rules out" in ruled_out.reason


def test_the_mip_leaves_the_forbidden_cell_out() -> None:
    s = load_dataset("rotation_distributor")
    rep = next(r for r in s.reps if not s.is_protected_veteran(r))
    cell = Cell(rep.roles[0], rep.home)
    forbidden = _forbidding(s, rep.id, 2, cell)
    assert (rep.id, 2, cell) in _columns(s)
    assert (rep.id, 2, cell) not in _columns(forbidden)
    assert (rep.id, 3, cell) in _columns(forbidden)  # only the month named


def _columns(s: Scenario) -> set[tuple[str, int, Cell]]:
    mip = build_mip(s)
    return {(person, p, c) for (person, p), cells in mip.cells.items() for c in cells}
