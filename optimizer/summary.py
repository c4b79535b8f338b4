"""A finished solve or comparison in one answer: the plan to store and the summary beside it
(score, bound, gap, KPIs, the status quo, the re-plan's changes, the comparison's table).
Computed once, by the engine, for every front end that stores or shows a job."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from optimizer.compare import Comparison
from optimizer.plan import Plan, SolverStatus
from optimizer.replan import changes
from optimizer.report.tables import monthly
from optimizer.result import SolveResult
from optimizer.scenario import Scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan


@dataclass(frozen=True)
class Answer:
    status: SolverStatus
    plan: Plan  # without a plan: the status and the explanation, no assignments
    summary: dict[str, Any]


def solve_answer(s: Scenario, result: SolveResult) -> Answer:
    """A solve's plan and summary; a re-plan's summary lists what changed and why."""
    plan = result.plan or Plan(
        scenario=s.name,
        status=result.status,
        assignments=(),
        solve_seconds=round(result.seconds, 3),
        solver=result.solver,
        explanation=result.explanation,
    )
    status_quo = simulate(s, status_quo_plan(s))
    summary: dict[str, Any] = {
        "score": result.score,
        "best_bound": result.best_bound,
        "gap_pct": None if result.gap_pct is None else round(result.gap_pct, 4),
        "solve_seconds": round(result.seconds, 3),
        "solver": result.solver.model_dump(),
        "kpis": None if plan.kpis is None else plan.kpis.model_dump(mode="json"),
        "status_quo": {
            "score": status_quo.score,
            "feasible": not status_quo.violations,
            "profit": status_quo.kpis.profit,
            "kpis": status_quo.kpis.model_dump(mode="json"),
            "monthly": monthly(s, status_quo.territory_periods),
            "months": [m.model_dump() | {"costs": m.costs} for m in status_quo.months],
        },
        "explanation": result.explanation,
    }
    if s.baseline is not None and result.plan is not None:
        summary["changes"] = [asdict(c) for c in changes(s, result.plan)]
    return Answer(result.status, plan, summary)


def compare_answer(s: Scenario, comparison: Comparison) -> Answer:
    """A comparison's answer: the best combination's plan, the ranked table in the summary."""
    top = comparison.ranked[0] if comparison.ranked and comparison.ranked[0].plan else None
    plan = None if top is None else top.plan
    summary: dict[str, Any] = {
        "score": None if top is None else top.score,
        "solve_seconds": round(comparison.seconds, 3),
        "kpis": None
        if top is None or top.evaluation is None
        else top.evaluation.kpis.model_dump(mode="json"),
        "comparison": comparison.as_dict(),
    }
    if plan is None:
        return Answer("UNKNOWN", Plan(scenario=s.name, status="UNKNOWN", assignments=()), summary)
    return Answer("FEASIBLE", plan, summary)
