"""A plain mixed-integer linear program and the two solvers that read it: HiGHS (`highspy`) and
SCIP (OR-Tools' MathOpt). Both get the same columns and rows; each reports its incumbents as
they come, for the benchmark's time to first feasible and time to within 1 %."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

INF = float("inf")
CONSTANT = -1  # the key of an affine expression's constant term

# An affine expression: column index -> coefficient, and CONSTANT -> the constant.
Affine = dict[int, float]


def affine(*parts: Affine | tuple[int, float] | float) -> Affine:
    """Sum of expressions, (column, coefficient) terms and constants."""
    out: Affine = {}
    for part in parts:
        if isinstance(part, dict):
            for k, v in part.items():
                out[k] = out.get(k, 0.0) + v
        elif isinstance(part, tuple):
            out[part[0]] = out.get(part[0], 0.0) + part[1]
        else:
            out[CONSTANT] = out.get(CONSTANT, 0.0) + part
    return out


def scaled(expr: Affine, factor: float) -> Affine:
    return {k: v * factor for k, v in expr.items()}


class Linear:
    """Columns with bounds, integrality and an objective coefficient; rows `lo <= a.x <= hi`.
    The objective is maximized."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.cost: list[float] = []
        self.constant = 0.0
        self.row_lo: list[float] = []
        self.row_hi: list[float] = []
        self.row_start: list[int] = [0]
        self.row_index: list[int] = []
        self.row_value: list[float] = []

    def var(self, lower: float = 0, upper: float = INF, integer: bool = False) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        self.cost.append(0.0)
        return len(self.cost) - 1

    def binary(self) -> int:
        return self.var(0, 1, True)

    def maximize(self, expr: Affine) -> None:
        """Add `expr` to the objective."""
        for k, v in expr.items():
            if k == CONSTANT:
                self.constant += v
            else:
                self.cost[k] += v

    def row(self, expr: Affine, lo: float = -INF, hi: float = INF) -> None:
        """`lo <= expr <= hi` (the expression's constant moves to the bounds)."""
        c = expr.get(CONSTANT, 0.0)
        for k, v in expr.items():
            if k != CONSTANT and v != 0:
                self.row_index.append(k)
                self.row_value.append(v)
        self.row_start.append(len(self.row_index))
        self.row_lo.append(lo - c)
        self.row_hi.append(hi - c)

    @property
    def columns(self) -> int:
        return len(self.cost)

    @property
    def rows(self) -> int:
        return len(self.row_lo)


@dataclass
class Outcome:
    """What a MIP solver returned: its status, best solution, objective and bound."""

    status: str  # OPTIMAL | FEASIBLE | INFEASIBLE | UNKNOWN
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    seconds: float
    incumbents: list[tuple[float, float]] = field(default_factory=list)  # (seconds, objective)


def solve_highs(
    lin: Linear,
    time_limit: float,
    threads: int = 1,
    seed: int = 0,
    gap_pct: float = 0.0,
    node_limit: int | None = None,
) -> Outcome:
    """Branch and bound by HiGHS, incumbents from its improving-solution callback; with
    `node_limit` (and one thread) the answer does not depend on the machine's speed."""
    import highspy

    from optimizer.search.bound import highs_lp, quiet_highs

    started = time.monotonic()
    lp = highs_lp(
        lin.cost,
        lin.lower,
        lin.upper,
        lin.row_lo,
        lin.row_hi,
        lin.row_start,
        lin.row_index,
        lin.row_value,
        maximize=True,
    )
    lp.offset_ = lin.constant
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
        for i in lin.integer
    ]
    h = quiet_highs(threads, time_limit)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", gap_pct / 100)
    h.setOptionValue("mip_abs_gap", 0.5)  # scores are integers
    if node_limit is not None:
        h.setOptionValue("mip_max_nodes", node_limit)
    h.passModel(lp)
    incumbents: list[tuple[float, float]] = []

    def improving(event: Any) -> None:  # highspy's callback data: untyped
        incumbents.append((time.monotonic() - started, event.data_out.objective_function_value))

    h.cbMipImprovingSolution.subscribe(improving)
    h.setOptionValue("time_limit", max(0.1, time_limit - (time.monotonic() - started)))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.array(h.getSolution().col_value) if has_solution else None
    if status == highspy.HighsModelStatus.kOptimal:
        name = "OPTIMAL"
    elif status == highspy.HighsModelStatus.kInfeasible:
        name = "INFEASIBLE"
    else:
        name = "FEASIBLE" if has_solution else "UNKNOWN"
    bound = info.mip_dual_bound if name in ("OPTIMAL", "FEASIBLE", "UNKNOWN") else None
    if bound is not None and not np.isfinite(bound):
        bound = None
    return Outcome(
        status=name,
        values=values,
        objective=info.objective_function_value if has_solution else None,
        bound=bound,
        seconds=time.monotonic() - started,
        incumbents=incumbents,
    )


