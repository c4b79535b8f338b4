"""Peers side by side: the same instances, the same time budget, one solve at a time.

    .venv/bin/python benchmarks/peers_study.py     (run.py calls it; writes results/peers.json)

For every instance (the shipped datasets, generator sizes S, M, L, XL with fixed seeds):
- `status quo` and `greedy` (what a planner does by hand), scored by the simulator;
- `ledokol`: the product's solve as shipped (`strategy=auto`: proof attempt then neighbourhood
  search on small scenarios, neighbourhood search from the greedy plan on large ones; tuned
  parameters, 2 workers = the machine's cores, the LP/flow bound beside it);
- `cp-sat tuned`: one CP-SAT search of the whole model with the product's settings and hint;
- `cp-sat default`: the same model, CP-SAT's default parameters, 2 workers, no hint;
- `highs`, `scip`: the second encoding (`optimizer.mip`) solved by HiGHS and by SCIP, one
  thread each (their branch and bound is sequential), building inside the budget.
Each peer's final plan is simulated; its score, profit, the time of its first feasible plan and
of its first plan within 1 % of the best score any peer found, and its own bound are recorded.
The instance's best known bound is the tightest true bound any peer proved.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from instances import instance  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from optimizer.datasets import dataset_names, load_dataset  # noqa: E402
from optimizer.greedy import greedy_plan  # noqa: E402
from optimizer.mip import solve_mip  # noqa: E402
from optimizer.model import build_model  # noqa: E402
from optimizer.scenario import Scenario  # noqa: E402
from optimizer.simulate import Evaluation, simulate  # noqa: E402
from optimizer.solve import Progress, SolveOptions, extract_plan, solve  # noqa: E402
from optimizer.status_quo import status_quo_plan  # noqa: E402

OUT = HERE / "results" / "peers.json"
WORKERS = 2  # the machine's cores
SOLVERS = ("ledokol", "cp-sat tuned", "cp-sat default", "highs", "scip")

# (instance, loader, seconds per peer)
INSTANCES: list[tuple[str, Callable[[], Scenario], float]] = [
    (name, (lambda n=name: load_dataset(n)), 10.0) for name in dataset_names()
] + [
    ("S", lambda: instance("S"), 20.0),
    ("M", lambda: instance("M"), 60.0),
    ("L", lambda: instance("L"), 60.0),
    ("XL", lambda: instance("XL"), 60.0),
]
QUICK = [("long_cycle_equipment", lambda: load_dataset("long_cycle_equipment"), 5.0)]


def _row(name: str, evaluation: Evaluation | None, seconds: float, **extra: object) -> dict:
    feasible = evaluation is not None and evaluation.feasible
    return {
        "peer": name,
        "score": evaluation.score if feasible else None,  # type: ignore[union-attr]
        "profit": evaluation.kpis.profit if feasible else None,  # type: ignore[union-attr]
        "violations": None if evaluation is None else len(evaluation.violations),
        "seconds": round(seconds, 2),
        **extra,
    }


def run_ledokol(s: Scenario, limit: float, strategy: str) -> dict:
    trace: list[Progress] = []
    started = time.monotonic()
    result = solve(
        s,
        SolveOptions(
            time_limit=limit, workers=WORKERS, seed=0, strategy=strategy, progress=trace.append
        ),
    )
    seconds = time.monotonic() - started
    evaluation = simulate(s, result.plan) if result.plan is not None else None
    return _row(
        "ledokol" if strategy == "auto" else "cp-sat tuned",
        evaluation,
        seconds,
        status=result.status,
        bound=result.best_bound,
        incumbents=[(round(p.elapsed, 3), p.score) for p in trace if p.score is not None],
        search=result.solver.name,
    )


class _Trace(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.points: list[tuple[float, int]] = []

    def on_solution_callback(self) -> None:
        self.points.append((round(time.monotonic() - self.started, 3), round(self.objective_value)))


def run_cp_sat_default(s: Scenario, limit: float) -> dict:
    started = time.monotonic()
    built = build_model(s)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, limit - (time.monotonic() - started))
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = 0
    trace = _Trace(started)
    code = solver.solve(built.model, trace)
    seconds = time.monotonic() - started
    evaluation = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        evaluation = simulate(s, extract_plan(built, solver))
    bound = None
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.best_objective_bound != 0:
        bound = int(solver.best_objective_bound)
    return _row(
        "cp-sat default",
        evaluation,
        seconds,
        status=solver.status_name(code),
        bound=bound,
        incumbents=trace.points,
    )


def run_mip(s: Scenario, limit: float, solver: str) -> dict:
    result = solve_mip(s, solver, time_limit=limit, threads=1, seed=0)
    return _row(
        solver,
        result.evaluation,
        result.seconds,
        status=result.status,
        bound=None if result.bound is None else int(result.bound + 1e-6 * abs(result.bound) + 1),
        incumbents=[(round(t, 3), round(v)) for t, v in result.incumbents],
        columns=result.columns,
        rows=result.rows,
        build_seconds=round(result.build_seconds, 2),
    )


def study(label: str, s: Scenario, limit: float) -> dict:
    started = time.monotonic()
    greedy = simulate(s, greedy_plan(s))
    greedy_seconds = time.monotonic() - started
    status_quo = simulate(s, status_quo_plan(s))
    peers = [
        _row("status quo", status_quo, 0.0),
        _row("greedy", greedy, greedy_seconds),
    ]
    # the status quo may break rules: still scored, its profit the baseline of every uplift
    peers[0]["score_any"] = status_quo.score
    peers[0]["profit_any"] = status_quo.kpis.profit
    peers[1]["incumbents"] = [(round(greedy_seconds, 3), greedy.score)] if greedy.feasible else []
    for name in SOLVERS:
        if name == "ledokol":
            row = run_ledokol(s, limit, "auto")
        elif name == "cp-sat tuned":
            row = run_ledokol(s, limit, "cp-sat")
        elif name == "cp-sat default":
            row = run_cp_sat_default(s, limit)
        else:
            row = run_mip(s, limit, name)
        print(f"  {label} {name}: {row['status']} {row['score']} in {row['seconds']} s", flush=True)
        peers.append(row)
    scores = [p["score"] for p in peers if p["score"] is not None]
    best = max(scores) if scores else None
    bounds = [p["bound"] for p in peers if p.get("bound") is not None]
    bound = min(bounds) if bounds else None
    if bound is not None and best is not None and bound < best:
        raise AssertionError(f"{label}: a bound {bound} below a checked score {best}")
    for p in peers:
        points = p.get("incumbents") or []
        p["first_feasible_s"] = points[0][0] if points else None
        within = [t for t, v in points if best is not None and v >= best - abs(best) / 100]
        p["within_1pct_s"] = within[0] if within else None
        p["gap_pct"] = (
            round((bound - p["score"]) / abs(p["score"]) * 100, 2)
            if bound is not None and p["score"]
            else None
        )
    return {
        "instance": label,
        "reps": len(s.reps),
        "territories": len(s.territories),
        "periods": s.periods,
        "time_limit": limit,
        "best_score": best,
        "best_bound": bound,
        "peers": peers,
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def main(quick: bool = False, only: set[str] | None = None) -> list[dict]:
    out = OUT if not quick else HERE / "results" / "peers_quick.json"
    stored = {r["instance"]: r for r in json.loads(out.read_text())} if only else {}
    rows = []
    for label, load, limit in QUICK if quick else INSTANCES:
        if only and label not in only and label in stored:
            rows.append(stored[label])
            continue
        print(f"peers: {label}, {limit:g} s each", flush=True)
        rows.append(study(label, load(), limit))
        # nothing lost if a later one fails: the stored rows not rerun yet are kept too
        done = {r["instance"] for r in rows}
        keep = rows + [r for name, r in stored.items() if name not in done]
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(keep, indent=1) + "\n")
    return rows


BUDGETS_OUT = HERE / "results" / "peers_budgets.json"


def budgets(only: set[str], seconds: list[float]) -> list[dict]:
    """The chosen instances at several budgets each (issue 14: 10, 60 and 300 s), kept apart
    from the main table in `results/peers_budgets.json`, keyed by instance and budget."""
    key = lambda r: (r["instance"], r["time_limit"])  # noqa: E731
    known = json.loads(BUDGETS_OUT.read_text()) if BUDGETS_OUT.exists() else []
    stored = {key(r): r for r in known}
    for label, load, _ in INSTANCES:
        if label not in only:
            continue
        for limit in seconds:
            print(f"peers: {label}, {limit:g} s each", flush=True)
            row = study(label, load(), limit)
            stored[key(row)] = row
            BUDGETS_OUT.write_text(json.dumps(list(stored.values()), indent=1) + "\n")
    return list(stored.values())


if __name__ == "__main__":
    chosen = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    times = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--budgets=")), None)
    if times:
        budgets(set(chosen.split(",")) if chosen else set(), [float(t) for t in times.split(",")])
    else:
        main(quick="--quick" in sys.argv, only=set(chosen.split(",")) if chosen else None)
