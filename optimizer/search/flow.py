"""The flow bound: a lean LP relaxation for scenarios too large for the model's own LP.

The LP relaxation of the whole model (`optimizer.search.bound`) stops solving near 100k
variables on two cores: floors, minima, ramps, stints and switches each add rows. This LP keeps
only what carries the money — people spread over their cells, prospects, accounts — and
relaxes the rest, so every solution of the model maps to a solution of it (a true bound):

- each person-period is split over its working cells (`sum <= 1`; the domains decide the
  cells: roles, reach, availability, training gate, veterans), a hire at his best ramp month;
  a position is `filled` from a period on (salary every period, the hire cost once), at most
  `max_hires` filled and `max_hires_per_period` newly filled in a period;
- per territory and period: `won <= pool * win_share / 100`; the hunters' capacity split over
  the bonus levels, each level's part at most its share of the period times every hunter who
  may hunt there, `won_l <= hc_l * uplift_l / 100`, each client paying its level's price; the
  pool and the accounts roll forward as in section 4, `served <= acc`, `served <= fc`, head
  counts within `max_reps`, counted farmers at least `min_farmers`, the prospect supply floor
  by head; churn is kept cumulatively, `100 * sum(churn) >= sum(lost) - 99`, which every
  integer plan meets whatever its carries;
- money: margin and terminal value exactly, travel per working cell away from home, salaries
  (a hire's from his start), hire costs; handover, switch, bench and change costs are dropped;
  goal shortfalls are charged linearly (the revenue floor loosened by one unit);
- training: working a long-cycle territory (a share `w` of a period) needs `w * training
  periods` trainee periods before it, trainees within the trainer capacity;
- dropped entirely: stint lengths, cooldowns, tenure, specialization, hand-over to a farmer,
  locks (beyond the domains) and the baseline.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict

import numpy as np

from optimizer.domains import Domains, build_domains
from optimizer.plan import TRAINEE
from optimizer.scenario import Scenario
from optimizer.search.bound import INF, RELATIVE_MARGIN, LpBound, _Rows, solve_lp
from optimizer.search.capacity import territory_limits, top_productivity

log = logging.getLogger(__name__)

# Above this many cell columns the flow LP is not tried (on 2 cores: L has 142k and solves in
# 27 s, XL 292k in 126 s; the national scenario's is measured in benchmarks/RESULTS.md).
FLOW_MAX_COLUMNS = 1_500_000


class _Columns:
    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cost: list[float] = []

    def add(self, cost: float = 0.0, lower: float = 0.0, upper: float = INF) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        return len(self.cost) - 1


def flow_columns(s: Scenario, domains: Domains) -> int:
    """How many cell columns the flow LP would have."""
    return sum(
        1 for cells in domains.cells.values() for cell in cells if cell.territory is not None
    )


def flow_bound(s: Scenario, domains: Domains | None = None, time_limit: float = 60.0) -> LpBound:
    """Solve the flow LP; `bound` >= every feasible plan's score (None: not proven in time)."""
    import highspy

    started = time.monotonic()
    domains = domains or build_domains(s)
    d = s.defaults
    periods = s.periods
    cols = _Columns()
    top_uplift = max(level.uplift_pct for level in s.bonus_menu) / 100
    churn_min = min(d.churn_served_pct, d.churn_unserved_pct)
    hunters: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)  # (column, term)
    farmers: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    person_rows: list[tuple[dict[int, float], float]] = []
    filled: dict[tuple[str, int], int] = {}  # a position filled in a period
    hires_at: list[dict[int, float]] = [{} for _ in range(periods)]  # filled positions
    salary = s.hiring.salary if s.hiring is not None else 0
    trainees_at: list[dict[int, float]] = [{} for _ in range(periods)]
    training_rows: list[dict[int, float]] = []
    for person in s.persons:
        needed = person.training_needed
        trains = needed > 0 and not (person.veteran and person.current is not None)
        trained_before: dict[int, float] = {}  # trainee columns of earlier periods, negated
        for p in range(periods):
            row: dict[int, float] = {}
            long_cycle: dict[int, float] = {}
            for cell in domains.cells[(person.id, p)]:
                if cell.territory is None:
                    continue
                t = s.territory_by_id[cell.territory]
                cost = 0.0
                if not person.is_position and cell.territory != person.home:
                    cost -= person.travel_cost
                y = cols.add(cost, 0.0, 1.0)
                row[y] = 1.0
                if trains and t.long_cycle:
                    long_cycle[y] = float(needed)
                prod = top_productivity(s, person, p)
                if cell.role == "hunter":
                    hunters[(t.id, p)].append((y, s.hunter_term(person, prod)))
                else:
                    term = s.farmer_term(person, t, prod)
                    farmers[(t.id, p)].append((y, term))
            if long_cycle:  # needed * (working long-cycle now) <= trainee periods before
                training_rows.append({**long_cycle, **trained_before})
            if trains and TRAINEE in domains.cells[(person.id, p)]:
                tr = cols.add(0.0, 0.0, 1.0)
                row[tr] = 1.0
                trainees_at[p][tr] = 1.0
                trained_before[tr] = -1.0
            if person.is_position:
                filled[(person.id, p)] = f = cols.add(-float(salary), 0.0, 1.0)
                row[f] = -1.0  # the cells of a position sum to at most its `filled`
                hires_at[p][f] = 1.0
                person_rows.append((row, 0.0))
            elif len(row) > 1:
                person_rows.append((row, 1.0))

    rows = _Rows(np.zeros(0), np.zeros(0))
    for row, high in person_rows:
        rows.row(row, -INF, high)
    for row in training_rows:
        rows.row(row, -INF, 0.0)
    capacity = s.training.trainer_capacity if s.training is not None else 0
    for at in trainees_at:
        if len(at) > capacity:
            rows.row(at, -INF, float(capacity))
    if s.hiring is not None and s.positions:
        h = s.hiring
        for at in hires_at:
            if len(at) > h.max_hires:
                rows.row(at, -INF, float(h.max_hires))
        for position in s.positions:  # filled from its start to the end: hired once
            previous: int | None = None
            for p in range(periods):
                now = filled.get((position.id, p))
                if now is None:
                    continue
                if previous is not None:
                    rows.row({now: 1.0, previous: -1.0}, 0.0, INF)
                previous = now
            if previous is not None:
                cols.cost[previous] -= float(h.hire_cost)
        for p in range(periods):  # starts in a period: filled now and not before
            starts: dict[int, float] = {}
            for position in s.positions:
                now = filled.get((position.id, p))
                if now is not None:
                    starts[now] = 1.0
                    before = filled.get((position.id, p - 1))
                    if before is not None:
                        starts[before] = -1.0
            if len(s.positions) > h.per_period_cap:
                rows.row(starts, -INF, float(h.per_period_cap))
    menu = s.bonus_menu
    share = [[cols.add(upper=1.0) for _ in menu] for _ in range(periods)]  # a level's share
    if len(menu) > 1:
        for p in range(periods):
            rows.row(dict.fromkeys(share[p], 1.0), 1.0, 1.0)
    need = s.policy.min_prospects_per_hunter
    won_all: list[int] = []
    revenue_terms: dict[int, float] = {}
    constant = 0.0
    for t in s.territories:
        pool = cols.add(lower=t.prospects, upper=t.prospects)
        acc = cols.add(lower=t.accounts, upper=t.accounts)
        lost: dict[int, float] = {}  # cumulative lost, as terms
        churned: dict[int, float] = {}  # cumulative churn, as terms
        hc_max = [sum(term for _, term in hunters.get((t.id, p), [])) for p in range(periods)]
        accounts_max, _ = territory_limits(t, hc_max, round(top_uplift * 100), churn_min)
        for p in range(periods):
            hs, fs = hunters.get((t.id, p), []), farmers.get((t.id, p), [])
            won = cols.add()
            served = cols.add(cost=float(t.account_value))
            churn = cols.add()
            won_all.append(won)
            revenue_terms[served] = float(t.revenue_per_account)
            # won <= hc * uplift, the hunters' capacity split over the period's bonus levels
            if len(menu) == 1:
                rows.row({won: 1.0, **{y: -term * top_uplift for y, term in hs}}, -INF, 0.0)
            else:
                top = float(sum(term for _, term in hs))
                split: dict[int, float] = {won: -1.0}
                hc: dict[int, float] = {y: float(term) for y, term in hs}
                for k, level in enumerate(menu):
                    won_k = cols.add(cost=-float(level.per_client))
                    hc_k = cols.add()
                    split[won_k] = 1.0
                    hc[hc_k] = -1.0
                    rows.row({won_k: 1.0, hc_k: -level.uplift_pct / 100}, -INF, 0.0)
                    rows.row({hc_k: 1.0, share[p][k]: -top}, -INF, 0.0)
                rows.row(split, 0.0, 0.0)
                rows.row(hc, 0.0, 0.0)
            rows.row({won: 1.0, pool: -t.win_share_pct / 100}, -INF, 0.0)
            rows.row({served: 1.0, acc: -1.0}, -INF, 0.0)
            rows.row({served: 1.0, **{y: -float(term) for y, term in fs}}, -INF, 0.0)
            # cuts: a share of a person serves or wins at most that share of what the town
            # can ever give then (no fraction of a rep serves a small book in full)
            most = accounts_max[p]
            if any(term > most for _, term in fs):
                rows.row({served: 1.0, **{y: -float(min(term, most)) for y, term in fs}}, -INF, 0)
            can_win = (t.prospects + p * t.prospect_inflow) * t.win_share_pct / 100
            if any(term * top_uplift > can_win for _, term in hs):
                cut = {y: -min(term * top_uplift, can_win) for y, term in hs}
                rows.row({won: 1.0, **cut}, -INF, 0.0)
            if need and hs:
                rows.row({pool: -1.0, **{y: float(need) for y, _ in hs}}, -INF, 0.0)
            heads = {y: 1.0 for y, _ in hs + fs}
            if t.max_reps is not None and len(heads) > t.max_reps:
                rows.row(heads, -INF, float(t.max_reps))
            if t.min_farmers:
                rows.row({y: 1.0 for y, term in fs if term > 0}, float(t.min_farmers), INF)
            # lost = cs * served + cu * (acc - served); 100 * sum churn >= sum lost - 99
            lost[served] = lost.get(served, 0.0) + d.churn_served_pct - d.churn_unserved_pct
            lost[acc] = lost.get(acc, 0.0) + d.churn_unserved_pct
            churned[churn] = 100.0
            rows.row({**churned, **{k: -v for k, v in lost.items()}}, -99.0, INF)
            pool_next = cols.add()
            acc_next = cols.add()
            # pool' = pool - won + inflow; acc' = acc - churn + won
            rows.row({pool_next: 1.0, pool: -1.0, won: 1.0}, t.prospect_inflow, t.prospect_inflow)
            rows.row({acc_next: 1.0, acc: -1.0, churn: 1.0, won: -1.0}, 0.0, 0.0)
            pool, acc = pool_next, acc_next
        cols.cost[acc] += float(t.account_value * d.terminal_value_periods)
    targets = s.policy.targets
    if targets is not None and targets.goal_new_clients is not None:
        short = cols.add(cost=-float(targets.new_client_shortfall_cost))
        rows.row({short: 1.0, **dict.fromkeys(won_all, 1.0)}, targets.goal_new_clients, INF)
    if targets is not None and targets.goal_revenue is not None:
        short = cols.add(cost=-targets.revenue_shortfall_cost_pct / 100)
        rows.row({short: 1.0, **revenue_terms}, targets.goal_revenue, INF)
        constant += 1.0  # floor((pct * short) / 100) >= pct * short / 100 - 1
    constant -= sum(rep.salary * sum(s.employed(rep, p) for p in range(periods)) for rep in s.reps)

    # measured here: the interior point method (with crossover, so the optimum is exact) solves
    # the flow LP of XL in 126 s, the dual simplex in 453 s
    lp = solve_lp(
        np.array(cols.cost, dtype=float),
        np.array(cols.lower, dtype=float),
        np.array(cols.upper, dtype=float),
        rows,
        time_limit - (time.monotonic() - started),
        maximize=True,
        solver="ipm",
    )
    status = lp.modelStatusToString(lp.getModelStatus())
    seconds = time.monotonic() - started
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        log.info("flow LP: %s after %.1f s (no bound)", status, seconds)
        return LpBound(None, status, seconds, rows.count, len(cols.cost))
    value = lp.getInfo().objective_function_value + constant
    bound = math.floor(value + RELATIVE_MARGIN * max(1.0, abs(value)))
    log.info("flow LP: bound %s in %.1f s (%d rows)", bound, seconds, rows.count)
    return LpBound(bound, status, seconds, rows.count, len(cols.cost))
