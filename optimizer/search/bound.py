"""An honest upper bound on the best score: the LP relaxation of the exact model, by HiGHS.

The model's constraints are read from its CP-SAT proto and relaxed, never tightened:
- integrality is dropped (every variable continuous within its domain's hull);
- a linear constraint under enforcement literals `e_1..e_k` holds only when all are 1: it is
  relaxed by the tightest big-M its variables' bounds allow, `lo - (lo - min) * sum(1 - e_i)`;
- `bool_or`, `bool_and`, `at_most_one`, `exactly_one` become their linear forms;
- `m = min(x, y)` (CP-SAT's `lin_max` of negations) keeps only `m <= x`, `m <= y`;
- any other constraint kind is dropped.
Every integer solution of the model satisfies the relaxation, so the LP optimum is at least the
best score; it is reported only when HiGHS proves the LP optimal, plus a margin for floating
point, floored (scores are integers). What the relaxation gives away: fractional people (a rep
half hunter, half farmer; a hunter spread over towns past the prospect-supply floor), floors
and minima taken as their linear hulls, and stint lengths spread over fractional runs.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

if TYPE_CHECKING:  # imported where used: HiGHS loads only for an LP
    import highspy

log = logging.getLogger(__name__)

INF = 1e30
# Above this many variables the LP is not tried: at 400 reps (269k variables, 539k rows) HiGHS
# found no optimum in 600 s with the interior point method, while its thread took a core
# from the search on a 2-core machine. Crimea (7k) solves in 2 s, size M in about 40 s.
LP_MAX_VARIABLES = 100_000
RELATIVE_MARGIN = 1e-7  # floating point safety when turning the LP optimum into an integer bound


@dataclass(frozen=True)
class LpBound:
    bound: int | None  # None: no proof within the limit
    status: str
    seconds: float
    rows: int
    columns: int
    values: np.ndarray | None = None  # the LP's solution by model variable, when asked for


def lp_bound(model: cp_model.CpModel, time_limit: float = 60.0, threads: int = 1) -> LpBound:
    """Solve the LP relaxation of a maximization model; `bound` >= every feasible score."""
    return lp_bound_of(snapshot(model), time_limit, threads)


def snapshot(model: cp_model.CpModel) -> bytes:
    """The model as it is now (a search may narrow its domains afterwards)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pb"
        model.export_to_file(str(path))
        return path.read_bytes()


def lp_bound_of(
    model_bytes: bytes, time_limit: float = 60.0, threads: int = 1, values: bool = False
) -> LpBound:
    """`lp_bound` of a serialized CpModelProto; `values`: with the LP's solution."""
    import highspy
    from ortools.sat import cp_model_pb2

    started = time.monotonic()
    proto = cp_model_pb2.CpModelProto.FromString(model_bytes)
    del model_bytes
    lower = np.array([v.domain[0] for v in proto.variables], dtype=float)
    upper = np.array([v.domain[-1] for v in proto.variables], dtype=float)
    rows = _Rows(lower, upper)
    for ct in proto.constraints:
        rows.add_constraint(ct)
    obj = proto.objective
    cost = np.zeros(len(lower))
    for var, coeff in zip(obj.vars, obj.coeffs, strict=True):
        cost[var] += coeff
    scaling = obj.scaling_factor or 1.0

    h = solve_lp(
        cost,
        lower,
        upper,
        rows,
        time_limit - (time.monotonic() - started),
        threads=threads,
    )
    status = h.modelStatusToString(h.getModelStatus())
    seconds = time.monotonic() - started
    solved = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)
    if h.getModelStatus() not in solved:
        log.info("LP relaxation: %s after %.1f s (no bound)", status, seconds)
        return LpBound(None, status, seconds, rows.count, len(lower))
    # CP-SAT keeps a maximization as minimize(c.x) with scaling_factor -1
    empty = h.getModelStatus() == highspy.HighsModelStatus.kModelEmpty  # nothing to decide
    value = scaling * ((0.0 if empty else h.getInfo().objective_function_value) + obj.offset)
    # scores are integers: the floor of the LP value (plus the safety margin) still bounds them
    if not obj.vars:  # a constant score
        bound: int | None = math.floor(value)
    elif scaling < 0:  # a maximization, stored as minimize(-score)
        bound = math.floor(value + RELATIVE_MARGIN * max(1.0, abs(value)))
    else:
        bound = None
    log.info("LP relaxation: bound %s in %.1f s (%d rows)", bound, seconds, rows.count)
    solution = None
    if values:
        solution = lower.copy() if empty else np.asarray(h.getSolution().col_value, dtype=float)
    return LpBound(bound, status, seconds, rows.count, len(lower), solution)


def solve_lp(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    rows: _Rows,
    seconds: float,
    threads: int = 1,
    maximize: bool = False,
    solver: str | None = None,
) -> highspy.Highs:
    """Solve an LP in HiGHS, quietly, within `seconds`; returns the Highs object."""
    lp = highs_lp(
        cost, lower, upper, rows.lo, rows.hi, rows.start, rows.index, rows.value, maximize
    )
    h = quiet_highs(threads, seconds)
    if solver is not None:
        h.setOptionValue("solver", solver)
    h.passModel(lp)
    h.run()
    return h


