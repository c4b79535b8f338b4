"""Section 8: the plan's course under noise, many samples at once, and what it says of targets.

One pass over the periods; in each, arrays over samples and territories (and over the people
working then) run the one recurrence of section 4 (`optimizer.simulate.dynamics.flows`) with
the four factors of section 8: a hunter's term, a farmer's term, a territory's spend and its
churn rates, each lognormal with mean 1. With every spread 0 each sample is the exact course
to the unit (a property test). Everything fixed by the plan (who works where, each person's
floored term before noise, the bonus levels, salaries, travel, hand-over, switches) comes from
the exact simulator's reading of the plan; nothing of the recurrence is written twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.plan import Attainment, Percentiles, Target
from optimizer.scenario import Scenario, Uncertainty
from optimizer.simulate.dynamics import Dynamics, flows
from optimizer.simulate.money import COSTS, count_changes, monthly_costs
from optimizer.simulate.schedule import Schedule

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Course:
    """The noisy courses of one plan: arrays over samples (axis 0)."""

    samples: int
    won: Ints  # (samples, territories, periods)
    revenue: Ints  # (samples, territories, periods)
    margin: Ints  # (samples, territories, periods)
    accounts: Ints  # (samples, territories): accounts at the horizon's end
    profit: Ints  # (samples,)
    score: Ints  # (samples,): profit less the sample's shortfall penalties and the change cost
    rows: tuple[tuple[str, int, int], ...]  # (person, from, to): the target rows, in order
    new_clients: Ints  # (samples, rows): each row's realized new clients
    row_revenue: Ints  # (samples, rows): each row's realized revenue

    @property
    def company_new_clients(self) -> Ints:
        out: Ints = self.won.sum(axis=(1, 2))
        return out

    @property
    def company_revenue(self) -> Ints:
        out: Ints = self.revenue.sum(axis=(1, 2))
        return out


class _Draws:
    """Section 8's factors: lognormal, mean 1, coefficient of variation `cv_pct` / 100
    (sigma^2 = ln(1 + c^2), mu = -sigma^2 / 2); a spread of 0 gives exactly 1, drawing
    nothing."""

    def __init__(self, seed: int, samples: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.samples = samples

    def factors(self, cv_pct: int, width: int) -> Floats | None:
        if cv_pct == 0 or width == 0:
            return None
        c = cv_pct / 100
        sigma2 = math.log1p(c * c)
        return self.rng.lognormal(-sigma2 / 2, math.sqrt(sigma2), (self.samples, width))


def _scale(x: Ints, f: Floats | None) -> Ints:
    """floor(x * f), exact where there is no factor."""
    if f is None:
        return x
    return np.floor(x * f).astype(np.int64)


@dataclass(frozen=True)
class _Noise:
    """`flows`'s noise: floor(x * the period's factor of that kind)."""

    factor: dict[str, Floats | None]

    def __call__(self, x: Any, kind: str) -> Any:
        return _scale(x, self.factor[kind])


@dataclass(frozen=True)
class _TerritoryConstants:
    """Each territory's constants of the recurrence, as arrays (the attributes `flows` reads)."""

    win_share_pct: Ints
    account_value: Ints
    revenue_per_account: Ints
    prospect_inflow: Ints


