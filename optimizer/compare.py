"""Which levers to use: the scenario solved under every combination of its levers, ranked.

A lever is one of the scenario's policy blocks (spec section 1): rotation, the hunter/farmer
split (`specialization`), the acquisition bonus, new hires, and planning to the goals
(`targets`). Only levers the scenario defines are compared; a lever not compared stays as the
scenario has it. Every combination is solved as its own scenario (the blocks off are disabled)
and its plan is then scored with the scenario's goals charged, so that planning without the
goals pays for missing them like every other combination (docs/decisions.md, "Comparing
levers"). The combinations run side by side on local processes, one CP-SAT worker each,
sharing the time budget.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.simulate import Evaluation, simulate
from optimizer.status_quo import status_quo_plan

LEVERS = ("rotation", "split", "bonus", "hiring", "targets")
LABELS = {
    "rotation": "rotation",
    "split": "hunter/farmer split",
    "bonus": "acquisition bonus",
    "hiring": "new hires",
    "targets": "planning to the goals",
}
MIN_SECONDS = 2.0  # a combination's solve never gets less, whatever the budget


def levers_of(s: Scenario) -> tuple[str, ...]:
    """The levers this scenario defines, in the spec's order."""
    p = s.policy
    neutral = s.neutral_level
    have = {
        "rotation": p.rotation is not None,
        "split": p.specialization is not None,
        "bonus": p.bonus is not None and any(level != neutral for level in p.bonus.levels),
        "hiring": p.hiring is not None and s.hiring is not None,
        "targets": p.targets is not None
        and (p.targets.goal_new_clients is not None or p.targets.goal_revenue is not None),
    }
    return tuple(lever for lever in LEVERS if have[lever])


def variant(s: Scenario, on: Iterable[str], compared: Iterable[str]) -> Scenario:
    """The scenario with each compared lever switched on (in `on`) or off; others kept."""
    on, p = set(on), s.policy
    changes: dict[str, object] = {}
    for lever in compared:
        block = {
            "rotation": p.rotation,
            "split": p.specialization,
            "bonus": p.bonus,
            "hiring": p.hiring,
        }.get(lever)
        key = {"split": "specialization"}.get(lever, lever)
        if lever == "targets":
            changes["targets"] = p.targets if lever in on else None
        elif block is not None:
            changes[key] = block.model_copy(update={"enabled": lever in on})
    policy = p.model_copy(update=changes).model_dump(mode="json")
    return s.replace(policy=policy)


def charged(s: Scenario, v: Scenario) -> Scenario:
    """A combination's scenario with the original goals charged (its rules unchanged)."""
    if v.policy.targets == s.policy.targets:
        return v
    return v.replace(
        policy=v.policy.model_copy(update={"targets": s.policy.targets}).model_dump(mode="json")
    )


@dataclass
class Combination:
    levers: frozenset[str]
    status: str
    plan: Plan | None
    evaluation: Evaluation | None  # with the scenario's goals charged
    seconds: float
    gap_pct: float | None = None
    error: str | None = None  # why this combination could not be solved at all

    @property
    def score(self) -> int | None:
        ev = self.evaluation
        return ev.score if ev is not None and ev.feasible else None

    @property
    def hires(self) -> int:
        return 0 if self.evaluation is None else self.evaluation.kpis.hires

    def label(self) -> str:
        return " + ".join(LABELS[lever] for lever in LEVERS if lever in self.levers) or "none"

    def as_dict(self) -> dict[str, object]:
        k = self.evaluation.kpis if self.evaluation is not None and self.score is not None else None
        return {
            "levers": [lever for lever in LEVERS if lever in self.levers],
            "status": self.status,
            "score": self.score,
            "profit": None if k is None else k.profit,
            "new_clients": None if k is None else k.new_clients,
            "revenue": None if k is None else k.revenue_total,
            "hires": self.hires,
            "travel": None if k is None else k.travel,
            "bonus_cost": None if k is None else k.bonus_cost,
            "goals_realistic": None if k is None else k.goals_realistic.model_dump(),
            "gap_pct": self.gap_pct,
            "seconds": round(self.seconds, 2),
            "error": self.error,
        }


