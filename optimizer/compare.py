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
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.plan import Plan
from optimizer.result import SolveOptions, Strategy, relative_gap_pct
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.simulate import Evaluation, simulate
from optimizer.simulate.noisy import run_noisy
from optimizer.status_quo import status_quo_plan
from optimizer.verify import SolveBug

LEVERS = ("rotation", "split", "bonus", "hiring", "targets")
LABELS = {
    "rotation": "rotation",
    "split": "hunter/farmer split",
    "bonus": "acquisition bonus",
    "hiring": "new hires",
    "targets": "planning to the goals",
}
MIN_SECONDS = 2.0  # a combination's solve never gets less, whatever the budget
FIRST_SHARE = 0.5  # of the time for the first round, every combination once; the rest races
POOL = 4  # each combination is offered the plans of this many of the best others
RACE_PASSES = 2  # reproducible comparisons: re-solve passes after the first round
# the bounds a combination's solves add, by run: the flow LP (well under a second on crimea)
# first, then the model's LP (1-4 s on crimea) beside its second search
BOUND_BY_RUN = {0: "flow", 1: "lp"}
RACE_MARGIN = 1.0  # seconds kept back from the race: a solve may end up to a second late


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


def judged_under(s: Scenario, comparison: dict[str, Any]) -> Scenario:
    """The scenario the best combination of a comparison (its `as_dict()`) is judged under:
    its own levers, the original goals charged; the scenario itself when nothing ranked."""
    if not comparison["ranked"]:
        return s
    on = frozenset(comparison["ranked"][0]["levers"])
    return charged(s, variant(s, on, tuple(comparison["levers"])))


@dataclass
class Combination:
    levers: frozenset[str]
    status: str
    plan: Plan | None
    evaluation: Evaluation | None  # with the scenario's goals charged
    seconds: float  # solving it, every run together
    gap_pct: float | None = None  # of the charged score to the bound
    error: str | None = None  # why this combination could not be solved at all
    bound: int | None = None  # a true upper bound on the score of any plan of this combination
    objective: int | None = None  # the plan's score under the combination's own rules
    runs: int = 0  # solves it was given (the first round and the race)
    spread: Spread | None = None  # its plan's profit under uncertainty (spec section 8)

    @property
    def score(self) -> int | None:
        ev = self.evaluation
        return ev.score if ev is not None and ev.feasible else None

    @property
    def hires(self) -> int:
        return 0 if self.evaluation is None else self.evaluation.kpis.hires

    @property
    def usable(self) -> bool:
        """Whether this combination can still hold a plan (not invalid, not proven infeasible)."""
        return self.error is None and self.status != "INFEASIBLE"

    def label(self) -> str:
        return " + ".join(LABELS[lever] for lever in LEVERS if lever in self.levers) or "none"

    def as_dict(self) -> dict[str, object]:
        k = self.evaluation.kpis if self.evaluation is not None and self.score is not None else None
        return {
            "levers": [lever for lever in LEVERS if lever in self.levers],
            "status": self.status,
            "score": self.score,
            "bound": self.bound,
            "profit": None if k is None else k.profit,
            "new_clients": None if k is None else k.new_clients,
            "revenue": None if k is None else k.revenue_total,
            "hires": self.hires,
            "travel": None if k is None else k.travel,
            "bonus_cost": None if k is None else k.bonus_cost,
            "goals_realistic": None if k is None else k.goals_realistic.model_dump(),
            "gap_pct": None if self.gap_pct is None else round(self.gap_pct, 4),
            "seconds": round(self.seconds, 2),
            "runs": self.runs,
            "error": self.error,
            "uncertainty": None if self.spread is None else self.spread.as_dict(),
        }


@dataclass(frozen=True)
class Spread:
    """A combination's plan under section 8's noise: its profit's P10 / P50 / P90 and the
    share of sampled courses in which it beats the status quo's. Sample i of every plan of the
    scenario meets the same sampled world (the factors are drawn for every person- and
    territory-month, worked or not), so the share compares the plans in the same market; a tie
    counts half."""

    p10: int
    p50: int
    p90: int
    mean: int
    p_beats_status_quo: float
    profits: npt.NDArray[np.int64] = field(compare=False, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "profit_p10": self.p10,
            "profit_p50": self.p50,
            "profit_p90": self.p90,
            "profit_mean": self.mean,
            "p_beats_status_quo": round(self.p_beats_status_quo, 4),
        }


