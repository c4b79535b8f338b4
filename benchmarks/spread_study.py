"""Run-to-run spread of the product's solve: the same scenario, five seeds, 60 s each.

    .venv/bin/python benchmarks/spread_study.py    (run.py --spread; writes results/spread.json)

Issue 14's goal: over 5 seeds at 60 s the score spreads by at most 0.5 % of the mean on
crimea and on M (generator, 80 reps). The default solve (every CPU, `auto`), one run after
another on an otherwise idle machine; the spread is (max - min) / mean.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from instances import instance  # noqa: E402
from run import machine  # noqa: E402

from optimizer.datasets import load_dataset  # noqa: E402
from optimizer.solve import SolveOptions, solve  # noqa: E402

OUT = HERE / "results" / "spread.json"
SEEDS = (0, 1, 2, 3, 4)
SECONDS = 60.0


def main() -> dict:
    scenarios = {"crimea": load_dataset("crimea"), "M": instance("M")}
    rows = {}
    for name, s in scenarios.items():
        runs = []
        for seed in SEEDS:
            r = solve(s, SolveOptions(time_limit=SECONDS, seed=seed))
            assert r.score is not None
            runs.append(
                {
                    "seed": seed,
                    "score": r.score,
                    "bound": r.best_bound,
                    "seconds": round(r.seconds, 1),
                }
            )
            print(name, runs[-1], flush=True)
        scores = [r["score"] for r in runs]
        mean = statistics.fmean(scores)
        rows[name] = {
            "runs": runs,
            "mean": round(mean),
            "spread_pct": round(100 * (max(scores) - min(scores)) / mean, 2),
            "best_bound": min(r["bound"] for r in runs if r["bound"] is not None),
        }
    result = {"machine": machine(), "seconds": SECONDS, "scenarios": rows}
    OUT.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
