"""How fast the judge is: validation and simulation of the status quo, per instance size.

The simulator scores every plan a search accepts, so its speed bounds how many neighbourhoods
a search can check.
"""

from __future__ import annotations

import pytest
from instances import SIZES, instance

from optimizer.datasets import dataset_names, dataset_path, load_dataset
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan


def _simulate_status_quo(benchmark, s) -> None:  # type: ignore[no-untyped-def]
    plan = status_quo_plan(s)
    evaluation = benchmark(simulate, s, plan)
    benchmark.extra_info.update(
        reps=len(s.reps),
        territories=len(s.territories),
        periods=s.periods,
        score=evaluation.score,
        violations=len(evaluation.violations),
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_simulate_generated(benchmark, size):
    """Simulate the status quo of a generated instance."""
    _simulate_status_quo(benchmark, instance(size))


@pytest.mark.parametrize("name", dataset_names())
def test_simulate_dataset(benchmark, name):
    """Simulate the status quo of a shipped dataset."""
    _simulate_status_quo(benchmark, load_dataset(name))


def test_validate_crimea(benchmark):
    """Read and validate the flagship scenario from disk."""
    benchmark(load_scenario, dataset_path("crimea"))


@pytest.mark.parametrize("size", ["L", "XL"])
def test_validate_generated(benchmark, size):
    """Validate a large scenario (derived lookups included: reach of every person)."""
    data = instance(size).model_dump(mode="json")

    def validate_and_reach():
        s = load_scenario(data)
        return s.reachable

    benchmark.pedantic(validate_and_reach, rounds=3, iterations=1)
    benchmark.extra_info.update(reps=len(data["reps"]), territories=len(data["territories"]))


@pytest.mark.parametrize("size", ["crimea", "L", "XL"])
def test_attainment_2000_samples(benchmark, size):
    """Section 8: 2,000 noisy courses of the status quo, each target row's chances and the
    company's figures (issue 17's goals: crimea under 1 s, L under 10 s, XL under 30 s)."""
    from optimizer.simulate import attainment

    s = load_dataset(size) if size == "crimea" else instance(size)
    s = s.replace(uncertainty={"samples": 2000})
    ev = simulate(s, status_quo_plan(s))
    assert ev.course is not None
    targets, figures = benchmark.pedantic(
        attainment, args=(*ev.course, ev.targets), rounds=3, iterations=1
    )
    benchmark.extra_info.update(reps=len(s.reps), rows=len(targets), samples=figures.samples)
