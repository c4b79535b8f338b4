"""Options are typed from the request or the command line to `solve()`: the engine's
`SolveOptions` is immutable, its strategy and executor are checked names, and a service job's
options are stored and read back as the same typed model."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from api.jobs import CompareJob, SolveJob, read_options
from optimizer.result import REPRODUCIBLE_WALL_FACTOR, Parallel, SolveOptions


def test_solve_options_are_immutable_and_replace_makes_a_variant() -> None:
    base = SolveOptions(time_limit=5, seed=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.time_limit = 10  # type: ignore[misc]
    variant = base.replace(time_limit=10)
    assert (base.time_limit, variant.time_limit, variant.seed) == (5, 10, 3)


def test_strategy_and_executor_are_checked_names() -> None:
    with pytest.raises(ValueError, match="strategy must be one of auto, cp-sat, lns"):
        SolveOptions(strategy="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="executor must be one of local, ray"):
        Parallel(executor="threads")  # type: ignore[arg-type]
    assert SolveOptions(parallel=Parallel("ray", 2)).parallel.processes == 2


def test_reproducible_counts_work_units_on_one_worker() -> None:
    options = SolveOptions.reproducible(4.0, seed=7)
    assert options.deterministic_time == 4.0 and options.workers == 1 and options.seed == 7
    assert options.time_limit == 4.0 * REPRODUCIBLE_WALL_FACTOR
    job = SolveJob(time_limit=4.0, reproducible=True, workers=2).parameters(cpus=2)
    assert (job.deterministic_time, job.workers) == (4.0, 1)
    assert SolveJob(time_limit=4.0, workers=8).parameters(cpus=2).workers == 2


def test_job_options_round_trip_as_their_type() -> None:
    solve = SolveJob(time_limit=3, seed=1, hint='{"assignments": []}')
    compare = CompareJob(time_limit=9, levers=("bonus", "hiring"))
    assert read_options(solve.model_dump_json()) == solve
    assert read_options(compare.model_dump_json()) == compare
    # a job stored before the kind was recorded is a solve
    assert read_options('{"time_limit": 2, "seed": 0}') == SolveJob(time_limit=2)
    with pytest.raises(ValidationError):
        read_options('{"kind": "compare", "time_limit": 2, "workers": 4}')
    with pytest.raises(ValidationError):
        solve.seed = 2  # type: ignore[misc]
