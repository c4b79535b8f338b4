"""Two plans of one scenario side by side: each KPI in both and the difference, and every
person-month whose state differs, in roster order. Both plans are scored by the simulator."""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.plan import OFF, Cell, Plan
from optimizer.report import roster_order
from optimizer.report.console import COMPARED
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation, simulate

KPI_ROWS: tuple[tuple[str, str], ...] = (*COMPARED, ("hires", "hires"))


@dataclass(frozen=True)
class CellChange:
    person: str
    period: int
    before: str
    after: str


@dataclass(frozen=True)
class PlanDiff:
    kpis: tuple[tuple[str, str, int, int], ...]  # (field, label, A, B)
    changes: tuple[CellChange, ...]
    feasible: tuple[bool, bool]
    violations: tuple[int, int]

    def as_dict(self) -> dict[str, object]:
        return {
            "kpis": [
                {"kpi": f, "label": label, "a": a, "b": b, "difference": b - a}
                for f, label, a, b in self.kpis
            ],
            "changes": [c.__dict__ for c in self.changes],
            "feasible": list(self.feasible),
            "violations": list(self.violations),
        }


def diff(s: Scenario, a: Plan, b: Plan) -> PlanDiff:
    """Plan `b` against plan `a` (`InvalidInput` when either cannot be read)."""
    return diff_evaluated(s, a, simulate(s, a), b, simulate(s, b))


def diff_evaluated(s: Scenario, a: Plan, ea: Evaluation, b: Plan, eb: Evaluation) -> PlanDiff:
    """The same, for plans already simulated."""
    kpis = tuple(
        (field, label, int(getattr(ea.kpis, field)), int(getattr(eb.kpis, field)))
        for field, label in KPI_ROWS
    )
    cells_a, cells_b = _cells(a), _cells(b)
    people = roster_order(s, [*(p for p, _ in cells_a), *(p for p, _ in cells_b)])
    changes = []
    for person in people:
        for period in range(s.periods):
            before = cells_a.get((person, period), OFF)
            after = cells_b.get((person, period), OFF)
            if before != after:
                changes.append(CellChange(person, period, str(before), str(after)))
    return PlanDiff(
        kpis,
        tuple(changes),
        (ea.feasible, eb.feasible),
        (len(ea.violations), len(eb.violations)),
    )


def _cells(plan: Plan) -> dict[tuple[str, int], Cell]:
    return {(x.person, x.period): Cell(x.role, x.territory) for x in plan.assignments}