def run_noisy(sched: Schedule, dyn: Dynamics, u: Uncertainty, samples: int | None = None) -> Course:
    """The plan's course in `samples` (default: the block's) noisy samples, seeded by the block.
    `dyn` is the exact course (its person terms are the noise-free floored terms)."""
    s = sched.scenario
    n = u.samples if samples is None else samples
    draws = _Draws(u.seed, n)
    terr = [t.id for t in s.territories]
    index = {t: i for i, t in enumerate(terr)}
    nt, periods = len(terr), s.periods
    const = _TerritoryConstants(
        win_share_pct=np.array([t.win_share_pct for t in s.territories], dtype=np.int64),
        account_value=np.array([t.account_value for t in s.territories], dtype=np.int64),
        revenue_per_account=np.array(
            [t.revenue_per_account for t in s.territories], dtype=np.int64
        ),
        prospect_inflow=np.array([t.prospect_inflow for t in s.territories], dtype=np.int64),
    )
    pool = np.tile(np.array([t.prospects for t in s.territories], dtype=np.int64), (n, 1))
    acc = np.tile(np.array([t.accounts for t in s.territories], dtype=np.int64), (n, 1))
    carry = np.zeros((n, nt), dtype=np.int64)
    won_tp = np.zeros((n, nt, periods), dtype=np.int64)
    rev_tp = np.zeros((n, nt, periods), dtype=np.int64)
    margin_tp = np.zeros((n, nt, periods), dtype=np.int64)

    people = {x.id: i for i, x in enumerate(s.persons)}
    segment_of = {}
    for k, (first, last) in enumerate(s.target_segments):
        for p in range(first, last + 1):
            segment_of[p] = (k, first, last)
    rows: dict[tuple[str, int], int] = {}
    for person in sched.active:
        for p in range(periods):
            cell = sched.cells[person.id][p]
            if cell.working:
                _, first, last = segment_of[p]
                rows.setdefault((person.id, first), len(rows))
    row_list = tuple(
        (person, first, segment_of[first][2])
        for (person, first), _ in sorted(rows.items(), key=lambda kv: kv[1])
    )
    nc_rows = np.zeros((n, len(rows)), dtype=np.int64)
    rev_rows = np.zeros((n, len(rows)), dtype=np.int64)

    for p in range(periods):
        # every person-month and territory-month has its factors, worked or not: two plans of
        # one scenario meet the same sampled world (common random numbers)
        fh = draws.factors(u.hunter_cv_pct, len(people))
        ff = draws.factors(u.farmer_cv_pct, len(people))
        hunters: list[tuple[int, int, int, int]] = []  # (territory, base term, row, person)
        farmers: list[tuple[int, int, int, int]] = []
        first = segment_of[p][1]
        for person in sched.active:
            cell = sched.cells[person.id][p]
            if cell.territory is None or not cell.working:
                continue
            row = rows[(person.id, first)]
            if cell.role == "hunter":
                term = dyn.hunter_terms[(person.id, p)]
                hunters.append((index[cell.territory], term, row, people[person.id]))
            else:
                term = dyn.farmer_terms[(person.id, p)]
                farmers.append((index[cell.territory], term, row, people[person.id]))
        h_terr, h_terms, h_rows = _people(hunters, fh)
        f_terr, f_terms, f_rows = _people(farmers, ff)
        hc = _by_territory(h_terr, h_terms, n, nt)
        fc = _by_territory(f_terr, f_terms, n, nt)
        spend = draws.factors(u.revenue_cv_pct, nt)
        churn_f = draws.factors(u.churn_cv_pct, nt)
        uplift = sched.level(p).uplift_pct
        noise = _Noise({"revenue": spend, "churn": churn_f})
        _, won, _, _, carry, acc, pool, margin, revenue = flows(
            s, const, pool, acc, carry, hc, fc, uplift, np.minimum, noise
        )
        won_tp[:, :, p] = won
        rev_tp[:, :, p] = revenue
        margin_tp[:, :, p] = margin
        # section 5's shares, from the sample's course: won * own term // hc, and so on
        if h_rows.size:
            own = won[:, h_terr] * h_terms // np.maximum(hc[:, h_terr], 1)
            nc_rows[:, h_rows] += own
        if f_rows.size:
            own = revenue[:, f_terr] * f_terms // np.maximum(fc[:, f_terr], 1)
            rev_rows[:, f_rows] += own

    fixed = _fixed_costs(sched, dyn)
    per_client = np.array([sched.level(p).per_client for p in range(periods)], dtype=np.int64)
    bonus = (won_tp.sum(axis=1) * per_client).sum(axis=1)
    terminal = (acc * const.account_value).sum(axis=1) * s.defaults.terminal_value_periods
    profit = margin_tp.sum(axis=(1, 2)) + terminal - fixed - bonus
    t = s.policy.active_targets
    penalties = np.full(n, count_changes(sched) * (s.baseline.change_cost if s.baseline else 0))
    if t.goal_new_clients is not None:
        short = np.maximum(0, t.goal_new_clients - won_tp.sum(axis=(1, 2)))
        penalties += t.new_client_shortfall_cost * short
    if t.goal_revenue is not None:
        short = np.maximum(0, t.goal_revenue - rev_tp.sum(axis=(1, 2)))
        penalties += t.revenue_shortfall_cost_pct * short // 100
    return Course(
        samples=n,
        won=won_tp,
        revenue=rev_tp,
        margin=margin_tp,
        accounts=acc,
        profit=profit,
        score=profit - penalties,
        rows=row_list,
        new_clients=nc_rows,
        row_revenue=rev_rows,
    )


def _people(
    people: list[tuple[int, int, int, int]], f: Floats | None
) -> tuple[npt.NDArray[np.intp], Ints, npt.NDArray[np.intp]]:
    """Territory indices, each person's noisy term (samples x people) and target rows; `f`
    the month's factors of every person of the scenario."""
    terr = np.array([x[0] for x in people], dtype=np.intp)
    base = np.array([x[1] for x in people], dtype=np.int64)
    row = np.array([x[2] for x in people], dtype=np.intp)
    who = np.array([x[3] for x in people], dtype=np.intp)
    mine = None if f is None else f[:, who]
    terms = _scale(np.broadcast_to(base, (1 if mine is None else mine.shape[0], len(people))), mine)
    return terr, terms, row


