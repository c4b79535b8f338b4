"""The shipped datasets (`datasets/*.json`), loaded once: tests and benchmarks share this."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from optimizer.scenario import Scenario, load_scenario

DATASETS_DIR = Path(__file__).resolve().parent.parent / "datasets"


def dataset_names() -> list[str]:
    """Names of the shipped datasets, flagship first."""
    names = sorted(p.stem for p in DATASETS_DIR.glob("*.json"))
    return sorted(names, key=lambda n: n != "crimea")


def dataset_path(name: str) -> Path:
    return DATASETS_DIR / f"{name}.json"


@cache
def load_dataset(name: str) -> Scenario:
    """A validated dataset by name, e.g. `load_dataset("crimea")`."""
    return load_scenario(dataset_path(name))
