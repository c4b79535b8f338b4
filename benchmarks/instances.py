"""The fixed benchmark instances: generator sizes with their seeds, and the shipped datasets."""

from __future__ import annotations

from functools import cache

from optimizer.generate import generate
from optimizer.scenario import Scenario

# name: (reps, territories, periods, seed) — the sizes of the issues, seeds fixed for good.
SIZES: dict[str, tuple[int, int, int, int]] = {
    "S": (10, 6, 12, 1),
    "M": (80, 30, 12, 1),
    "L": (400, 120, 12, 1),
    "XL": (1500, 300, 12, 1),
    # the national scenario of the scale issue: one company, goals and a hiring budget for all
    "national": (10000, 2000, 12, 1),
}


@cache
def instance(size: str) -> Scenario:
    reps, territories, periods, seed = SIZES[size]
    return generate(reps, territories, periods, seed, name=f"bench-{size}")