RELIABLE = 0.8  # a leader wins reliably when it beats the runner-up in this share of courses


def profits(ev: Evaluation) -> npt.NDArray[np.int64] | None:
    """The profit of each noisy course of an evaluated plan (None without uncertainty)."""
    if ev.course is None or ev.course[0].scenario.uncertainty is None:
        return None
    sched, dyn = ev.course
    assert sched.scenario.uncertainty is not None
    return run_noisy(sched, dyn, sched.scenario.uncertainty).profit


SPREAD_ALWAYS = 2  # the leader and the runner-up are always sampled: the advice needs them


def spreads(ranked: list[Combination], status_quo: Evaluation, until: float | None = None) -> None:
    """Each combination's `spread`, where the scenario has an `uncertainty` block, best first;
    past `until` (a `time.monotonic()` instant: the comparison's time limit) only the first
    `SPREAD_ALWAYS` with a plan are sampled, the others keep none (shown as "-")."""
    base = profits(status_quo)
    if base is None:
        return
    done = 0
    for c in ranked:
        if c.evaluation is None or c.score is None:
            continue
        if done >= SPREAD_ALWAYS and until is not None and time.monotonic() > until:
            break
        done += 1
        mine = profits(c.evaluation)
        if mine is None:
            continue
        p10, p50, p90 = (int(v) for v in np.percentile(mine, [10, 50, 90], method="inverted_cdf"))
        c.spread = Spread(p10, p50, p90, int(mine.mean()), _beats(mine, base), mine)


def _mix(c: Combination) -> str:
    return c.label() if c.levers else "none of the compared levers"


