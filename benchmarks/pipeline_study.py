"""The solve pipeline's promises, measured: a checked plan, early, within the time asked.

    .venv/bin/python benchmarks/pipeline_study.py            (writes results/pipeline.json)
    .venv/bin/python benchmarks/pipeline_study.py --sizes S M (a subset)

For each size (S 10 reps, M 80, L 400, XL 1,500, national 10,000) and both families — the
tidy generator's (`optimizer.generate`) and the awkward one's (`optimizer.awkward`, built
around a known feasible plan) — one solve in a fresh process with every CPU, seed 0, the time
limit of the size (`--datasets`: each shipped dataset, 10 s), recording:

- the seconds to the first checked plan (the warm start, repaired if it broke rules), against
  the goal of 10 % of the time limit;
- the overrun: the solve's answer time past its limit (goal <= 1 s), measured around `solve()`
  (reading the scenario aside, as the issue counts it);
- the score of warm start + repair against the final plan, and whether repair was needed;
- the peak memory of the process (VmHWM; goals XL <= 4 GiB, national <= 16 GiB).

And the cancel latency per stage (awkward scenarios): the stop is set while a stage runs —
the greedy of the warm start (XL and national), the whole-model CP-SAT in presolve and in
search with the LP bound beside it (M), a neighbourhood step (L) — and the time from the stop
to the answer is recorded (goal <= 1 s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

OUT = HERE / "results" / "pipeline.json"
# size: (reps, territories, time limit in seconds)
SIZES = {
    "S": (10, 6, 20.0),
    "M": (80, 30, 60.0),
    "L": (400, 120, 120.0),
    "XL": (1500, 300, 300.0),
    "national": (10000, 2000, 600.0),
}
SEED = 1


DATASET_LIMIT = 10.0  # seconds for each shipped dataset


def scenario_of(family: str, size: str):  # type: ignore[no-untyped-def]
    from optimizer.awkward import awkward
    from optimizer.datasets import load_dataset
    from optimizer.generate import generate

    if family == "dataset":
        return load_dataset(size)
    reps, territories, _ = SIZES[size]
    if family == "awkward":
        return awkward(reps, territories, 12, SEED, name=f"awkward-{size}")[0]
    return generate(reps, territories, 12, SEED, name=f"bench-{size}")


def point(family: str, size: str) -> dict:
    """One solve, in this (fresh) process."""
    from scaling_study import peak_rss_kib

    from optimizer.plan import Plan
    from optimizer.simulate import simulate
    from optimizer.solve import SolveOptions, solve

    s = scenario_of(family, size)
    limit = DATASET_LIMIT if family == "dataset" else SIZES[size][2]
    first: list[float] = []
    first_score: list[int] = []
    started = time.monotonic()

    def incumbent(plan: Plan) -> None:
        if not first:
            first.append(time.monotonic() - started)
            first_score.append(simulate(s, plan).score)

    result = solve(s, SolveOptions(time_limit=limit, seed=0, incumbent=incumbent))
    seconds = time.monotonic() - started
    return {
        "family": family,
        "size": size,
        "reps": len(s.reps),
        "time_limit": limit,
        "status": result.status,
        "score": result.score,
        "bound": result.best_bound,
        "gap_pct": None if result.gap_pct is None else round(result.gap_pct, 2),
        "first_plan_s": round(first[0], 2) if first else None,
        "first_plan_score": first_score[0] if first_score else None,
        "repaired_cells": result.repaired,
        "seconds": round(seconds, 2),
        "overrun_s": round(seconds - limit, 2),
        "peak_rss_gib": round(peak_rss_kib() / 2**20, 3),
    }


# what is running when the stop comes: (label, size, strategy, stage announced, delay after it)
CANCELS = [
    ("greedy (warm start)", "XL", "auto", "warm start", 2.0),
    ("greedy (warm start), national", "national", "auto", "warm start", 20.0),
    ("whole-model CP-SAT (presolve, LP beside)", "M", "cp-sat", "search", 0.3),
    ("whole-model CP-SAT (search)", "M", "cp-sat", "search", 8.0),
    ("neighbourhood step (LP beside)", "L", "auto", "search", 3.0),
]


def cancel_point(label: str) -> dict:
    """Stop a solve while a stage runs; the time from the stop to the answer."""
    from optimizer.result import Progress
    from optimizer.solve import SolveOptions, solve

    _, size, strategy, stage, delay = next(c for c in CANCELS if c[0] == label)
    s = scenario_of("awkward", size)
    stop = threading.Event()
    stopped_at: list[float] = []
    armed: list[bool] = []

    def fire() -> None:
        stopped_at.append(time.monotonic())
        stop.set()

    def progress(p: Progress) -> None:
        if not armed and p.stage == stage:
            armed.append(True)
            threading.Timer(delay, fire).start()

    options = SolveOptions(
        time_limit=SIZES[size][2], stop=stop, progress=progress, strategy=strategy
    )
    result = solve(s, options)
    answered = time.monotonic()
    return {
        "stage": label,
        "size": size,
        "status": result.status,
        "has_plan": result.plan is not None,
        "latency_s": round(answered - stopped_at[0], 3) if stopped_at else None,
    }


def fresh(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="*", default=list(SIZES))
    parser.add_argument("--point", nargs=2)
    parser.add_argument("--cancel")
    parser.add_argument("--no-cancel", action="store_true")
    parser.add_argument("--datasets", action="store_true", help="the shipped datasets only")
    args = parser.parse_args()
    if args.point:
        print(json.dumps(point(*args.point)))
        return
    if args.cancel:
        print(json.dumps(cancel_point(args.cancel)))
        return
    rows = json.loads(OUT.read_text()) if OUT.exists() else {"solves": [], "cancels": []}
    if args.datasets:
        from optimizer.datasets import dataset_names

        for name in dataset_names():
            row = fresh("--point", "dataset", name)
            print(row, flush=True)
            rows["solves"] = [
                r for r in rows["solves"] if (r["family"], r["size"]) != ("dataset", name)
            ] + [row]
            OUT.write_text(json.dumps(rows, indent=1) + "\n")
        return
    for size in args.sizes:
        for family in ("tidy", "awkward"):
            row = fresh("--point", family, size)
            print(row, flush=True)
            rows["solves"] = [
                r for r in rows["solves"] if (r["family"], r["size"]) != (family, size)
            ] + [row]
            OUT.write_text(json.dumps(rows, indent=1) + "\n")
    if not args.no_cancel:
        for label, size, *_ in CANCELS:
            if size not in args.sizes:
                continue
            row = fresh("--cancel", label)
            print(row, flush=True)
            rows["cancels"] = [r for r in rows["cancels"] if r["stage"] != label] + [row]
            OUT.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