@dataclass
class Comparison:
    scenario: str
    compared: tuple[str, ...]
    ranked: list[Combination]
    marginal: dict[str, float | None]  # mean score change when a lever is switched on
    status_quo_score: int
    recommendation: str
    seconds: float
    per_combination_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "levers": list(self.compared),
            "ranked": [c.as_dict() for c in self.ranked],
            "marginal": self.marginal,
            "status_quo_score": self.status_quo_score,
            "recommendation": self.recommendation,
            "seconds": round(self.seconds, 2),
            "per_combination_seconds": round(self.per_combination_seconds, 2),
        }


@dataclass
class CompareOptions:
    time_limit: float = 120.0  # the whole comparison
    processes: int | None = None  # default: CPUs
    seed: int = 0
    levers: tuple[str, ...] | None = None  # default: every lever the scenario defines
    strategy: str = "auto"
    deterministic_time: float | None = None  # per combination: reproducible solves
    progress: Callable[[int, int, Combination], None] | None = None
    stop: threading.Event | None = None  # in process only: the combinations left are skipped


def compare(s: Scenario, options: CompareOptions | None = None) -> Comparison:
    """Solve every combination of the compared levers, rank them, and recommend a mix."""
    options = options or CompareOptions()
    started = time.monotonic()
    available = levers_of(s)
    compared = tuple(dict.fromkeys(options.levers)) if options.levers is not None else available
    unknown = [lever for lever in compared if lever not in LEVERS]
    if unknown:
        raise InvalidInput(
            "invalid levers",
            [f"levers: unknown lever '{u}' (one of {', '.join(LEVERS)})" for u in unknown],
        )
    missing = [lever for lever in compared if lever not in available]
    if missing:
        raise InvalidInput(
            "invalid levers",
            [
                f"levers: '{m}' is not defined in scenario {s.name} (its policy has no such block)"
                for m in missing
            ],
        )
    combos = [
        frozenset(c) for k in range(len(compared) + 1) for c in itertools.combinations(compared, k)
    ]
    processes = max(1, min(options.processes or os.cpu_count() or 1, len(combos)))
    rounds = -(-len(combos) // processes)
    seconds = max(MIN_SECONDS, options.time_limit / rounds)
    variants: dict[frozenset[str], Scenario] = {}
    results: list[Combination] = []
    for on in combos:
        try:
            variants[on] = variant(s, on, compared)
        except InvalidInput as error:  # e.g. a lock on a position, with hiring off
            results.append(Combination(on, "INVALID", None, None, 0.0, error=str(error)))
    tasks = {
        on: (
            v.model_dump_json(),
            seconds,
            options.seed,
            options.strategy,
            options.deterministic_time,
        )
        for on, v in variants.items()
    }

    def done(on: frozenset[str], answer: tuple[str, str | None, float | None, float]) -> None:
        status, plan_json, gap, took = answer
        plan = None if plan_json is None else Plan.model_validate_json(plan_json)
        evaluation = None if plan is None else simulate(charged(s, variants[on]), plan)
        combo = Combination(on, status, plan, evaluation, took, gap)
        results.append(combo)
        if options.progress is not None:
            options.progress(len(results), len(combos), combo)

    if processes == 1:  # in process (a service's solve process may not have children)
        for on, task in tasks.items():
            if options.stop is not None and options.stop.is_set():
                break
            done(on, _solve_one(*task, stop=options.stop))
    else:  # side by side on the search's executor (local processes), answers as they come
        from optimizer.search.parallel import make_executor

        executor = make_executor("local", None, processes, worker=CombinationSolver, args=())
        order = list(tasks)
        try:
            for i, answer in executor.each([tasks[on] for on in order]):
                done(order[i], answer)
        finally:
            executor.close()
    ranked = sorted(results, key=_rank_key)
    marginal = _marginal(compared, results)
    status_quo = simulate(s, status_quo_plan(s)).score
    return Comparison(
        scenario=s.name,
        compared=compared,
        ranked=ranked,
        marginal=marginal,
        status_quo_score=status_quo,
        recommendation=recommend(ranked, marginal, compared, status_quo),
        seconds=time.monotonic() - started,
        per_combination_seconds=seconds,
    )


class CombinationSolver:
    """A worker of a comparison (a local process of the executor, or a Ray actor)."""

    def solve(
        self,
        scenario_json: str,
        seconds: float,
        seed: int,
        strategy: str,
        deterministic: float | None,
    ) -> tuple[str, str | None, float | None, float]:
        return _solve_one(scenario_json, seconds, seed, strategy, deterministic)


def _solve_one(
    scenario_json: str,
    seconds: float,
    seed: int,
    strategy: str,
    deterministic: float | None,
    stop: threading.Event | None = None,
) -> tuple[str, str | None, float | None, float]:
    """One combination (in a worker process, or in process): status, plan JSON, gap, seconds."""
    from optimizer.solve import solve

    started = time.monotonic()
    v = load_scenario(json.loads(scenario_json))
    options = combination_options(seconds, seed, strategy, deterministic)
    options.stop = stop
    result = solve(v, options)
    plan = None if result.plan is None else result.plan.model_dump_json()
    return result.status, plan, result.gap_pct, time.monotonic() - started


def combination_options(seconds: float, seed: int, strategy: str, deterministic: float | None):  # type: ignore[no-untyped-def]
    """The options every combination is solved with (one worker each)."""
    from optimizer.solve import SolveOptions

    return SolveOptions(
        time_limit=seconds,
        workers=1,
        seed=seed,
        strategy=strategy,
        deterministic_time=deterministic,
        lp_bound=False,
    )


def _rank_key(c: Combination) -> tuple[int, int, int]:
    """Best score first; a combination without a plan last; fewer levers first on ties."""
    return (c.score is None, -(c.score or 0), len(c.levers))


def _marginal(compared: tuple[str, ...], results: list[Combination]) -> dict[str, float | None]:
    """Per lever: the mean score change over pairs of combinations that differ only by it."""
    by = {c.levers: c.score for c in results}
    out: dict[str, float | None] = {}
    for lever in compared:
        deltas = [
            by[on | {lever}] - by[on]  # type: ignore[operator]
            for on in by
            if lever not in on and by.get(on) is not None and by.get(on | {lever}) is not None
        ]
        out[lever] = statistics.fmean(deltas) if deltas else None
    return out


def recommend(
    ranked: list[Combination],
    marginal: dict[str, float | None],
    compared: tuple[str, ...],
    status_quo: int,
) -> str:
    """The recommended mix and why, in plain words."""
    best = next((c for c in ranked if c.score is not None), None)
    if best is None:
        return "No combination found a plan within the time; give the comparison more time."
    mix = best.label() if best.levers else "none of the compared levers"
    lines = [
        f"Use {mix}: score {best.score:,}, {best.score - status_quo:+,} against the status quo."
    ]
    none = next((c for c in ranked if not c.levers and c.score is not None), None)
    if none is not None and best.levers:
        lines[0] = lines[0][:-1] + f", {best.score - none.score:+,} against no lever at all."
    scale = max(abs(best.score), 1)
    helping = sorted(
        ((m, lever) for lever, m in marginal.items() if m is not None and m > 0.001 * scale),
        reverse=True,
    )
    if helping:
        m, lever = helping[0]
        lines.append(
            f"{LABELS[lever].capitalize()} adds the most: {m:+,.0f} on average when switched on."
        )
    for lever, m in marginal.items():
        if m is not None and m < -0.001 * scale:
            lines.append(
                f"{LABELS[lever].capitalize()} costs more than it brings here: {m:+,.0f} on "
                "average when switched on."
            )
        elif m is not None and abs(m) <= 0.001 * scale:
            lines.append(
                f"{LABELS[lever].capitalize()} changes little here ({m:+,.0f} on average)."
            )
    left_out = [lever for _, lever in helping if lever not in best.levers]
    if left_out:
        lines.append(
            "Left out although it helps on average: "
            + ", ".join(LABELS[lever] for lever in left_out)
            + " (not on top of the recommended mix)."
        )
    gaps = [c.gap_pct for c in ranked if c.gap_pct is not None]
    if gaps:
        lines.append(
            f"Each combination's plan is within {statistics.median(gaps):.1f} % of its bound at "
            "the median: smaller differences may be the search's, not the levers'; give the "
            "comparison more time to tell them apart."
        )
    if any(c.score is None for c in ranked):
        lines.append(
            f"{sum(c.score is None for c in ranked)} combination(s) found no plan in their time."
        )
    return " ".join(lines)