def _by_territory(terr: npt.NDArray[np.intp], terms: Ints, n: int, nt: int) -> Ints:
    """Each territory's sum of the terms (samples x territories), each term floored alone."""
    out = np.zeros((n, nt), dtype=np.int64)
    if terr.size:
        order = np.argsort(terr, kind="stable")
        ordered = terr[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sums = np.add.reduceat(np.broadcast_to(terms, (n, terr.size))[:, order], starts, axis=1)
        out[:, ordered[starts]] = sums
    return out


def _fixed_costs(sched: Schedule, dyn: Dynamics) -> int:
    """The costs a sample does not change: every cost of section 4 but the bonus."""
    months = monthly_costs(sched, dyn)
    return sum(sum(months[name]) for name in COSTS if name != "bonus_cost")


def attainment_targets(course: Course, pct: int) -> tuple[Ints, Ints]:
    """Targets set by attainment: per row and component the largest v reached in at least
    `pct` % of the samples (the value at 1-based position n - ceil(pct * n / 100) + 1 of the
    sorted samples)."""
    n = course.samples
    kth = n - math.ceil(pct * n / 100)
    nc = np.partition(course.new_clients, kth, axis=0)[kth] if course.rows else np.zeros(0)
    rev = np.partition(course.row_revenue, kth, axis=0)[kth] if course.rows else np.zeros(0)
    return nc.astype(np.int64), rev.astype(np.int64)


def analyse(
    s: Scenario, course: Course, targets: tuple[Target, ...]
) -> tuple[tuple[Target, ...], Attainment]:
    """Each target row's chances and the company's figures (section 8). With
    `attainment_pct`, the targets are first set by it from these samples."""
    assert s.uncertainty is not None
    by_row = {(t.person, t.from_period): t for t in targets}
    a = s.policy.active_targets.attainment_pct
    if a is not None:
        nc, rev = attainment_targets(course, a)
        set_nc = {r[:2]: int(v) for r, v in zip(course.rows, nc, strict=True)}
        set_rev = {r[:2]: int(v) for r, v in zip(course.rows, rev, strict=True)}
        targets = tuple(
            t.model_copy(
                update={
                    "new_clients": set_nc[(t.person, t.from_period)],
                    "revenue": set_rev[(t.person, t.from_period)],
                }
            )
            for t in targets
        )
        by_row = {(t.person, t.from_period): t for t in targets}
    goal_nc = np.array([by_row[r[:2]].new_clients for r in course.rows], dtype=np.int64)
    goal_rev = np.array([by_row[r[:2]].revenue for r in course.rows], dtype=np.int64)
    hit_nc = course.new_clients >= goal_nc  # a component of 0 is always attained
    hit_rev = course.row_revenue >= goal_rev
    p_nc, p_rev = hit_nc.mean(axis=0), hit_rev.mean(axis=0)
    p_both = (hit_nc & hit_rev).mean(axis=0)
    chance = {
        r[:2]: (float(p_nc[i]), float(p_rev[i]), float(p_both[i]))
        for i, r in enumerate(course.rows)
    }
    out = tuple(
        t.model_copy(
            update=dict(
                zip(
                    ("p_new_clients", "p_revenue", "p_both"),
                    chance[(t.person, t.from_period)],
                    strict=True,
                )
            )
        )
        for t in targets
    )
    # the share of components attained, over the components set above 0 (docs/uncertainty.md)
    counted = np.concatenate([hit_nc[:, goal_nc > 0], hit_rev[:, goal_rev > 0]], axis=1)
    share = float(counted.mean()) if counted.size else None
    t = s.policy.active_targets
    new_clients, revenue = course.company_new_clients, course.company_revenue
    u = s.uncertainty
    figures = Attainment(
        samples=course.samples,
        seed=u.seed,
        profit=_percentiles(course.profit),
        new_clients=_percentiles(new_clients),
        revenue=_percentiles(revenue),
        p_goal_new_clients=None
        if t.goal_new_clients is None
        else float((new_clients >= t.goal_new_clients).mean()),
        p_goal_revenue=None
        if t.goal_revenue is None
        else float((revenue >= t.goal_revenue).mean()),
        share_attained=share,
    )
    return out, figures


def _percentiles(x: Ints) -> Percentiles:
    """P10 / P50 / P90 as values of the samples (the inverted empirical distribution)."""
    p10, p50, p90 = np.percentile(x, [10, 50, 90], method="inverted_cdf")
    return Percentiles(p10=int(p10), p50=int(p50), p90=int(p90))