def highs_lp(
    cost: Sequence[float] | np.ndarray,
    lower: Sequence[float] | np.ndarray,
    upper: Sequence[float] | np.ndarray,
    row_lo: Sequence[float],
    row_hi: Sequence[float],
    start: Sequence[int],
    index: Sequence[int],
    value: Sequence[float],
    maximize: bool = False,
) -> highspy.HighsLp:
    """A HiGHS model from columns and compressed rows (`lo <= a.x <= hi`)."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lo)
    if maximize:
        lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.array(row_lo, dtype=float)
    lp.row_upper_ = np.array(row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.array(start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    return lp


def quiet_highs(threads: int, seconds: float) -> highspy.Highs:
    """A silent HiGHS with its thread count and time limit."""
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", max(1, threads))
    h.setOptionValue("time_limit", max(0.1, seconds))
    return h


_BANNER_SHOWN = threading.Lock()


def _quiet_highs() -> highspy.Highs:
    """A Highs instance; the first one of a process prints a banner on the C-level stdout,
    which would break the CLI's and the service's output, so it goes to /dev/null."""
    import highspy

    if not _BANNER_SHOWN.acquire(blocking=False):
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class _Rows:
    """The relaxation's rows in compressed row form."""

    def __init__(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self.lower, self.upper = lower, upper
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []

    @property
    def count(self) -> int:
        return len(self.lo)

    def row(self, terms: dict[int, float], lo: float, hi: float) -> None:
        for var, coeff in terms.items():
            if coeff:
                self.index.append(var)
                self.value.append(coeff)
        self.start.append(len(self.index))
        self.lo.append(lo)
        self.hi.append(hi)

    @staticmethod
    def _literal(terms: dict[int, float], lit: int, sign: float) -> float:
        """Add sign * lit to terms; returns the constant part (a negated literal is 1 - x)."""
        if lit >= 0:
            terms[lit] = terms.get(lit, 0.0) + sign
            return 0.0
        var = -lit - 1
        terms[var] = terms.get(var, 0.0) - sign
        return sign

    def add_constraint(self, ct: cp_model_pb2.ConstraintProto) -> None:
        kind = ct.WhichOneof("constraint")
        enforcement = list(ct.enforcement_literal)
        if kind == "linear":
            self._linear(
                list(ct.linear.vars), list(ct.linear.coeffs), list(ct.linear.domain), enforcement
            )
        elif kind == "bool_or":
            terms: dict[int, float] = {}
            const = sum(self._literal(terms, lit, 1.0) for lit in ct.bool_or.literals)
            const += sum(self._literal(terms, lit, -1.0) for lit in enforcement) + len(enforcement)
            self.row(terms, 1.0 - const, INF)
        elif kind == "bool_and":
            for lit in ct.bool_and.literals:  # lit >= 1 - sum(1 - e)
                terms = {}
                const = self._literal(terms, lit, 1.0)
                const += sum(self._literal(terms, e, -1.0) for e in enforcement) + len(enforcement)
                self.row(terms, 1.0 - const, INF)
        elif kind in ("at_most_one", "exactly_one") and not enforcement:
            literals = getattr(ct, kind).literals
            terms = {}
            const = sum(self._literal(terms, lit, 1.0) for lit in literals)
            lo = 1.0 - const if kind == "exactly_one" else -INF
            self.row(terms, lo, 1.0 - const)
        elif kind == "lin_max" and not enforcement:
            target = ct.lin_max.target
            for e in ct.lin_max.exprs:  # target >= expr (the convex side)
                terms = {}
                for var, coeff in zip(target.vars, target.coeffs, strict=True):
                    terms[var] = terms.get(var, 0.0) + coeff
                for var, coeff in zip(e.vars, e.coeffs, strict=True):
                    terms[var] = terms.get(var, 0.0) - coeff
                self.row(terms, e.offset - target.offset, INF)
        # other kinds (and enforced at_most_one/exactly_one/lin_max) are dropped: a relaxation

    def _linear(
        self, variables: list[int], coeffs: list[int], domain: list[int], enforcement: list[int]
    ) -> None:
        lo, hi = float(domain[0]), float(domain[-1])
        low = sum(
            c * (self.lower[v] if c > 0 else self.upper[v])
            for v, c in zip(variables, coeffs, strict=True)
        )
        high = sum(
            c * (self.upper[v] if c > 0 else self.lower[v])
            for v, c in zip(variables, coeffs, strict=True)
        )
        if not enforcement:
            terms: dict[int, float] = {}
            for v, c in zip(variables, coeffs, strict=True):
                terms[v] = terms.get(v, 0.0) + c
            self.row(terms, lo if lo > -(2**62) else -INF, hi if hi < 2**62 else INF)
            return
        # sum(c x) >= lo - (lo - low) * sum(1 - e): only where it cuts anything
        for bound, side in ((lo, +1), (hi, -1)):
            if abs(bound) >= 2**62 or (side > 0 and bound <= low) or (side < 0 and bound >= high):
                continue
            big = (bound - low) if side > 0 else (high - bound)
            terms = {}
            for v, c in zip(variables, coeffs, strict=True):
                terms[v] = terms.get(v, 0.0) + side * c
            const = 0.0
            for e in enforcement:  # + big * (1 - e) on the relaxed side
                const += self._literal(terms, e, -big) + big
            # side * (sum c x) + big * sum(1 - e) >= side * bound
            self.row(terms, side * bound - const, INF)
