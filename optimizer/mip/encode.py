"""The planning problem as a mixed-integer linear program, written from spec sections 3, 4 and 6
and independently of the CP-SAT model (`optimizer.model`): neither its domains nor its rules
are used, only the scenario's own accessors (reach, availability, productivity).

One binary per person, period and allowed state; a position's start as one binary per period.
Section 4's floors are integer quotients with their remainders bounded (`0 <= a - 100 q <= 99`),
its minima a binary choice with big-M bounds from the territory's largest pool, book and
capacity; the bonus level splits the hunters' capacity and the clients won so that uplift and
price stay linear; a hire's ramp is the product of his start and his cell. Costs that the
objective pushes down (handover, switches, shortfalls) are one-sided, so the objective equals
the score at every optimum; every returned plan is scored by the simulator anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.mip.linear import CONSTANT, INF, Affine, Linear, affine, scaled
from optimizer.plan import BENCH, OFF, TRAINEE, Assignment, Cell, Hire, Plan
from optimizer.scenario import Person, Role, Scenario

ROLES: tuple[Role, ...] = ("hunter", "farmer")


@dataclass
class Mip:
    s: Scenario
    lin: Linear
    cells: dict[tuple[str, int], dict[Cell, int]]  # (person, period) -> state -> column
    starts: dict[str, dict[int, int]]  # position -> start period -> column
    levels: list[dict[str, int]]  # period -> level name -> column
    impossible: list[str] = field(default_factory=list)  # why no plan exists, found up front

    def plan(self, values: np.ndarray) -> Plan:
        """The plan a solution's values describe (states rounded)."""
        s = self.s
        rows: list[Assignment] = []
        hires: list[Hire] = []
        for person in s.persons:
            mine = []
            for p in range(s.periods):
                options = self.cells[(person.id, p)]
                cell = max(options, key=lambda c: values[options[c]]) if options else OFF
                mine.append(
                    Assignment(person=person.id, period=p, role=cell.role, territory=cell.territory)
                )
            if person.is_position:
                worked = [a.period for a in mine if a.role != "off"]
                if not worked:
                    continue
                hires.append(Hire(person=person.id, territory=person.home, start_period=worked[0]))
            rows.extend(mine)
        levels = [max(names, key=lambda n: values[names[n]]) for names in self.levels]
        return Plan(
            scenario=s.name,
            assignments=tuple(rows),
            hires=tuple(hires),
            bonus_levels=tuple(levels),
        )


def build_mip(s: Scenario) -> Mip:
    return _Encoder(s).encode()


