"""A capacity bound: an upper bound on the best score of any scenario, in seconds.

The LP relaxation (`optimizer.search.bound`) is tighter but does not solve above ~100k
variables on two cores; this bound needs no solver and grows linearly with the scenario, so
every plan of any size reports a true gap. It relaxes, territory by territory:

- *prospects*: cumulative wins `W[t,p]` are at most what winning the most possible in every
  period gives: `won <= min(hc_max * top uplift // 100, pool * win_share_pct // 100)`, where
  `hc_max` is every hunter who may work `t` then (domains: roles, reach, availability,
  training), all at once. Winning more never leaves fewer wins for later: `W + floor(s(c - W)
  / 100)` does not decrease in `W`;
- *accounts*: `acc[t,p] <= g^p(accounts) + W[t,p-1]` with `g(a) = a - a * c // 100` and
  `c = min(churn_served_pct, churn_unserved_pct)` (carry dropped; `g` does not decrease and
  `g(a + w) <= g(a) + w`, so a win is worth most if it comes last);
- *service*: `served[t,p] <= min(acc bound, fc_max[t,p])`, and across territories the sum of
  served accounts is at most every person's best farmer term (one territory each), the hires
  limited to `max_hires`: the margin and revenue of a period are a fractional knapsack;
- *money*: the terminal value of the accounts bound; minus the reps' salaries (fixed); every
  other cost (hires, travel, bonus, handover, switches, bench, change) dropped; the goal
  penalties kept only as far as even these bounds fall short of a goal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from optimizer.domains import Domains, build_domains
from optimizer.scenario import Person, Scenario, Territory


def capacity_bound(s: Scenario, domains: Domains | None = None) -> int:
    """An integer no feasible plan's score exceeds."""
    domains = domains or build_domains(s)
    periods = s.periods
    uplift = max(level.uplift_pct for level in s.bonus_menu)
    hc: dict[str, list[int]] = defaultdict(lambda: [0] * periods)
    fc: dict[str, list[int]] = defaultdict(lambda: [0] * periods)
    best_farm = [0] * periods  # reps: each one's best farmer term, summed
    hire_farm: list[list[int]] = [[] for _ in range(periods)]  # each position's best term
    for person in s.persons:
        for p in range(periods):
            best = 0
            for cell in domains.cells[(person.id, p)]:
                if cell.territory is None:
                    continue
                t = s.territory_by_id[cell.territory]
                if cell.role == "hunter":
                    hc[t.id][p] += s.hunter_term(person, top_productivity(s, person, p))
                else:
                    term = s.farmer_term(person, t, top_productivity(s, person, p))
                    fc[t.id][p] += term
                    best = max(best, term)
            if person.is_position:
                hire_farm[p].append(best)
            else:
                best_farm[p] += best
    hires = s.hiring.max_hires if s.hiring is not None and s.positions else 0
    capacity = [
        best_farm[p] + sum(sorted(hire_farm[p], reverse=True)[:hires]) for p in range(periods)
    ]

    d = s.defaults
    c = min(d.churn_served_pct, d.churn_unserved_pct)
    serve_cap: list[list[tuple[int, int, int]]] = [[] for _ in range(periods)]
    terminal = 0
    wins = 0
    for t in s.territories:
        accounts, won_by = territory_limits(t, hc[t.id], uplift, c)
        for p in range(periods):
            serve = min(accounts[p], fc[t.id][p])
            if serve > 0:
                serve_cap[p].append((serve, t.account_value, t.revenue_per_account))
        terminal += accounts[periods] * t.account_value * d.terminal_value_periods
        wins += won_by[periods]

    margin = 0
    revenue = 0
    for p in range(periods):
        margin += _knapsack(serve_cap[p], capacity[p], lambda x: x[1])
        revenue += _knapsack(serve_cap[p], capacity[p], lambda x: x[2])
    salaries = sum(rep.salary * sum(s.employed(rep, p) for p in range(periods)) for rep in s.reps)
    penalties = 0
    targets = s.policy.targets
    if targets is not None:
        if targets.goal_new_clients is not None:
            penalties += targets.new_client_shortfall_cost * max(0, targets.goal_new_clients - wins)
        if targets.goal_revenue is not None:
            penalties += (
                targets.revenue_shortfall_cost_pct * max(0, targets.goal_revenue - revenue)
            ) // 100
    return margin + terminal - salaries - penalties


def territory_limits(
    t: Territory, hc_max: list[int], uplift: int, churn_pct: int
) -> tuple[list[int], list[int]]:
    """Upper bounds on a territory's accounts at the start of each period (and at the end) and
    on its clients won before each period (and in all), given at most `hc_max[p]` hunting
    capacity: `acc[p] <= g^p(accounts) + W[p-1]`, `W` winning the most every period."""
    pool, won_total, kept = t.prospects, 0, t.accounts
    accounts, won_by = [], []
    for cap in hc_max:
        accounts.append(kept + won_total)
        won_by.append(won_total)
        won = min(cap * uplift // 100, pool * t.win_share_pct // 100)
        won_total += won
        pool = pool - won + t.prospect_inflow
        kept -= kept * churn_pct // 100
    accounts.append(kept + won_total)
    won_by.append(won_total)
    return accounts, won_by


def top_productivity(s: Scenario, person: Person, p: int) -> int:
    """The highest productivity the person can have in period p (a hire: any month)."""
    if person.is_position:
        assert s.hiring is not None
        return max(100, *s.hiring.ramp_pct) if s.hiring.ramp_pct else 100
    return s.productivity(person, p)


def _knapsack(
    items: list[tuple[int, int, int]], capacity: int, price: Callable[[tuple[int, int, int]], int]
) -> int:
    """The most value from at most `capacity` accounts, each territory up to its cap (whole
    accounts, best price first: exact for this relaxation)."""
    total = 0
    left = capacity
    for item in sorted(items, key=price, reverse=True):
        if left <= 0:
            break
        take = min(item[0], left)
        total += take * price(item)
        left -= take
    return total
