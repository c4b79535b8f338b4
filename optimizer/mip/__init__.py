"""The MIP peer: the same planning problem encoded independently as a mixed-integer program
(`encode.py`) and solved by HiGHS or SCIP (`linear.py`), every plan scored by the simulator."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from optimizer.mip.encode import Mip, build_mip
from optimizer.mip.linear import SOLVERS
from optimizer.plan import Plan
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation, simulate

__all__ = ["Mip", "MipResult", "build_mip", "solve_mip"]


@dataclass
class MipResult:
    solver: str
    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN (as the MIP solver says)
    plan: Plan | None
    evaluation: Evaluation | None  # the simulator's verdict on the plan
    objective: float | None  # the MIP's own value of it
    bound: float | None  # the MIP's dual bound (an upper bound on every score)
    build_seconds: float
    seconds: float  # build and solve
    columns: int
    rows: int
    incumbents: list[tuple[float, float]] = field(default_factory=list)  # from the start

    @property
    def score(self) -> int | None:
        return self.evaluation.score if self.evaluation and self.evaluation.feasible else None


def solve_mip(
    s: Scenario,
    solver: str = "highs",
    time_limit: float = 60.0,
    threads: int = 1,
    seed: int = 0,
    gap_pct: float = 0.0,
    node_limit: int | None = None,
) -> MipResult:
    """Build the MIP, solve it with `solver` ("highs" or "scip") within `time_limit` seconds
    (building included) and `node_limit` branch-and-bound nodes, and simulate the plan it
    returns. A node limit with one thread gives the same answer on any machine."""
    started = time.monotonic()
    mip = build_mip(s)
    built = time.monotonic() - started
    out = SOLVERS[solver](mip.lin, time_limit - built, threads, seed, gap_pct, node_limit)
    plan = mip.plan(out.values) if out.values is not None else None
    evaluation = simulate(s, plan) if plan is not None else None
    return MipResult(
        solver=solver,
        status=out.status,
        plan=plan,
        evaluation=evaluation,
        objective=out.objective,
        bound=out.bound,
        build_seconds=built,
        seconds=time.monotonic() - started,
        columns=mip.lin.columns,
        rows=mip.lin.rows,
        incumbents=[(built + t, v) for t, v in out.incumbents],
    )
