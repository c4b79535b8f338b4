"""How fast the planner's parts are: the CP-SAT model and the MIP built, the greedy plan, and a
small scenario solved to a proven optimum (one worker, fixed seed: the same work every round)."""

from __future__ import annotations

import pytest
from instances import instance

from optimizer.generate import generate
from optimizer.greedy import greedy_plan
from optimizer.mip import build_mip
from optimizer.model import build_model
from optimizer.solve import SolveOptions, solve


def _size(benchmark, s) -> None:  # type: ignore[no-untyped-def]
    benchmark.extra_info.update(reps=len(s.reps), territories=len(s.territories), periods=s.periods)


@pytest.mark.parametrize("size", ["S", "M", "L"])
def test_build_model(benchmark, size):
    """The whole CP-SAT model of a generated instance."""
    s = instance(size)
    built = benchmark.pedantic(build_model, args=(s,), rounds=3, iterations=1)
    _size(benchmark, s)
    benchmark.extra_info.update(built.size())


@pytest.mark.parametrize("size", ["S", "M", "L"])
def test_build_mip(benchmark, size):
    """The second encoding (the MIP peers' model) of the same instance."""
    s = instance(size)
    mip = benchmark.pedantic(build_mip, args=(s,), rounds=3, iterations=1)
    _size(benchmark, s)
    benchmark.extra_info.update(columns=mip.lin.columns, rows=mip.lin.rows)


@pytest.mark.parametrize("size", ["M", "L"])
def test_greedy(benchmark, size):
    """The greedy plan (the warm start of every solve, and the 'by hand' peer)."""
    s = instance(size)
    benchmark.pedantic(greedy_plan, args=(s,), rounds=3, iterations=1)
    _size(benchmark, s)


def test_solve_to_optimal(benchmark):
    """4 reps, 3 territories, 12 periods: CP-SAT proves the optimum (one worker, seed 0)."""
    s = generate(4, 3, 12, 1, name="bench-tiny")
    options = SolveOptions(time_limit=120, workers=1, seed=0, strategy="cp-sat")
    result = benchmark.pedantic(solve, args=(s, options), rounds=3, iterations=1)
    assert result.status == "OPTIMAL"
    _size(benchmark, s)
    benchmark.extra_info.update(score=result.score)