class _Encoder:
    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.lin = Linear()
        self.cells: dict[tuple[str, int], dict[Cell, int]] = {}
        self.starts: dict[str, dict[int, int]] = {}
        self.impossible: list[str] = []
        self.baseline = self._baseline_rows()
        # per territory and period: sum of hunter terms, farmer terms, heads, counted farmers
        self.hc: dict[tuple[str, int], Affine] = defaultdict(dict)
        self.hc_max: dict[tuple[str, int], int] = defaultdict(int)
        self.fc: dict[tuple[str, int], Affine] = defaultdict(dict)
        self.fc_max: dict[tuple[str, int], int] = defaultdict(int)
        self.hunters: dict[tuple[str, int], Affine] = defaultdict(dict)
        self.farmers: dict[tuple[str, int], Affine] = defaultdict(dict)
        self.counted: dict[tuple[str, int], Affine] = defaultdict(dict)
        self.revenue: Affine = {}
        self.ands: dict[tuple[int, int], int] = {}

    # ---- states -------------------------------------------------------------------------
    def encode(self) -> Mip:
        s = self.s
        for person in s.persons:
            self._person(person)
        levels = self._levels()
        self._training()
        self._hiring()
        won = self._territories(levels)
        self._goals(won)
        for person in s.persons:
            if not person.is_position and not person.veteran:
                self._rotation(person)
        salaries = sum(r.salary * sum(s.employed(r, p) for p in range(s.periods)) for r in s.reps)
        self.lin.maximize({CONSTANT: -salaries})
        return Mip(s, self.lin, self.cells, self.starts, levels, self.impossible)

    def _allowed(self, person: Person, p: int) -> list[Cell]:
        s = self.s
        if person.is_position:
            cells = [OFF, BENCH]
            if person.training_needed > 0:
                cells.append(TRAINEE)
            cells += [Cell(r, person.home) for r in ROLES if r in person.roles]
        else:
            rep = s.rep_by_id[person.id]
            if not s.rep_available(rep, p):
                cells = [OFF]
            elif person.veteran and person.current is not None:
                cells = [Cell(person.current.role, person.current.territory)]
            else:
                cells = [BENCH]
                if person.training_needed > 0:
                    cells.append(TRAINEE)
                cells += [
                    Cell(r, t) for t in s.reachable[person.id] for r in ROLES if r in person.roles
                ]
        for lock in s.locks:
            if lock.rep == person.id and p in lock.periods:
                cells = [c for c in cells if lock.allows(c)]
        b = s.baseline
        was = self.baseline.get(person.id, {}).get(p)
        frozen = b is not None and was is not None and p < b.freeze_periods
        if frozen and was is not None and not self._facts_changed(person, p, was):
            cells = [c for c in cells if c == was]
        return cells

    def _person(self, person: Person) -> None:
        s, lin = self.s, self.lin
        if person.is_position:
            assert s.hiring is not None
            first = s.hiring.earliest_period
            self.starts[person.id] = {t: lin.binary() for t in range(first, s.periods)}
            starts = self.starts[person.id]
            lin.row(affine(*((v, 1.0) for v in starts.values())), hi=1)
            for t, v in starts.items():
                lin.maximize({v: -(s.hiring.hire_cost + s.hiring.salary * (s.periods - t))})
        for p in range(s.periods):
            allowed = self._allowed(person, p)
            if not allowed:
                self.impossible.append(f"{person.id} has no state the rules allow in period {p}")
                lin.row({}, lo=1)  # no plan
            cells = {c: lin.binary() for c in allowed}
            self.cells[(person.id, p)] = cells
            lin.row(affine(*((v, 1.0) for v in cells.values())), lo=1, hi=1)
            if person.is_position:
                started = affine(*((v, -1.0) for t, v in self.starts[person.id].items() if t <= p))
                working = affine(*((v, 1.0) for c, v in cells.items() if c != OFF), started)
                lin.row(working, lo=0, hi=0)
            for cell, v in cells.items():
                self._cell(person, p, cell, v)
        self._specialization(person)
        self._switches(person)
        self._handover(person)
        self._change_cost(person)

    def _cell(self, person: Person, p: int, cell: Cell, v: int) -> None:
        s, d = self.s, self.s.defaults
        if cell == BENCH:
            self.lin.maximize({v: -d.bench_cost})
            return
        if not cell.working:
            return
        t = cell.territory
        assert t is not None
        if not person.is_position and t != person.home:
            self.lin.maximize({v: -person.travel_cost})
        key = (t, p)
        if cell.role == "hunter":
            self.hunters[key][v] = 1.0
            terms = self._terms(person, p, lambda prod: person.hunter_capacity * prod // 100)
            self._add_terms(self.hc[key], person, p, v, terms)
            self.hc_max[key] += max(terms.values())
        else:
            apf = s.territory_by_id[t].accounts_per_farmer
            terms = self._terms(
                person, p, lambda prod: apf * person.farmer_capacity_pct * prod // 10000
            )
            self._add_terms(self.fc[key], person, p, v, terms)
            self.fc_max[key] += max(terms.values())
            self.farmers[key][v] = 1.0
            self._add_terms(
                self.counted[key], person, p, v, {k: int(x > 0) for k, x in terms.items()}
            )

    def _terms(self, person: Person, p: int, term: Callable[[int], int]) -> dict[int | None, int]:
        """A person's own term in period p: None -> the term at full ramp (a rep's only one);
        start -> the term of a hire started then, where his ramp makes it differ."""
        s = self.s
        if not person.is_position:
            return {None: term(s.productivity(person, p))}
        full = term(100)
        out: dict[int | None, int] = {None: full}
        for start in self.starts[person.id]:
            if start <= p:
                here = term(s.productivity(person, p, start))
                if here != full:
                    out[start] = here
        return out

    def _add_terms(
        self, into: Affine, person: Person, p: int, v: int, terms: dict[int | None, int]
    ) -> None:
        """`into += full * v + sum over ramp starts (term - full) * (v and start)`."""
        full = terms[None]
        into[v] = into.get(v, 0.0) + full
        for start, here in terms.items():
            if start is None or here == full:
                continue
            both = self._and(v, self.starts[person.id][start])
            into[both] = into.get(both, 0.0) + here - full

    def _and(self, a: int, b: int) -> int:
        if (a, b) in self.ands:
            return self.ands[(a, b)]
        z = self.lin.var(0, 1)
        self.ands[(a, b)] = z
        self.lin.row({z: 1.0, a: -1.0}, hi=0)
        self.lin.row({z: 1.0, b: -1.0}, hi=0)
        self.lin.row({z: 1.0, a: -1.0, b: -1.0}, lo=-1)
        return z

    def _role_sums(self, person: Person, p: int) -> tuple[Affine, Affine]:
        cells = self.cells[(person.id, p)]
        hunt = {v: 1.0 for c, v in cells.items() if c.role == "hunter"}
        farm = {v: 1.0 for c, v in cells.items() if c.role == "farmer"}
        return hunt, farm

    def _specialization(self, person: Person) -> None:
        if not self.s.policy.specialization_on:
            return
        sums = [self._role_sums(person, p) for p in range(self.s.periods)]
        if not any(h for h, _ in sums) or not any(f for _, f in sums):
            return
        hunter = self.lin.binary()
        for hunt, farm in sums:
            if hunt:
                self.lin.row(affine(hunt, (hunter, -1.0)), hi=0)
            if farm:
                self.lin.row(affine(farm, (hunter, 1.0)), hi=1)

    def _switches(self, person: Person) -> None:
        """`last_hunter/last_farmer` carry the last working role through non-working periods."""
        cost = self.s.defaults.role_switch_cost
        if cost == 0:
            return
        lin = self.lin
        role = person.current.role if person.current is not None else None
        last_h: Affine = {CONSTANT: float(role == "hunter")}
        last_f: Affine = {CONSTANT: float(role == "farmer")}
        for p in range(self.s.periods):
            hunt, farm = self._role_sums(person, p)
            if not hunt and not farm:
                continue
            for now, before in ((hunt, last_f), (farm, last_h)):
                if now and before != {CONSTANT: 0.0}:
                    switch = lin.var(0, 1)  # >= now + before - 1
                    lin.row(affine({switch: 1.0}, scaled(now, -1), scaled(before, -1)), lo=-1)
                    lin.maximize({switch: -cost})
            working = affine(hunt, farm)
            h, f = lin.var(0, 1), lin.var(0, 1)
            for mine, here, other, last in ((h, hunt, farm, last_h), (f, farm, hunt, last_f)):
                lin.row(affine({mine: 1.0}, scaled(here, -1)), lo=0)  # 1 when its role works
                lin.row(affine({mine: 1.0}, other), hi=1)  # 0 when the other role works
                lin.row(affine({mine: 1.0}, scaled(last, -1), working), lo=0)  # else the last
                lin.row(affine({mine: 1.0}, scaled(last, -1), scaled(working, -1)), hi=0)
            last_h, last_f = {h: 1.0}, {f: 1.0}

    def _handover(self, person: Person) -> None:
        """A farmer of t in one available period who does not farm t in the next pays t's
        handover cost. A rep's available periods are known; a position's run from its start."""
        s = self.s
        lin = self.lin
        if person.is_position:
            periods = list(range(s.periods))
            before: dict[str, Affine] = {}
        else:
            rep = s.rep_by_id[person.id]
            periods = [p for p in range(s.periods) if s.rep_available(rep, p)]
            c = person.current
            before = (
                {c.territory: {CONSTANT: 1.0}}
                if c is not None and c.role == "farmer" and periods
                else {}
            )
        for p in periods:
            now = {
                c.territory: {v: 1.0}
                for c, v in self.cells[(person.id, p)].items()
                if c.role == "farmer" and c.territory is not None
            }
            for t, was in before.items():
                cost = s.territory_by_id[t].handover_cost
                if cost == 0:
                    continue
                if t not in now:
                    lin.maximize(scaled(was, -cost))
                    continue
                gone = lin.var(0, 1)
                lin.row(affine({gone: 1.0}, scaled(was, -1), now[t]), lo=0)
                lin.maximize({gone: -cost})
            before = now

    def _change_cost(self, person: Person) -> None:
        b = self.s.baseline
        if b is None or b.change_cost == 0:
            return
        for p, was in self.baseline.get(person.id, {}).items():
            if p < b.freeze_periods or self._facts_changed(person, p, was):
                continue
            self.lin.maximize({CONSTANT: -b.change_cost})
            same = self.cells[(person.id, p)].get(was)
            if same is not None:
                self.lin.maximize({same: b.change_cost})

    def _baseline_rows(self) -> dict[str, dict[int, Cell]]:
        s = self.s
        if s.baseline is None:
            return {}
        owner = {r.from_position: r.id for r in s.reps if r.from_position}
        rows: dict[str, dict[int, Cell]] = defaultdict(dict)
        for a in s.baseline.assignments:
            rows[owner.get(a.person, a.person)][a.period] = Cell(a.role, a.territory)
        return rows

    def _facts_changed(self, person: Person, p: int, was: Cell) -> bool:
        if person.is_position:
            return False
        available = self.s.rep_available(self.s.rep_by_id[person.id], p)
        return (not available and was.role != "off") or (available and was.role == "off")

    # ---- coupling rules -----------------------------------------------------------------
    def _levels(self) -> list[dict[str, int]]:
        s, lin = self.s, self.lin
        levels = []
        b = s.baseline
        for p in range(s.periods):
            names = {level.name: lin.binary() for level in s.bonus_menu}
            lin.row(affine(*((v, 1.0) for v in names.values())), lo=1, hi=1)
            if b is not None and p < b.freeze_periods and p < len(b.bonus_levels):
                frozen = names.get(b.bonus_levels[p])
                if frozen is None:
                    self.impossible.append(f"bonus level '{b.bonus_levels[p]}' is frozen in {p}")
                    lin.row({}, lo=1)
                else:
                    lin.row({frozen: 1.0}, lo=1)
            levels.append(names)
        return levels

    def _training(self) -> None:
        s, lin = self.s, self.lin
        for p in range(s.periods):
            trainees = affine(
                *(
                    (v, 1.0)
                    for person in s.persons
                    for c, v in self.cells[(person.id, p)].items()
                    if c == TRAINEE
                )
            )
            if trainees:
                cap = s.training.trainer_capacity if s.training else 0
                lin.row(trainees, hi=cap)
        for person in s.persons:
            need = person.training_needed
            if need == 0:
                continue
            done: Affine = {}
            for p in range(s.periods):
                cells = self.cells[(person.id, p)]
                long_cycle = {
                    v: float(need)
                    for c, v in cells.items()
                    if c.working
                    and c.territory is not None
                    and s.territory_by_id[c.territory].long_cycle
                    and not (
                        person.veteran
                        and person.current is not None
                        and c.territory == person.current.territory
                    )
                }
                if long_cycle:
                    lin.row(affine(long_cycle, scaled(done, -1)), hi=0)
                if TRAINEE in cells:
                    done = affine(done, (cells[TRAINEE], 1.0))
            if done:
                lin.row(done, hi=need)

    def _hiring(self) -> None:
        s, lin = self.s, self.lin
        if s.hiring is None or not self.starts:
            return
        every = affine(*((v, 1.0) for starts in self.starts.values() for v in starts.values()))
        lin.row(every, hi=s.hiring.max_hires)
        for p in range(s.periods):
            now = affine(*((starts[p], 1.0) for starts in self.starts.values() if p in starts))
            if now:
                lin.row(now, hi=s.hiring.per_period_cap)

    def _territories(self, levels: list[dict[str, int]]) -> list[Affine]:
        """Section 4 per territory and period; returns the clients won per period."""
        s, lin, d = self.s, self.lin, self.s.defaults
        menu = s.bonus_menu
        uplifts = {level.uplift_pct for level in menu}
        prices = {level.per_client for level in menu}
        won_in: list[Affine] = [{} for _ in range(s.periods)]
        won_max = [0] * s.periods
        need = s.policy.min_prospects_per_hunter
        rotation = s.policy.active_rotation
        for t in s.territories:
            pool: Affine = {CONSTANT: float(t.prospects)}
            acc: Affine = {CONSTANT: float(t.accounts)}
            carry: Affine = {}
            pool_max = t.prospects + t.prospect_inflow * s.periods
            acc_max = t.accounts + pool_max
            for p in range(s.periods):
                key = (t.id, p)
                hc, hc_max = self.hc[key], self.hc_max[key]
                # hcu = hc * uplift(level) // 100, hc split by level when uplifts differ
                top = max(uplifts)
                hcu_max = hc_max * top // 100
                if hc_max == 0:
                    hcu: Affine = {}
                elif uplifts == {100}:
                    hcu = hc
                else:
                    if len(uplifts) == 1:
                        scaled_hc = scaled(hc, top)
                    else:
                        parts = []
                        for level in menu:
                            part = lin.var(0, hc_max)
                            lin.row({part: 1.0, levels[p][level.name]: -hc_max}, hi=0)
                            parts.append((part, float(level.uplift_pct)))
                        lin.row(affine(*((x, 1.0) for x, _ in parts), scaled(hc, -1)), lo=0, hi=0)
                        scaled_hc = affine(*parts)
                    q = lin.var(0, hcu_max, integer=True)
                    lin.row(affine(scaled_hc, (q, -100.0)), lo=0, hi=99)
                    hcu = {q: 1.0}
                # won = min(hcu, pool * win_share // 100)
                cap_max = pool_max * t.win_share_pct // 100
                if p == 0:
                    cap: Affine = {CONSTANT: float(t.prospects * t.win_share_pct // 100)}
                elif t.win_share_pct == 0:
                    cap = {}
                else:
                    c = lin.var(0, cap_max, integer=True)
                    lin.row(affine(scaled(pool, t.win_share_pct), (c, -100.0)), lo=0, hi=99)
                    cap = {c: 1.0}
                won = self._min(hcu, hcu_max, cap, cap_max)
                won_in[p] = affine(won_in[p], won)
                won_max[p] += min(hcu_max, cap_max)
                # served = min(acc, fc)
                served = self._min(acc, acc_max, self.fc[key], self.fc_max[key])
                lin.maximize(scaled(served, t.account_value))
                self.revenue = affine(self.revenue, scaled(served, t.revenue_per_account))
                # churn with its carry
                lost = affine(
                    scaled(served, d.churn_served_pct - d.churn_unserved_pct),
                    scaled(acc, d.churn_unserved_pct),
                    carry,
                )
                churn = lin.var(0, acc_max, integer=True)
                remainder = lin.var(0, 99, integer=True)
                lin.row(affine(lost, (churn, -100.0), (remainder, -1.0)), lo=0, hi=0)
                carry = {remainder: 1.0}
                # the rules of the period
                if need > 0 and self.hunters[key]:
                    lin.row(affine(pool, scaled(self.hunters[key], -need)), lo=0)
                if t.min_farmers > 0:
                    lin.row(self.counted[key], lo=t.min_farmers)
                if t.max_reps is not None:
                    lin.row(affine(self.hunters[key], self.farmers[key]), hi=t.max_reps)
                if rotation is not None and rotation.handover_requires_farmer and self.hunters[key]:
                    # every hunter <= served <= the counted farmers: hunting needs a farmer
                    has_farmer = lin.var(0, 1)
                    lin.row(affine({has_farmer: 1.0}, scaled(self.counted[key], -1)), hi=0)
                    for v in self.hunters[key]:
                        lin.row({v: 1.0, has_farmer: -1.0}, hi=0)
                # the next period's pool and accounts
                nxt_pool = lin.var(0, pool_max, integer=True)
                lin.row(
                    affine({nxt_pool: 1.0}, scaled(pool, -1), won),
                    lo=t.prospect_inflow,
                    hi=t.prospect_inflow,
                )
                nxt_acc = lin.var(0, acc_max, integer=True)
                lin.row(
                    affine({nxt_acc: 1.0}, scaled(acc, -1), (churn, 1.0), scaled(won, -1)),
                    lo=0,
                    hi=0,
                )
                pool, acc = {nxt_pool: 1.0}, {nxt_acc: 1.0}
            lin.maximize(scaled(acc, t.account_value * d.terminal_value_periods))
        # the bonus: each client won pays the price of the period's level
        for p in range(s.periods):
            if prices == {0} or not won_in[p]:
                continue
            if len(prices) == 1:
                lin.maximize(scaled(won_in[p], -next(iter(prices))))
                continue
            parts = []
            for level in menu:
                part = lin.var(0, won_max[p])
                lin.row({part: 1.0, levels[p][level.name]: -won_max[p]}, hi=0)
                parts.append((part, 1.0))
                lin.maximize({part: -level.per_client})
            lin.row(affine(*parts, scaled(won_in[p], -1)), lo=0, hi=0)
        return won_in

    def _min(self, a: Affine, a_max: int, b: Affine, b_max: int) -> Affine:
        """`m = min(a, b)` for non-negative integer expressions with the given maxima."""
        if not a or not b or a_max == 0 or b_max == 0:
            return {}
        lin = self.lin
        m = lin.var(0, min(a_max, b_max), integer=True)
        pick_a = lin.binary()
        big = max(a_max, b_max)
        lin.row(affine({m: 1.0}, scaled(a, -1)), hi=0)
        lin.row(affine({m: 1.0}, scaled(b, -1)), hi=0)
        lin.row(affine({m: 1.0}, scaled(a, -1), (pick_a, -big)), lo=-big)  # m >= a if pick_a
        lin.row(affine({m: 1.0}, scaled(b, -1), (pick_a, big)), lo=0)  # m >= b otherwise
        return {m: 1.0}

    def _goals(self, won: list[Affine]) -> None:
        """Shortfalls below the goals, charged as section 4 says."""
        lin, targets = self.lin, self.s.policy.active_targets
        if targets.goal_new_clients is not None and targets.new_client_shortfall_cost:
            short = lin.var(0, targets.goal_new_clients, integer=True)
            lin.row(affine({short: 1.0}, *won), lo=targets.goal_new_clients)
            lin.maximize({short: -targets.new_client_shortfall_cost})
        if targets.goal_revenue is not None and targets.revenue_shortfall_cost_pct:
            short = lin.var(0, targets.goal_revenue, integer=True)
            lin.row(affine({short: 1.0}, self.revenue), lo=targets.goal_revenue)
            charged = lin.var(0, INF, integer=True)  # (pct * short) // 100
            pct = targets.revenue_shortfall_cost_pct
            lin.row({charged: 100.0, short: -float(pct)}, lo=-99)
            lin.maximize({charged: -1.0})

    def _rotation(self, rep: Person) -> None:
        """Stints, cooldowns and farmer tenure over a rep's available periods (section 3)."""
        s, lin = self.s, self.lin
        rotation = s.policy.active_rotation
        if rotation is None:
            return
        periods = [p for p in range(s.periods) if s.rep_available(s.rep_by_id[rep.id], p)]
        m = len(periods)
        current = rep.current
        for t in s.territories:
            for role in ROLES:
                seq = [self.cells[(rep.id, p)].get(Cell(role, t.id)) for p in periods]
                carried = (
                    current.periods
                    if current is not None and current.role == role and current.territory == t.id
                    else None
                )
                if all(v is None for v in seq) or not m:
                    continue
                x: list[Affine] = [{} if v is None else {v: 1.0} for v in seq]
                longest = (
                    rotation.hunter_stint_max if role == "hunter" else rotation.farmer_max_tenure
                )
                if longest is not None:
                    for i in range(m - longest):
                        lin.row(affine(*x[i : i + longest + 1]), hi=longest)
                    if carried is not None:
                        j = max(0, longest - carried)
                        if j < m:
                            lin.row(affine(*x[: j + 1]), hi=j)
                if role == "farmer":
                    continue
                shortest, cooldown = rotation.hunter_stint_min, rotation.hunter_cooldown
                for i in range(m):
                    if not x[i]:
                        continue
                    # a stint starting at i runs at least `shortest` unless cut by the end
                    if i == 0 and carried is not None:
                        needed, start = shortest - carried, x[0]
                    else:
                        needed = shortest
                        start = affine(x[i], scaled(x[i - 1], -1)) if i else x[0]
                    for k in range(1, needed):
                        if i + k <= m - 1:
                            lin.row(affine(x[i + k], scaled(start, -1)), lo=0)
                for j in range(m - 1):
                    # after a stint ends at j, no hunting t for `cooldown` periods
                    if not x[j]:
                        continue
                    for k in range(j + 2, min(m, j + cooldown + 1)):
                        if x[k]:
                            lin.row(affine(x[k], x[j], scaled(x[j + 1], -1)), hi=1)
                if carried is not None:
                    for k in range(1, min(m, cooldown)):
                        if x[k]:
                            lin.row(affine(x[k], scaled(x[0], -1)), hi=0)
