"""Neighbourhoods side by side: the same instance and time, one neighbourhood at a time in
process, on 1 and 2 local worker processes, and on a local Ray instance.

    .venv/bin/python benchmarks/parallel_study.py      (writes results/parallel.json)

On a 2-core machine, CPUs are the budget: sequential and 1 process give CP-SAT 2 workers per
sub-solve, 2 processes and Ray give 2 sub-solves of 1 worker each.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from instances import instance  # noqa: E402

from optimizer.search.lns import LnsOptions, lns_solve  # noqa: E402

INSTANCE, SECONDS = "M", 60.0
RUNS = [
    ("sequential, 2 CP-SAT workers", {"workers": 2}),
    ("local, 1 process x 2 workers", {"workers": 2, "executor": "local", "processes": 1}),
    ("local, 2 processes x 1 worker", {"workers": 1, "executor": "local", "processes": 2}),
    ("ray (local), 2 actors x 1 CPU", {"workers": 1, "executor": "ray", "processes": 2}),
]


def main() -> list[dict[str, object]]:
    s = instance(INSTANCE)
    rows = []
    for label, extra in RUNS:
        started = time.monotonic()
        result = lns_solve(s, LnsOptions(time_limit=SECONDS, seed=0, lp_bound=False, **extra))
        row = {
            "instance": INSTANCE,
            "run": label,
            "time_limit": SECONDS,
            "seconds": round(time.monotonic() - started, 1),
            "score": result.score,
            "warm_start_score": result.warm_start_score,
            "search": result.search,
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    out = HERE / "results" / "parallel.json"
    out.write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    main()
