"""The planner on the fixed instances: status, score, bound and gap at the issue's time goals.

    .venv/bin/python benchmarks/solve_study.py        (run.py calls it; writes results/solve.json)

Protocol: one solve at a time, 2 CP-SAT workers (the machine's cores), seed 0, warm start from
the greedy plan (or the status quo, whichever is better). Each run records the greedy and
status-quo scores beside the solve, and the time of the first solution better than the hint.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from instances import instance  # noqa: E402

from optimizer.datasets import dataset_names, load_dataset  # noqa: E402
from optimizer.greedy import greedy_plan  # noqa: E402
from optimizer.scenario import Scenario  # noqa: E402
from optimizer.simulate import simulate  # noqa: E402
from optimizer.solve import Progress, SolveOptions, solve  # noqa: E402
from optimizer.status_quo import status_quo_plan  # noqa: E402

# (label, loader, time limit in seconds, strategy, the goal in words)
RUNS = [
    ("crimea", lambda: load_dataset("crimea"), 5.0, "cp-sat", "proven optimal in <= 5 s"),
    ("crimea (60 s)", lambda: load_dataset("crimea"), 60.0, "cp-sat", "for reference"),
    ("crimea (60 s, LNS)", lambda: load_dataset("crimea"), 60.0, "lns", "for reference"),
    ("S", lambda: instance("S"), 30.0, "cp-sat", "proven optimal in <= 30 s"),
    ("M", lambda: instance("M"), 60.0, "auto", "a checked plan within 60 s, gap reported"),
    ("L", lambda: instance("L"), 120.0, "auto", "within 3 % of the bound in 120 s"),
    ("XL", lambda: instance("XL"), 300.0, "auto", "within 5 % in 300 s, peak <= 4 GiB"),
] + [
    (name, (lambda n=name: load_dataset(n)), 10.0, "auto", "dataset, 10 s")
    for name in dataset_names()
    if name != "crimea"
]


def study_one(label: str, s: Scenario, limit: float, strategy: str, goal: str) -> dict[str, object]:
    greedy = simulate(s, greedy_plan(s))
    status_quo = simulate(s, status_quo_plan(s))
    trace: list[Progress] = []
    started = time.monotonic()
    result = solve(
        s,
        SolveOptions(time_limit=limit, workers=2, seed=0, progress=trace.append, strategy=strategy),
    )
    seconds = time.monotonic() - started
    first_better = next(
        (p.elapsed for p in trace if p.score is not None and p.score > max(greedy.score, 0)),
        None,
    )
    return {
        "instance": label,
        "goal": goal,
        "reps": len(s.reps),
        "territories": len(s.territories),
        "periods": s.periods,
        "time_limit": limit,
        "status": result.status,
        "score": result.score,
        "best_bound": result.best_bound,
        "gap_pct": None if result.gap_pct is None else round(result.gap_pct, 2),
        "seconds": round(seconds, 2),
        "greedy_score": greedy.score,
        "greedy_feasible": greedy.feasible,
        "status_quo_score": status_quo.score,
        "status_quo_feasible": status_quo.feasible,
        "first_better_than_greedy_s": None if first_better is None else round(first_better, 2),
        "model": result.model_size,
        "solver": result.solver.name,
        "search": result.search,
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def main(only: set[str] | None = None) -> list[dict[str, object]]:
    """Run the study; `only` reruns those instances and keeps the other stored rows."""
    out = HERE / "results" / "solve.json"
    stored = {r["instance"]: r for r in json.loads(out.read_text())} if only else {}
    rows = []
    for label, load, limit, strategy, goal in RUNS:
        if only and label not in only and label in stored:
            rows.append(stored[label])
            continue
        row = study_one(label, load(), limit, strategy, goal)
        print(json.dumps(row), flush=True)
        rows.append(row)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
    return rows


if __name__ == "__main__":
    # --only L,XL reruns those rows
    chosen = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    main(set(chosen.split(",")) if chosen else None)
