"""A constructive plan — what a careful planner does by hand — and the warm start of a solve.

Period by period, with the pools and books rolled forward by the simulator's own formulas:

1. The facts and promises first: leave and departures are off; protected veterans keep their
   post; locks and frozen baseline periods are followed (the cells `optimizer.domains` allows).
2. Hires: a position a lock or a frozen period puts to work starts by then (earlier by its
   training for a long-cycle cell); then a position is filled, as early as hiring allows,
   where a coverage floor cannot be met by anyone else, then where the most accounts would go
   unserved, while the accounts it can serve are worth more than the hire costs.
3. Training: people whose own territory sells long-cycle products train first, as trainer
   capacity allows; hires before reps.
4. Hunter stints in progress continue while below the minimum.
5. Coverage floors: a territory short of `min_farmers` (or of the farmer its hunters hand
   clients to) gets whoever farmed it last period, else its own reps, else the strongest farmer
   in reach — each pass over every territory before the next.
6. Farmers keep their books (a move costs the handover); then everyone left takes the cell
   worth most now: farming unserved accounts, or hunting where the pool share left is largest —
   if the pool feeds one more hunter, a farmer is there to take the clients, the territory is
   not cooling down and the stint may run on. A new stint looks ahead over its minimum: the
   office must hold it beside the people forced there and the farmers the floor needs; under
   specialization nobody becomes a hunter for good whom a coming farmer floor needs.
7. Whoever is left sits on the bench.
8. The bonus level: the single level that scores best over the horizon.

Then a mending pass (`repair` below) benches what the look-ahead missed: stints that ended
short, hunters of a town left without a farmer, the newest stints where a pool ran dry.

Before a cell is placed, the person's rules are asked of `PersonRules` and the territory's of
`optimizer.simulate.territory` (the simulator's own definitions, with the person counted
in). The plan may still break a rule over territories that the greedy cannot foresee (on the
awkward family: 1 scenario in 100); `optimizer.repair` mends it, and `solve` checks it with
the simulator and uses it as the complete hint either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from optimizer.deadline import Deadline
from optimizer.domains import Domains, build_domains, frozen_cells
from optimizer.plan import BENCH, OFF, TRAINEE, Assignment, Cell, Plan
from optimizer.scenario import Person, Scenario
from optimizer.simulate import Evaluation, simulate
from optimizer.simulate.dynamics import territory_step
from optimizer.simulate.person import PersonRules
from optimizer.simulate.territory import (
    farmers_needed,
    handover_met,
    office_fits,
    pool_feeds,
    trainees_fit,
)

TICK = 500  # people between two looks at the deadline in a period's loops (national: ~0.1 s)


@dataclass
class _PersonState:
    person: Person
    role: str | None = None  # committed working role under specialization
    trained: int = 0  # trainee periods in the horizon so far
    last: Cell | None = None  # cell of the last available period (`current` before the first)
    run: int = 0  # available periods `last` has lasted (current counted)
    in_horizon: bool = False  # `last` is a period of the plan, not the `current` stint
    cooldown: dict[str, int] = field(default_factory=dict)  # territory -> periods to wait


@dataclass
class _TerritoryState:
    pool: int
    acc: int
    carry: int = 0


@dataclass
class _Period:
    """What is planned so far in one period."""

    cells: dict[str, Cell] = field(default_factory=dict)
    hc: dict[str, int] = field(default_factory=dict)
    fc: dict[str, int] = field(default_factory=dict)
    hunters: dict[str, int] = field(default_factory=dict)
    counted: dict[str, int] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)
    trainees: int = 0


def greedy_plan(s: Scenario, deadline: Deadline | None = None) -> Plan:
    """A complete plan built by the rules above (not necessarily feasible; simulate it).
    With a deadline, raises `Stopped` when it passes (looked up between steps, every `TICK`
    people and before each simulation)."""
    return greedy_evaluated(s, deadline)[0]


def greedy_evaluated(s: Scenario, deadline: Deadline | None = None) -> tuple[Plan, Evaluation]:
    """`greedy_plan` with the simulator's evaluation of it (the greedy simulates its plan to
    choose the bonus level: a caller need not do it again)."""
    greedy = _Greedy(s, deadline)
    plan = greedy.repair(greedy.run())
    known = greedy.chosen
    if known is not None and known[0] is plan:
        return plan, known[1]
    return plan, simulate(s, plan)


class _Greedy:
    def __init__(self, s: Scenario, deadline: Deadline | None = None) -> None:
        self.s = s
        self.deadline = deadline
        self.domains: Domains = build_domains(s)
        if deadline is not None:
            deadline.check()
        self.states = {p.id: _PersonState(person=p) for p in s.persons}
        committed = self._committed_roles()
        self.forced_long_cycle = {
            person
            for (person, _p), cells in self.domains.cells.items()
            if cells
            and all(c.working and s.territory_by_id[str(c.territory)].long_cycle for c in cells)
        }
        for st in self.states.values():
            c = st.person.current
            if c is not None:
                st.last, st.run = Cell(c.role, c.territory), c.periods
            if s.policy.specialization_on:
                # the role a lock or a frozen period fixes binds; else the current one guides
                st.role = committed.get(st.person.id)
                if st.role is None and c is not None and c.role in st.person.roles:
                    st.role = c.role
        self.territories = {
            t.id: _TerritoryState(pool=t.prospects, acc=t.accounts) for t in s.territories
        }
        self.may_farm: dict[tuple[str, int], list[Person]] = defaultdict(list)
        for person in s.persons:
            for p in range(s.periods):
                for cell in self.domains.cells[(person.id, p)]:
                    if cell.role == "farmer":
                        self.may_farm[(str(cell.territory), p)].append(person)
        # how many people a lock, a frozen period or a veteran's post puts in each town-period
        self.forced_in: dict[tuple[str, int], int] = defaultdict(int)
        for (_person, p), cells in self.domains.cells.items():
            towns = {c.territory for c in cells}
            if cells and len(towns) == 1 and all(c.working for c in cells):
                self.forced_in[(str(cells[0].territory), p)] += 1
        self.stinting: dict[str, set[str]] = {}  # town -> hunters bound to go on there
        # under specialization a hunter never farms: how many who may still farm each
        # town-period, so nobody becomes a hunter whom a farmer floor will need
        self.farm_cells: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.farm_supply: dict[tuple[str, int], int] = defaultdict(int)
        for (t, p), people in self.may_farm.items():
            for person in people:
                if self.states[person.id].role != "hunter":
                    self.farm_cells[person.id].append((t, p))
                    self.farm_supply[(t, p)] += 1
        self.starts = self._choose_hires()
        self.rules = PersonRules.every(s, self.starts)
        if deadline is not None:
            deadline.check()
        self.rotation = s.policy.active_rotation
        self.chosen: tuple[Plan, Evaluation] | None = None  # the last bonus choice, evaluated

    def _committed_roles(self) -> dict[str, str]:
        """The working role each person's earliest forced working cell (a lock, a frozen
        baseline period, a veteran's post) fixes: under specialization it is his only one."""
        out: dict[str, tuple[int, str]] = {}
        for (person, p), cells in self.domains.cells.items():
            roles = {c.role for c in cells}
            if len(roles) == 1 and cells[0].working and (person not in out or p < out[person][0]):
                out[person] = (p, cells[0].role)
        return {person: role for person, (_, role) in out.items()}

    # ----- hires ------------------------------------------------------------------------

    def _choose_hires(self) -> dict[str, int]:
        s = self.s
        h = s.hiring
        if h is None or not s.positions:
            return {}
        reaching: dict[str, list[Person]] = defaultdict(list)  # territory -> reps in reach
        for r in s.persons:
            if not r.is_position and "farmer" in r.roles:
                for tid in s.reachable[r.id]:
                    reaching[tid].append(r)
        ranked: list[tuple[int, int, str]] = []
        for position in s.positions:
            t = s.territory_by_id[position.territory]
            can_farm = [
                r
                for r in reaching[t.id]
                if (r.training_needed == 0 or not t.long_cycle)
                and not (r.veteran and r.current is not None and r.current.territory != t.id)
            ]
            person = s.person_by_id[position.id]
            serve = min(t.accounts, t.accounts_per_farmer * person.farmer_capacity_pct // 100)
            selling = max(
                0, s.periods - h.earliest_period - (s.training_periods if t.long_cycle else 0)
            )
            worth = serve * t.account_value * selling
            cost = h.hire_cost + h.salary * (s.periods - h.earliest_period)
            floor = 1 if t.min_farmers > len(can_farm) else 0
            if floor or (worth > cost and not can_farm):
                ranked.append((floor, worth - cost, position.id))
        ranked.sort(reverse=True)
        starts: dict[str, int] = {}
        per_period: dict[int, int] = defaultdict(int)
        # positions a lock or a frozen period puts to work start first, by then at the latest
        for pid, latest in sorted(self._forced_starts().items(), key=lambda kv: kv[1]):
            p = latest
            while p > h.earliest_period and per_period[p] >= h.per_period_cap:
                p -= 1
            starts[pid] = p
            per_period[p] += 1
        taken = {s.position_by_id[pid].territory for pid in starts}
        for _, _, pid in ranked:
            territory = s.position_by_id[pid].territory
            if len(starts) >= h.max_hires or territory in taken:
                continue
            p = h.earliest_period
            while p < s.periods and per_period[p] >= h.per_period_cap:
                p += 1
            if p >= s.periods:
                break
            starts[pid] = p
            per_period[p] += 1
            taken.add(territory)
        return starts

    def _forced_starts(self) -> dict[str, int]:
        """The latest start of each position that a lock or a frozen baseline period puts to
        work: its first such period, earlier by the training a long-cycle cell needs."""
        s = self.s
        frozen = frozen_cells(s)
        earliest = s.hiring.earliest_period if s.hiring is not None else 0
        positions = {position.id for position in s.positions}
        forced: dict[str, set[int]] = defaultdict(set)  # position -> periods it must work
        for lock in s.locks:
            if lock.rep in positions and not lock.forbid:  # a forbid fills nothing
                forced[lock.rep].update(lock.periods)
        for (who, p), cell in frozen.items():
            if who in positions and cell != OFF:
                forced[who].add(p)
        out: dict[str, int] = {}
        for position in s.positions:  # roster order: it breaks ties of equal starts
            pid = position.id
            if not forced.get(pid):
                continue
            first = min(forced[pid])
            cells = self.domains.of(pid, first)
            if cells and all(
                c.working and s.territory_by_id[str(c.territory)].long_cycle for c in cells
            ):
                first -= s.person_by_id[pid].training_needed  # trained before the cell
            out[pid] = max(earliest, first)
        return out

    # ----- the plan ---------------------------------------------------------------------

    def run(self) -> Plan:
        s = self.s
        rows: dict[str, list[Cell]] = {p.id: [] for p in s.persons}
        for p in range(s.periods):
            self._check()
            period = self._plan_period(p)
            for person in s.persons:
                rows[person.id].append(period.cells.get(person.id, OFF))
            self._advance(p, period)
        assignments = [
            Assignment(person=pid, period=p, role=c.role, territory=c.territory)
            for pid, cells in rows.items()
            if not (pid in s.position_by_id and all(c == OFF for c in cells))
            for p, c in enumerate(cells)
        ]
        plan = Plan(scenario=s.name, assignments=tuple(assignments))
        return self._best_bonus(plan)

    def _present(self, person: Person, p: int) -> bool:
        if person.is_position:
            start = self.starts.get(person.id)
            return start is not None and p >= start
        return self.domains.of(person.id, p) != (OFF,)

    def _plan_period(self, p: int) -> _Period:
        s = self.s
        period = _Period()
        free: list[Person] = []
        for i, person in enumerate(s.persons):
            self._tick(i)
            if not self._present(person, p):
                continue
            options = self._first_options(person, p, 2)
            forced = self.domains.of(person.id, p)
            if len(options) == 1:
                self._assign(period, person, options[0], p)
            elif options:
                free.append(person)
            elif forced:
                # what the rules of the past allow is empty, but a lock or frozen period
                # fixes the cell: keep the promise (repair mends what it costs)
                self._assign(period, person, forced[0], p)
        self._check()  # a period of a national plan takes seconds: look up between steps
        self.stinting = self._stints_below_minimum()
        free = self._continue_stints(period, free, p)
        free = self._train(period, free, p)
        self._check()
        free = self._cover(period, free, p)
        free = self._keep_books(period, free, p)
        self._check()
        self._place_the_rest(period, free, p)
        return period

    def _check(self) -> None:
        if self.deadline is not None:
            self.deadline.check()

    def _tick(self, i: int) -> None:
        """Inside a loop over people: look up the deadline every `TICK` of them."""
        if i % TICK == 0:
            self._check()

    def _options(self, person: Person, p: int) -> list[Cell]:
        """Cells allowed by the domains and by the rules that depend on the past."""
        return [cell for cell in self.domains.of(person.id, p) if self._open(person, p, cell)]

    def _first_options(self, person: Person, p: int, n: int) -> list[Cell]:
        """The first `n` of `_options(person, p)` (enough to tell none, one or a choice)."""
        out: list[Cell] = []
        for cell in self.domains.of(person.id, p):
            if self._open(person, p, cell):
                out.append(cell)
                if len(out) == n:
                    break
        return out

    def _allows(self, person: Person, p: int, cell: Cell) -> bool:
        """`cell in self._options(person, p)`, without listing them all."""
        return cell in self.domains.of(person.id, p) and self._open(person, p, cell)

    def _open(self, person: Person, p: int, cell: Cell) -> bool:
        """The person's own rules allow the cell after his periods so far — the simulator's
        definitions (`PersonRules`): training, the long-cycle gate, stints, cooldowns, tenure,
        specialization — and under specialization it is the role a later lock fixes."""
        st = self.states[person.id]
        if cell.working and st.role is not None and cell.role != st.role:
            return False
        return self.rules[person.id].allows(p, cell)

    def _assign(self, period: _Period, person: Person, cell: Cell, p: int) -> None:
        period.cells[person.id] = cell
        if cell == TRAINEE:
            period.trainees += 1
        if not cell.working:
            return
        t = str(cell.territory)
        period.workers[t] = period.workers.get(t, 0) + 1
        prod = self.s.productivity(person, p, self.starts.get(person.id))
        if cell.role == "hunter":
            period.hc[t] = period.hc.get(t, 0) + self.s.hunter_term(person, prod)
            period.hunters[t] = period.hunters.get(t, 0) + 1
        else:
            term = self._farmer_term(person, p, t)
            period.fc[t] = period.fc.get(t, 0) + term
            period.counted[t] = period.counted.get(t, 0) + (term > 0)
        if self.s.policy.specialization_on:
            st = self.states[person.id]
            if st.role is None and cell.role == "hunter":
                for key in self.farm_cells[person.id]:
                    self.farm_supply[key] -= 1
            st.role = cell.role

    def _floors_spare(self, person: Person, p: int) -> bool:
        """Under specialization, making this person a hunter for good leaves every farmer
        floor he could help with, from this period on, enough other people who may farm."""
        if not self.s.policy.specialization_on or self.states[person.id].role is not None:
            return True
        floors = self.s.territory_by_id
        return all(
            self.farm_supply[(t, q)] > floors[t].min_farmers
            for t, q in self.farm_cells[person.id]
            if q >= p and floors[t].min_farmers
        )

    def _farmer_term(self, person: Person, p: int, t: str) -> int:
        prod = self.s.productivity(person, p, self.starts.get(person.id))
        return self.s.farmer_term(person, self.s.territory_by_id[t], prod)

    # ----- steps 3-7 --------------------------------------------------------------------

    def _continue_stints(self, period: _Period, free: list[Person], p: int) -> list[Person]:
        rest = []
        for person in free:
            st = self.states[person.id]
            last = st.last
            must = (
                self.rotation is not None
                and not person.is_position
                and st.in_horizon  # a `current` stint that stops at once is history
                and last is not None
                and last.role == "hunter"
                and st.run < self.rotation.hunter_stint_min
            )
            if (
                must
                and last is not None
                and self._allows(person, p, last)
                and self._pool_feeds(period, last)
            ):
                self._assign(period, person, last, p)
            else:
                rest.append(person)
        return rest

    def _stints_below_minimum(self) -> dict[str, set[str]]:
        """Hunters whose stint in the horizon is still below its minimum, by town: they hunt
        there again when next available (leave inside a stint included)."""
        out: dict[str, set[str]] = defaultdict(set)
        if self.rotation is None:
            return out
        lo = self.rotation.hunter_stint_min
        for pid, st in self.states.items():
            last = st.last
            if last is not None and last.role == "hunter" and st.in_horizon and st.run < lo:
                out[str(last.territory)].add(pid)
        return out

    def _room_ahead(self, period: _Period, person: Person, cell: Cell, p: int) -> bool:
        """A new stint keeps `max_reps` over its minimum length: in each coming period the town
        holds the hunters whose stints go on, this one, and the people forced there or the
        farmers its floor (and the hand-over) needs, whichever is more."""
        s = self.s
        t = s.territory_by_id[str(cell.territory)]
        rotation = self.rotation
        if t.max_reps is None or rotation is None:
            return True
        away = sum(1 for x in self.stinting.get(t.id, ()) if period.cells.get(x) != cell)
        staying = period.hunters.get(t.id, 0) + away + 1
        floor = farmers_needed(s, t, staying)
        end = min(s.periods, p + rotation.hunter_stint_min)
        return all(
            office_fits(t, max(self.forced_in[(t.id, q)], floor) + staying)
            for q in range(p + 1, end)
        )

    def _pool_feeds(self, period: _Period, cell: Cell) -> bool:
        """The pool holds enough prospects for one more hunter in this territory now."""
        t = str(cell.territory)
        return pool_feeds(self.s, self.territories[t].pool, period.hunters.get(t, 0) + 1)

    def _train(self, period: _Period, free: list[Person], p: int) -> list[Person]:
        rest = []
        order = sorted(free, key=lambda x: not x.is_position)
        for person in order:
            st = self.states[person.id]
            wants = self._own_territory_long_cycle(person) and st.trained < person.training_needed
            if (
                wants
                and trainees_fit(self.s, period.trainees + 1)
                and self._allows(person, p, TRAINEE)
            ):
                self._assign(period, person, TRAINEE, p)
            else:
                rest.append(person)
        return rest

    def _own_territory_long_cycle(self, person: Person) -> bool:
        if person.id in self.forced_long_cycle:
            return True  # a lock or a frozen period puts him in a long-cycle town later
        c = person.current
        home = c.territory if c is not None and not person.veteran else person.home
        return self.s.territory_by_id[home].long_cycle

    def _cover(self, period: _Period, free: list[Person], p: int) -> list[Person]:
        """Fill each territory's farmer floor in three passes over all territories: first
        with whoever farmed it last period, then with its own reps, then with anyone in
        reach — so a town does not lose its only farmer to a neighbour's floor."""
        left = {x.id for x in free}
        tiers = (
            lambda x, cell: self.states[x.id].last == cell,
            lambda x, cell: x.home == cell.territory,
            lambda x, cell: True,
        )
        for tier in tiers:
            for t in self.s.territories:
                need = farmers_needed(self.s, t, period.hunters.get(t.id, 0))
                cell = Cell("farmer", t.id)
                while period.counted.get(t.id, 0) < need:
                    candidates = [
                        x
                        for x in self.may_farm[(t.id, p)]
                        if x.id in left
                        and tier(x, cell)
                        and self._can_farm(period, x, cell, p)
                        and self._farmer_term(x, p, t.id) > 0
                    ]
                    if not candidates:
                        break
                    best = min(candidates, key=lambda x: -self._farmer_term(x, p, t.id))
                    self._assign(period, best, cell, p)
                    left.discard(best.id)
        return [x for x in free if x.id in left]

    def _can_farm(self, period: _Period, person: Person, cell: Cell, p: int) -> bool:
        if not self._allows(person, p, cell):
            return False
        t = self.s.territory_by_id[str(cell.territory)]
        if not office_fits(t, period.workers.get(t.id, 0) + 1):
            return False
        st = self.states[person.id]
        tenure = self.rotation.farmer_max_tenure if self.rotation else None
        return not (
            tenure is not None and not person.is_position and st.last == cell and st.run >= tenure
        )

    def _keep_books(self, period: _Period, free: list[Person], p: int) -> list[Person]:
        rest = []
        for person in free:
            last = self.states[person.id].last
            if (
                last is not None
                and last.role == "farmer"
                and self._unserved(period, str(last.territory)) > 0
                and self._can_farm(period, person, last, p)
            ):
                self._assign(period, person, last, p)
            else:
                rest.append(person)
        return rest

    def _unserved(self, period: _Period, t: str) -> int:
        return self.territories[t].acc - period.fc.get(t, 0)

    def _place_the_rest(self, period: _Period, free: list[Person], p: int) -> None:
        # the strongest hunters choose first: the cell worth most that keeps the rules, else
        # the bench, else the first cell the rules allow
        for i, person in enumerate(sorted(free, key=lambda x: -x.hunter_capacity)):
            self._tick(i)
            worth = [
                (self._gain(period, person, cell, p), k, cell)
                for k, cell in enumerate(self.domains.of(person.id, p))
                if cell.working
            ]
            worth.sort(key=lambda x: (-x[0], x[1]))
            chosen = next(
                (
                    cell
                    for gain, _, cell in worth
                    if gain > 0 and self._allowed_here(period, person, cell, p)
                ),
                None,
            )
            if chosen is None:
                chosen = BENCH if self._allows(person, p, BENCH) else self._options(person, p)[0]
            self._assign(period, person, chosen, p)

    def _allowed_here(self, period: _Period, person: Person, cell: Cell, p: int) -> bool:
        if cell.role == "farmer":
            return self._can_farm(period, person, cell, p)
        return self._allows(person, p, cell) and self._can_hunt(period, person, cell, p)

    def _gain(self, period: _Period, person: Person, cell: Cell, p: int) -> float:
        """Rough worth of a working cell this period, in money (the rules aside)."""
        s = self.s
        t = s.territory_by_id[str(cell.territory)]
        remaining = s.periods - p
        future = s.defaults.terminal_value_periods + remaining / 2
        if cell.role == "farmer":
            serve = min(self._farmer_term(person, p, t.id), max(0, self._unserved(period, t.id)))
            saved = (s.defaults.churn_unserved_pct - s.defaults.churn_served_pct) / 100
            return serve * t.account_value * (1 + saved * future)
        state = self.territories[t.id]
        share = state.pool * t.win_share_pct // 100 - period.hc.get(t.id, 0)
        term = s.hunter_term(person, s.productivity(person, p, self.starts.get(person.id)))
        return max(0, min(term, share)) * t.account_value * future

    def _can_hunt(self, period: _Period, person: Person, cell: Cell, p: int) -> bool:
        s = self.s
        t = s.territory_by_id[str(cell.territory)]
        st = self.states[person.id]
        if not office_fits(t, period.workers.get(t.id, 0) + 1):
            return False
        state = self.territories[t.id]
        if not self._pool_feeds(period, cell):
            return False
        rotation = self.rotation
        if rotation is None or person.is_position:
            return True
        if not handover_met(s, period.hunters.get(t.id, 0) + 1, period.counted.get(t.id, 0)):
            return False
        if st.cooldown.get(t.id, 0) > 0:
            return False
        if st.last == cell:
            return st.run < rotation.hunter_stint_max
        if not self._room_ahead(period, person, cell, p) or not self._floors_spare(person, p):
            return False
        # a new stint must be able to last its minimum: the pool, worn down by everyone hunting
        # here for that long, must still feed them all
        lo = rotation.hunter_stint_min
        hunting = period.hc.get(t.id, 0) + person.hunter_capacity
        left = state.pool - lo * hunting + lo * t.prospect_inflow
        return pool_feeds(s, left, period.hunters.get(t.id, 0) + 1)

    # ----- roll forward -----------------------------------------------------------------

    def _advance(self, p: int, period: _Period) -> None:
        s = self.s
        for i, person in enumerate(s.persons):  # each person's rules move on by this period
            self._tick(i)
            active = not person.is_position or person.id in self.starts
            self.rules[person.id].step(p, period.cells.get(person.id, OFF), active)
        uplift = 100  # the bonus level is chosen at the end
        for t in s.territories:
            state = self.territories[t.id]
            step = territory_step(
                s,
                t,
                state.pool,
                state.acc,
                state.carry,
                period.hc.get(t.id, 0),
                period.fc.get(t.id, 0),
                uplift,
            )
            state.pool, state.acc, state.carry = step.pool, step.acc, step.carry
        cooldown = self.rotation.hunter_cooldown if self.rotation else 0
        for person in s.persons:
            if not self._present(person, p):
                continue
            st = self.states[person.id]
            cell = period.cells.get(person.id, OFF)
            if cell == TRAINEE:
                st.trained += 1
            for town in list(st.cooldown):
                st.cooldown[town] -= 1
                if st.cooldown[town] <= 0:
                    del st.cooldown[town]
            if st.last == cell and st.in_horizon:
                st.run += 1
                continue
            if st.last == cell:  # the `current` stint continues: its periods count
                st.run += 1
                st.in_horizon = True
                continue
            if st.last is not None and st.last.role == "hunter" and cooldown > 1:
                st.cooldown[str(st.last.territory)] = cooldown - 1
            st.last, st.run, st.in_horizon = cell, 1, True

    def repair(self, plan: Plan, rounds: int = 4) -> Plan:
        """Bench the hunter stints that end below their minimum (on large scenarios a pool
        may stop feeding a stint the greedy began), the hunters of a town left without a
        farmer, and, where a pool runs short of prospects, the rest of the newest stints
        there: a hunter fewer breaks no other rule (a stint cut short is benched next round).
        """
        for _ in range(rounds):
            self._check()
            known = self.chosen
            ev = known[1] if known is not None and known[0] is plan else simulate(self.s, plan)
            found = {
                rule: {
                    (v.entity, v.period)
                    for v in ev.violations
                    if v.rule == rule and v.period is not None
                }
                for rule in ("rotation.stint_min", "rotation.handover_farmer", "prospect_supply")
            }
            short, alone, dry = found.values()
            if not short and not alone and not dry:
                return plan
            rows = {(a.person, a.period): a for a in plan.assignments}
            for key, a in rows.items():  # hunters of a town no farmer serves: benched
                if a.role == "hunter" and (a.territory, a.period) in alone:
                    self._bench(rows, *key)
            for person, last in short:
                stint = rows[(person, last)]
                p = last
                while p >= 0 and rows[(person, p)].role in (stint.role, "off"):
                    a = rows[(person, p)]
                    if a.role == "off":
                        p -= 1
                        continue
                    if a.territory != stint.territory:
                        break
                    self._bench(rows, person, p)
                    p -= 1
            self._thin_dry_pools(rows, ev, dry)
            repaired = tuple(rows[(a.person, a.period)] for a in plan.assignments)
            plan = self._best_bonus(plan.model_copy(update={"assignments": repaired}))
        return plan

    def _bench(self, rows: dict[tuple[str, int], Assignment], person: str, p: int) -> None:
        """The cell benched, unless a lock or a frozen period fixes it."""
        if BENCH in self.domains.of(person, p):
            a = rows[(person, p)]
            rows[(person, p)] = a.model_copy(update={"role": "bench", "territory": None})

    def _thin_dry_pools(
        self,
        rows: dict[tuple[str, int], Assignment],
        ev: Evaluation,
        dry: set[tuple[str, int]],
    ) -> None:
        """Where a pool feeds fewer hunters than hunt it, the newest stints there end the
        period before (the rest of each stint benched, so no cooldown is broken)."""
        need = self.s.policy.min_prospects_per_hunter
        if not dry or need <= 0:
            return
        flows = {(tp.territory, tp.period): tp for tp in ev.territory_periods}
        hunting: dict[tuple[str, int], list[str]] = defaultdict(list)  # read once
        for (person, q), a in rows.items():
            if a.role == "hunter" and (a.territory, q) in dry:
                hunting[(str(a.territory), q)].append(person)
        for t, p in sorted(dry, key=lambda key: (str(key[0]), key[1] or 0)):
            assert p is not None
            tp = flows[(t, p)]
            hunters = hunting[(t, p)]

            def began(person: str, p: int = p, t: str = t) -> int:
                q = p  # the stint's first period (off periods inside it skipped)
                while q > 0 and rows[(person, q - 1)].role in ("hunter", "off"):
                    before = rows[(person, q - 1)]
                    if before.role == "hunter" and before.territory != t:
                        break
                    q -= 1
                return q

            hunters.sort(key=lambda person: -began(person))
            for person in hunters[: max(0, len(hunters) - tp.pool // need)]:
                q = p
                while q < self.s.periods and rows[(person, q)].role in ("hunter", "off"):
                    a = rows[(person, q)]
                    if a.role == "hunter" and a.territory != t:
                        break
                    if a.role == "hunter":
                        self._bench(rows, person, q)
                    q += 1

    def _best_bonus(self, plan: Plan) -> Plan:
        """The single bonus level that scores best (feasible plans first)."""
        s = self.s
        b = s.baseline
        frozen = tuple(b.bonus_levels[: b.freeze_periods]) if b is not None else ()
        best: tuple[tuple[bool, int], Plan, Evaluation] | None = None
        for level in s.bonus_menu:
            self._check()  # a simulation of a national plan takes seconds
            levels = frozen + (level.name,) * (s.periods - len(frozen))
            candidate = plan.model_copy(update={"bonus_levels": levels})
            ev = simulate(s, candidate)
            key = (ev.feasible, ev.score)
            if best is None or key > best[0]:
                best = (key, candidate, ev)
        assert best is not None
        self.chosen = (best[1], best[2])  # `repair` reads its violations: no second simulation
        return best[1]