def _beats(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> float:
    """The share of the sampled worlds in which `a` earns more than `b` (a tie counts half)."""
    return float((a > b).mean() + 0.5 * (a == b).mean())


def _reliability(ranked: list[Combination]) -> str:
    """What uncertainty says of the leader: its spread, how often it beats the status quo, and
    whether it beats the runner-up reliably or only on the expected course."""
    planned = [c for c in ranked if c.spread is not None]
    if not planned:
        return ""
    best = planned[0]
    assert best.spread is not None
    n = len(best.spread.profits)
    text = (
        f"Under uncertainty ({n:,} sampled courses): its profit runs {best.spread.p10:,} "
        f"(P10) to {best.spread.p90:,} (P90) and beats the status quo in "
        f"{100 * best.spread.p_beats_status_quo:.0f} % of them"
    )
    if len(planned) < 2:
        return text + "."
    second = planned[1]
    assert second.spread is not None
    if np.array_equal(best.spread.profits, second.spread.profits):
        return text + f"; the runner-up, {second.label()}, fares exactly the same."
    wins = _beats(best.spread.profits, second.spread.profits)
    if wins >= RELIABLE:
        return text + f"; it beats the runner-up, {second.label()}, in {100 * wins:.0f} %."
    text += (
        f"; it wins on the expected course but not reliably: it beats the runner-up, "
        f"{second.label()}, in only {100 * wins:.0f} % of the courses."
    )
    richer = max(planned, key=lambda c: c.spread.mean if c.spread is not None else 0)
    safer = max(planned[1:], key=lambda c: c.spread.p10 if c.spread is not None else 0)
    assert richer.spread is not None and safer.spread is not None
    if richer is not best:
        text += (
            f" Averaged over the sampled courses {_mix(richer)} earns more (mean profit "
            f"{richer.spread.mean:,} against {best.spread.mean:,}): under uncertainty, use "
            f"{_mix(richer)}."
        )
    elif safer.spread.p10 > best.spread.p10:
        text += (
            f" Where a bad year matters more than the expected one, use {_mix(safer)}: "
            f"its P10 is {safer.spread.p10:,} against {best.spread.p10:,}."
        )
    return text


@dataclass
class Comparison:
    scenario: str
    compared: tuple[str, ...]
    ranked: list[Combination]
    marginal: dict[str, float | None]  # mean score change when a lever is switched on
    status_quo_score: int
    recommendation: str
    seconds: float
    per_combination_seconds: float = 0.0  # each combination's first solve
    notes: list[str] = field(default_factory=list)
    rivals: list[Combination] = field(default_factory=list)  # not separated from the leader
    race_solves: int = 0  # solves given after the first round to combinations left open

    @property
    def proven(self) -> bool:
        """Whether the leader is proven the best: no other combination's bound exceeds it."""
        return bool(self.ranked) and self.ranked[0].score is not None and not self.rivals

    def as_dict(self) -> dict[str, object]:
        return {
            "scenario": self.scenario,
            "levers": list(self.compared),
            "ranked": [c.as_dict() for c in self.ranked],
            "marginal": self.marginal,
            "status_quo_score": self.status_quo_score,
            "recommendation": self.recommendation,
            "proven": self.proven,
            "rivals": [[lever for lever in LEVERS if lever in c.levers] for c in self.rivals],
            "seconds": round(self.seconds, 2),
            "per_combination_seconds": round(self.per_combination_seconds, 2),
            "race_solves": self.race_solves,
        }


@dataclass
class CompareOptions:
    time_limit: float = 120.0  # the whole comparison
    processes: int | None = None  # default: CPUs
    seed: int = 0
    levers: tuple[str, ...] | None = None  # default: every lever the scenario defines
    strategy: Strategy = "auto"
    deterministic_time: float | None = None  # per solve: reproducible comparisons
    progress: Callable[[int, int, Combination], None] | None = None
    stop: threading.Event | None = None  # in process only: the solves left are skipped


def compare(s: Scenario, options: CompareOptions | None = None) -> Comparison:
    """Solve every combination of the compared levers, race the ones the bounds cannot yet
    separate from the leader, rank them, and recommend a mix only where it is proven."""
    options = options or CompareOptions()
    started = time.monotonic()
    compared = _compared_levers(s, options.levers)
    combos = [
        frozenset(c) for k in range(len(compared) + 1) for c in itertools.combinations(compared, k)
    ]
    race = _Race(s, compared, options, started)
    for on in combos:
        try:
            race.variants[on] = variant(s, on, compared)
            race.results[on] = Combination(on, "UNKNOWN", None, None, 0.0)
        except InvalidInput as error:  # e.g. a lock on a position, with hiring off
            race.results[on] = Combination(on, "INVALID", None, None, 0.0, error=str(error))
    processes = max(1, min(options.processes or os.cpu_count() or 1, len(race.variants) or 1))
    waves = -(-len(race.variants) // processes)
    share = 1.0 if options.deterministic_time is not None else FIRST_SHARE
    first = max(MIN_SECONDS, share * options.time_limit / max(waves, 1))
    race.open(processes)
    try:
        race.run(list(race.variants), first, total=len(race.variants))
        race.pool()
        race.tighten()
        passes = 0
        while not race.stopped():
            todo = race.undecided()
            if options.deterministic_time is not None:
                if passes >= RACE_PASSES:
                    break
                seconds = first
            else:
                left = options.time_limit - (time.monotonic() - started) - RACE_MARGIN
                todo = todo[: processes * int(left // MIN_SECONDS)]
                if not todo:
                    break
                seconds = max(MIN_SECONDS, left / (2 * -(-len(todo) // processes)))
                if len(todo) == 1:  # the leader alone: every CPU, the time left
                    seconds = left
            if not todo:
                break
            alone = len(todo) == 1 and options.deterministic_time is None
            workers = processes if alone else 1  # several CP-SAT workers are not reproducible
            race.run([c.levers for c in todo], seconds, race.solves + len(todo), workers)
            race.pool()
            race.tighten()
            passes += 1
    finally:
        race.close()
    ranked = race.ranked()
    marginal = _marginal(compared, ranked)
    status_quo_ev = simulate(s, status_quo_plan(s))
    status_quo = status_quo_ev.score
    rivals = race.rivals()
    # a reproducible comparison samples every mix, whatever the clock says
    wall = None if options.deterministic_time is not None else started + options.time_limit
    spreads(ranked, status_quo_ev, until=wall)
    advice = recommend(ranked, marginal, compared, status_quo, rivals)
    reliability = _reliability(ranked)
    return Comparison(
        scenario=s.name,
        compared=compared,
        ranked=ranked,
        marginal=marginal,
        status_quo_score=status_quo,
        recommendation=f"{advice} {reliability}" if reliability else advice,
        seconds=time.monotonic() - started,
        per_combination_seconds=first,
        rivals=rivals,
        race_solves=race.solves - len(race.variants),
    )


def _compared_levers(s: Scenario, levers: tuple[str, ...] | None) -> tuple[str, ...]:
    available = levers_of(s)
    compared = tuple(dict.fromkeys(levers)) if levers is not None else available
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
    return compared


class _Race:
    """The combinations' plans and bounds, and the solves that improve them."""

    def __init__(
        self, s: Scenario, compared: tuple[str, ...], options: CompareOptions, started: float
    ) -> None:
        self.s, self.compared, self.options, self.started = s, compared, options, started
        self.variants: dict[frozenset[str], Scenario] = {}
        self.results: dict[frozenset[str], Combination] = {}
        self.solves = 0
        self._executor: Any = None
        # (combination, other combination, the other's objective then): plans already offered
        self._offered: set[tuple[frozenset[str], frozenset[str], int | None]] = set()

    def open(self, processes: int) -> None:
        if processes > 1:  # side by side on the search's executor (local processes)
            from optimizer.search.parallel import make_executor

            self._executor = make_executor(
                "local", None, processes, worker=CombinationSolver, args=()
            )

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()

    def stopped(self) -> bool:
        stop = self.options.stop
        return stop is not None and stop.is_set()

    def run(
        self, order: list[frozenset[str]], seconds: float, total: int, workers: int = 1
    ) -> None:
        """Solve these combinations for `seconds` each, each from the best plan it can use.
        An answer changes only its own combination, so the order answers come in does not
        matter (reproducible solves give one comparison)."""
        o = self.options
        tasks = []
        for on in order:
            combo = self.results[on]
            hint = None if combo.plan is None else combo.plan.model_dump_json()
            extra = BOUND_BY_RUN.get(combo.runs)
            tasks.append(
                (
                    self.variants[on].model_dump_json(),
                    seconds,
                    o.seed + combo.runs,
                    o.strategy,
                    o.deterministic_time,
                    hint,
                    extra,
                    workers,
                )
            )
        if self._executor is None:  # in process (a service's solve process may not have children)
            for on, task in zip(order, tasks, strict=True):
                if self.stopped():
                    break
                self._take(on, _solve_one(*task, stop=o.stop), total)
        else:  # answers as they come: each changes only its own combination
            for i, answer in self._executor.each(tasks):
                self._take(order[i], answer, total)

    def _take(
        self, on: frozenset[str], answer: tuple[str, str | None, int | None, float], total: int
    ) -> None:
        status, plan_json, bound, took = answer
        combo = self.results[on]
        combo.runs += 1
        combo.seconds += took
        self.solves += 1
        if combo.status not in ("OPTIMAL", "FEASIBLE") or status == "OPTIMAL":
            combo.status = status
        if bound is not None and (combo.bound is None or bound < combo.bound):
            combo.bound = bound
        if plan_json is not None:
            self.adopt(combo, Plan.model_validate_json(plan_json))
        self._refresh(combo)
        if self.options.progress is not None:
            self.options.progress(self.solves, total, combo)

    def adopt(self, combo: Combination, plan: Plan) -> bool:
        """Keep `plan` for `combo` when its rules allow it and it scores better under them."""
        v = self.variants[combo.levers]
        plan = _fit(plan, v)
        try:
            own = simulate(v, plan)
        except InvalidInput:  # e.g. a hire where the combination has no hiring
            return False
        if not own.feasible or (combo.objective is not None and own.score <= combo.objective):
            return False
        combo.plan, combo.objective = plan, own.score
        combo.evaluation = own if charged(self.s, v) is v else simulate(charged(self.s, v), plan)
        if combo.status not in ("OPTIMAL", "FEASIBLE"):
            combo.status = "FEASIBLE"
        return True

    def pool(self) -> None:
        """Offer every combination the best plans of the combinations it widens (each of
        their plans is one of its own) and of the best others (a plan found under one mix is
        often feasible under another)."""
        have = sorted((c for c in self.results.values() if c.plan is not None), key=_rank_key)
        for combo in self.results.values():
            if combo.levers not in self.variants:
                continue
            narrower = [c for c in have if self.narrows(c.levers, combo.levers)]
            candidates = {id(c): c for c in [*narrower[:POOL], *have[:POOL]]}
            for other in candidates.values():
                # a combination's plan changes only with its objective: offer each plan once
                key = (combo.levers, other.levers, other.objective)
                if other is combo or other.plan is None or key in self._offered:
                    continue
                self._offered.add(key)
                if self.adopt(combo, other.plan):
                    if combo.status == "OPTIMAL":  # proven for its own plan, not this one
                        combo.status = "FEASIBLE"
                    self._refresh(combo)

    def tighten(self) -> None:
        """No plan of a combination scores more than the bound of one it narrows."""
        for combo in self.results.values():
            if not combo.usable:
                continue
            for wider in self.results.values():
                if (
                    wider is not combo
                    and wider.bound is not None
                    and (combo.bound is None or wider.bound < combo.bound)
                    and self.narrows(combo.levers, wider.levers)
                ):
                    combo.bound = wider.bound
                    self._refresh(combo)

    def narrows(self, on: frozenset[str], wider: frozenset[str]) -> bool:
        """Whether every plan of combination `on` is a plan of `wider`: see `narrows`."""
        if on not in self.variants or wider not in self.variants:
            return False
        return narrows(on, wider, _neutral_in_menu(self.s))

    def dominates(self, b: Combination, a: Combination) -> bool:
        """Whether `b`'s best plan scores at least `a`'s: `a` narrows `b`, and `b` plans to
        the goals its scores are charged with (or the goals are not compared)."""
        judged = "targets" in b.levers or "targets" not in self.compared
        return judged and self.narrows(a.levers, b.levers)

    def ranked(self) -> list[Combination]:
        """Best score first, fewer levers first on ties; but of the combinations tied for
        the lead, one that dominates all the others leads (no other mix can beat it, while
        a simpler one tied with it may still be beaten)."""
        ranked = sorted(self.results.values(), key=_rank_key)
        tied = [c for c in ranked if c.score is not None and c.score == ranked[0].score]
        for c in tied:
            if all(self.dominates(c, other) for other in tied if other is not c):
                ranked.remove(c)
                return [c, *ranked]
        return ranked

    def rivals(self) -> list[Combination]:
        """The combinations not yet told apart from the leader (see `_rivals`)."""
        return _rivals(self.ranked(), self.dominates)

    def _refresh(self, combo: Combination) -> None:
        score = combo.score
        if combo.bound is not None and score is not None and combo.bound < score:
            raise SolveBug(f"compare, {combo.label()}: bound {combo.bound} below plan {score}")
        combo.gap_pct = (
            None if combo.bound is None or score is None else relative_gap_pct(score, combo.bound)
        )
        if combo.gap_pct == 0 and combo.status == "FEASIBLE":
            combo.status = "OPTIMAL"

    def undecided(self) -> list[Combination]:
        """What the race works on next: the leader and those of its rivals that no other
        rival dominates (if a dominating one cannot beat the leader, neither can they), the
        highest bound first; once nothing rivals it, the leader alone while it is not proven
        optimal (its plan is the one recommended)."""
        leader = self.ranked()[0]
        rivals = self.rivals()
        todo = [c for c in rivals if not any(d is not c and self.dominates(d, c) for d in rivals)]
        if leader.score is not None and leader.status != "OPTIMAL":
            todo.append(leader)
        big = 1 << 62
        return sorted(
            todo, key=lambda c: (-(c.bound if c.bound is not None else big), _rank_key(c))
        )


def narrows(on: frozenset[str], wider: frozenset[str], neutral_in_menu: bool) -> bool:
    """Whether every plan of the combination `on` is also a plan of `wider` (same score, the
    goals aside): `wider` only switches rotation or the split off, or the bonus (its menu
    holding the neutral level) or hiring on. Then no plan of `on` scores more than `wider`'s
    bound, whichever of the two plans to the goals (their penalties only lower a score)."""
    for lever in on ^ wider:
        grows = lever in wider
        if lever in ("rotation", "split") and grows:
            return False
        if lever == "hiring" and not grows:
            return False
        if lever == "bonus" and not (grows and neutral_in_menu):
            return False
    return True


def _neutral_in_menu(s: Scenario) -> bool:
    return s.policy.bonus is not None and s.neutral_level in s.policy.bonus.levels


def _rivals(
    ranked: list[Combination],
    dominates: Callable[[Combination, Combination], bool] | None = None,
) -> list[Combination]:
    """The combinations the leader is not yet told apart from: each could still score more
    than the leader's plan (its bound is above it, or it has none), and the leader does not
    dominate it (every plan of one it dominates is one of its own). A combination proven
    optimal is decided: its score is its worth."""
    leader = next((c for c in ranked if c.score is not None), None)
    if leader is None or leader.score is None:
        return []
    return [
        c
        for c in ranked
        if c is not leader
        and c.usable
        and c.status != "OPTIMAL"
        and (c.bound is None or c.bound > leader.score)
        and not (dominates is not None and dominates(leader, c))
    ]


def _fit(plan: Plan, v: Scenario) -> Plan:
    """A plan written without bonus levels (the bonus off) names the neutral level each period
    when it goes to a combination with the bonus on."""
    if v.policy.bonus_on and not plan.bonus_levels and v.neutral_level in v.bonus_menu:
        return plan.model_copy(update={"bonus_levels": (v.neutral_level.name,) * v.periods})
    return plan


class CombinationSolver:
    """A worker of a comparison (a local process of the executor, or a Ray actor)."""

    def solve(
        self,
        scenario_json: str,
        seconds: float,
        seed: int,
        strategy: Strategy,
        deterministic: float | None,
        hint_json: str | None = None,
        extra_bound: str | None = None,
        workers: int = 1,
    ) -> tuple[str, str | None, int | None, float]:
        return _solve_one(
            scenario_json, seconds, seed, strategy, deterministic, hint_json, extra_bound, workers
        )


def _solve_one(
    scenario_json: str,
    seconds: float,
    seed: int,
    strategy: Strategy,
    deterministic: float | None,
    hint_json: str | None = None,
    extra_bound: str | None = None,
    workers: int = 1,
    stop: threading.Event | None = None,
) -> tuple[str, str | None, int | None, float]:
    """One solve of a combination (in a worker process, or in process), from its best plan
    when it has one: status, plan JSON, bound, seconds. `extra_bound` adds a bound the solve
    alone would not compute in a short time: "flow" (the flow LP, first, within the time) or
    "lp" (the model's LP, beside the search)."""
    from optimizer.domains import build_domains
    from optimizer.search.flow import FLOW_MAX_COLUMNS, flow_bound, flow_columns
    from optimizer.solve import solve

    started = time.monotonic()
    v = load_scenario(json.loads(scenario_json))
    flow = None
    if extra_bound == "flow":
        domains = build_domains(v)
        if flow_columns(v, domains) <= FLOW_MAX_COLUMNS:  # the size the search tries it at
            flow = flow_bound(v, domains, time_limit=seconds / 2).bound
    left = max(MIN_SECONDS / 2, seconds - (time.monotonic() - started))
    options = combination_options(
        left if deterministic is None else seconds, seed, strategy, deterministic
    ).replace(
        lp_bound=extra_bound == "lp",
        workers=workers,
        stop=stop,
        hint=None if hint_json is None else Plan.model_validate_json(hint_json),
    )
    result = solve(v, options)
    plan = None if result.plan is None else result.plan.model_dump_json()
    bounds = [b for b in (result.best_bound, flow) if b is not None]
    if result.status == "INFEASIBLE":
        bounds = []
    return result.status, plan, min(bounds, default=None), time.monotonic() - started


def combination_options(
    seconds: float, seed: int, strategy: Strategy, deterministic: float | None
) -> SolveOptions:
    """The options every combination is solved with (one worker each)."""
    return SolveOptions(
        time_limit=seconds,
        workers=1,
        seed=seed,
        strategy=strategy,
        deterministic_time=deterministic,
        lp_bound=False,
    )


def _rank_key(c: Combination) -> tuple[int, int, int, str]:
    """Best score first; a combination without a plan last; fewer levers first on ties."""
    return (c.score is None, -(c.score or 0), len(c.levers), c.label())


def _marginal(compared: tuple[str, ...], results: list[Combination]) -> dict[str, float | None]:
    """Per lever: the mean score change over pairs of combinations that differ only by it."""
    by = {c.levers: c.score for c in results}
    out: dict[str, float | None] = {}
    for lever in compared:
        deltas = []
        for on, here in by.items():
            there = by.get(on | {lever})
            if lever not in on and here is not None and there is not None:
                deltas.append(there - here)
        out[lever] = statistics.fmean(deltas) if deltas else None
    return out


def recommend(
    ranked: list[Combination],
    marginal: dict[str, float | None],
    compared: tuple[str, ...],
    status_quo: int,
    rivals: list[Combination] | None = None,
) -> str:
    """The recommended mix and why, in plain words: a mix is recommended only when it is
    proven the best (`rivals`, the combinations not told apart from the leader, is empty);
    otherwise the leader is named with its rivals, and by how much they could beat it."""
    best = next((c for c in ranked if c.score is not None), None)
    if best is None or best.score is None:
        return "No combination found a plan within the time; give the comparison more time."
    mix = best.label() if best.levers else "none of the compared levers"
    against = f"score {best.score:,}, {best.score - status_quo:+,} against the status quo"
    none = next((c for c in ranked if not c.levers and c.score is not None), None)
    if none is not None and none.score is not None and best.levers:
        against += f", {best.score - none.score:+,} against no lever at all"
    rivals = _rivals(ranked) if rivals is None else rivals
    if not rivals:
        lines = [
            f"Use {mix}: {against}. It is proven the best of the {len(ranked)} combinations: "
            "every other one is bounded below its score, or only adds rules to it or leaves "
            "out a lever that widens the choice (so each of its plans is one of this mix's)."
        ]
    else:
        lines = [f"Best plan found: {mix}, {against}."]
        lines.append(_unseparated(best.score, rivals))
    scale = max(abs(best.score), 1)
    helping = sorted(
        ((m, lever) for lever, m in marginal.items() if m is not None and m > 0.001 * scale),
        reverse=True,
    )
    if helping:
        gain, lever = helping[0]
        lines.append(
            f"{LABELS[lever].capitalize()} adds the most: {gain:+,.0f} on average when switched on "
            "(by the plans found)."
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
            + " (not on top of the best mix)."
        )
    gaps = sorted(c.gap_pct for c in ranked if c.gap_pct is not None)
    if gaps:
        lines.append(
            "How far each combination's plan may be from the best plan of its mix (the gap "
            f"to its bound): {statistics.median(gaps):.1f} % at the median, "
            f"{gaps[0]:.1f}-{gaps[-1]:.1f} %."
        )
    if any(c.score is None for c in ranked):
        lines.append(
            f"{sum(c.score is None for c in ranked)} combination(s) found no plan in their time."
        )
    return " ".join(lines)


def _unseparated(leader: int, rivals: list[Combination], named: int = 3) -> str:
    """Which combinations the leader cannot be told apart from, and by how much."""
    scale = max(abs(leader), 1)

    def by(c: Combination) -> str:
        reach = (
            "no bound"
            if c.bound is None
            else f"up to {100 * (c.bound - leader) / scale:+.1f} % on the leader"
        )
        behind = (
            "no plan yet"
            if c.score is None
            else f"its plan {100 * (c.score - leader) / scale:+.1f} %"
        )
        return f"{c.label()} ({behind}, {reach})"

    top = sorted(rivals, key=lambda c: -(c.bound if c.bound is not None else 1 << 62))[:named]
    more = len(rivals) - len(top)
    text = (
        f"It is not proven the best: {len(rivals)} other combination(s) could still beat it "
        "within their gaps: " + "; ".join(by(c) for c in top)
    )
    if more:
        text += f"; and {more} more"
    return text + ". Give the comparison more time to separate them."