def solve_scip(
    lin: Linear,
    time_limit: float,
    threads: int = 1,
    seed: int = 0,
    gap_pct: float = 0.0,
    node_limit: int | None = None,
) -> Outcome:
    """Branch and bound by SCIP through MathOpt, incumbents from its MIP_SOLUTION callback;
    `node_limit` as for HiGHS."""
    from ortools.math_opt.python import mathopt

    started = time.monotonic()
    model = mathopt.Model(name="ledokol")
    xs = [
        model.add_variable(lb=lo, ub=hi, is_integer=integer)
        for lo, hi, integer in zip(lin.lower, lin.upper, lin.integer, strict=True)
    ]
    starts = lin.row_start
    for r in range(lin.rows):
        a, b = starts[r], starts[r + 1]
        expr = mathopt.fast_sum(
            v * xs[i] for i, v in zip(lin.row_index[a:b], lin.row_value[a:b], strict=True)
        )
        model.add_linear_constraint(lb=lin.row_lo[r], ub=lin.row_hi[r], expr=expr)
    objective = mathopt.fast_sum(c * x for c, x in zip(lin.cost, xs, strict=True) if c != 0)
    model.maximize(objective + lin.constant)
    incumbents: list[tuple[float, float]] = []

    priced = [(xs[i], c) for i, c in enumerate(lin.cost) if c != 0]

    def callback(data: mathopt.CallbackData) -> mathopt.CallbackResult:
        if data.event == mathopt.Event.MIP_SOLUTION and data.solution is not None:
            value = lin.constant + sum(c * data.solution[x] for x, c in priced)
            if not incumbents or value > incumbents[-1][1]:
                incumbents.append((time.monotonic() - started, value))
        return mathopt.CallbackResult()

    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.1, time_limit - (time.monotonic() - started))),
        threads=max(1, threads),
        random_seed=seed,
        relative_gap_tolerance=gap_pct / 100,
        absolute_gap_tolerance=0.5,
        node_limit=node_limit,
    )
    result = mathopt.solve(
        model,
        mathopt.SolverType.GSCIP,
        params=params,
        callback_reg=mathopt.CallbackRegistration(events={mathopt.Event.MIP_SOLUTION}),
        cb=callback,
    )
    reason = result.termination.reason
    has_solution = result.has_primal_feasible_solution()
    if reason == mathopt.TerminationReason.OPTIMAL:
        name = "OPTIMAL"
    elif reason == mathopt.TerminationReason.INFEASIBLE:
        name = "INFEASIBLE"
    else:
        name = "FEASIBLE" if has_solution else "UNKNOWN"
    values = None
    if has_solution:
        chosen = result.variable_values()
        values = np.array([chosen[x] for x in xs])
    bound = result.termination.objective_bounds.dual_bound
    return Outcome(
        status=name,
        values=values,
        objective=result.objective_value() if has_solution else None,
        bound=bound if np.isfinite(bound) else None,
        seconds=time.monotonic() - started,
        incumbents=incumbents,
    )


SOLVERS: dict[str, Callable[..., Outcome]] = {"highs": solve_highs, "scip": solve_scip}
