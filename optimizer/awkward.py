"""A second family of scenarios, built to be awkward, each with a plan known to be feasible.

`optimizer.generate` makes tidy scenarios on real towns: everyone reaches about eight towns,
veterans farm at home, floors only where two farmers live. Scenarios from elsewhere are not
tidy, and a solver tested only on its author's generator never meets what breaks it. This
generator starts from a *witness*: a schedule written first, person by person, that keeps
every hard rule; then it writes a scenario around it that makes the rules as tight as the
witness allows:

- towns in clusters on made-up coordinates, some without coordinates (in everyone's reach),
  homes drawn from a skewed distribution, radii that differ per rep;
- locks on reps and positions, some against the rep's `current` hunter stint elsewhere;
- leave inside hunter stints, departures, ramping reps with a zero month;
- offices exactly as large as the witness needs (`max_reps`), floors exactly as high
  (`min_farmers`), `min_prospects_per_hunter` up to what the witness's pools hold;
- protected veterans whose post lies outside their radius, long-cycle towns behind one
  trainer seat, `hunter_stint_min == hunter_stint_max`, long cooldowns, farmer tenure limits;
- a baseline with frozen periods, for re-planning.

The witness is checked by the simulator before the scenario is returned (a violation is a
bug of this module, raised), so "is there a plan?" always has the answer yes.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from optimizer.plan import Plan
from optimizer.scenario import Scenario, great_circle_km, load_scenario

OFF, BENCH, TRAINEE = ("off", None), ("bench", None), ("trainee", None)
VETERAN_MONTHS = 36

CellT = tuple[str, str | None]


@dataclass
class _Town:
    id: str
    lat: float | None
    lon: float | None
    long_cycle: bool
    accounts_per_farmer: int


@dataclass
class _Person:
    id: str
    home: str
    radius: float | None
    roles: list[str]
    trained: bool
    training_done: int
    unavailable: set[int]
    active_until: int | None
    productivity: list[int]
    farmer_capacity_pct: int
    tenure_months: int = 0
    current: dict[str, Any] | None = None
    position: bool = False
    start: int | None = None
    cells: list[CellT | None] = field(default_factory=list)
    reach: list[str] = field(default_factory=list)

    def available(self, p: int) -> bool:
        if self.position:
            return self.start is not None and p >= self.start
        employed = self.active_until is None or p <= self.active_until
        return employed and p not in self.unavailable


class AwkwardBug(AssertionError):
    """The witness breaks a rule: this generator is wrong, not the scenario."""


def awkward(
    reps: int, territories: int, periods: int = 12, seed: int = 0, name: str | None = None
) -> tuple[Scenario, Plan]:
    """A validated awkward scenario and its witness plan (checked feasible)."""
    data, witness = awkward_data(reps, territories, periods, seed, name)
    return load_scenario(data), Plan.model_validate(witness)


def awkward_data(
    reps: int, territories: int, periods: int = 12, seed: int = 0, name: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scenario's JSON-ready dict and its witness plan's."""
    if reps < 1 or territories < 1:
        raise ValueError("need at least one rep and one territory")
    if not 1 <= periods <= 36:
        raise ValueError("periods must be within 1..36")
    return _Builder(random.Random(seed), reps, territories, periods).build(
        name or f"awkward-r{reps}-t{territories}-p{periods}-s{seed}"
    )


class _Builder:
    def __init__(self, rng: random.Random, reps: int, territories: int, periods: int) -> None:
        self.rng, self.n_reps, self.n_towns, self.P = rng, reps, territories, periods
        self.stint_min = rng.choice([1, 2, 2, 3])
        self.stint_max = (
            self.stint_min if rng.random() < 0.35 else self.stint_min + rng.randint(1, 2)
        )
        self.cooldown = rng.choice([0, 1, 2, 4, 6])
        self.tenure = rng.choice([None, None, max(2, periods // 3)])
        self.handover = rng.random() < 0.75
        self.specialization = rng.random() < 0.4
        self.training_periods = rng.randint(1, 4)
        self.seats = 1 if rng.random() < 0.7 else 2
        self.radius = rng.choice([60.0, 120.0, 250.0])
        self.towns = self._towns()
        self.seat_use = [0] * periods

    # ----- geography ---------------------------------------------------------------------

    def _towns(self) -> list[_Town]:
        rng = self.rng
        clusters = [
            (rng.uniform(42, 62), rng.uniform(20, 80)) for _ in range(max(1, self.n_towns // 12))
        ]
        towns = []
        for i in range(self.n_towns):
            lat, lon = rng.choice(clusters)
            located = rng.random() > 0.05 or self.n_towns > 50
            towns.append(
                _Town(
                    id=f"T{i:03d}",
                    lat=round(lat + rng.gauss(0, 0.6), 4) if located else None,
                    lon=round(lon + rng.gauss(0, 1.0), 4) if located else None,
                    long_cycle=rng.random() < 0.3,
                    accounts_per_farmer=rng.randrange(20, 90, 5),
                )
            )
        return towns

    def _reach(self, person: _Person) -> list[str]:
        home = self.town[person.home]
        out = []
        for t in self.towns:
            if person.radius is None or home.lat is None or t.lat is None:
                out.append(t.id)
                continue
            assert home.lon is not None and t.lon is not None
            if great_circle_km(home.lat, home.lon, t.lat, t.lon) <= person.radius:
                out.append(t.id)
        return out

    # ----- people ------------------------------------------------------------------------

    def _person(self, i: int, home: str) -> _Person:
        rng, P = self.rng, self.P
        leave = set(rng.sample(range(P), k=min(P, rng.choice([0, 0, 1, 2, 3]))))
        departs = rng.random() < 0.1 and P > 2
        ramp = rng.random() < 0.1
        trained = rng.random() < 0.75
        radius = (
            rng.choice([None, None, None, 20.0, self.radius * 2]) if rng.random() < 0.3 else None
        )
        return _Person(
            id=f"a{i:04d}",
            home=home,
            radius=radius,
            roles=rng.choices([["hunter", "farmer"], ["farmer"], ["hunter"]], [6, 3, 1])[0],
            trained=trained,
            training_done=0 if trained else rng.randint(0, max(0, self.training_periods - 1)),
            unavailable=leave,
            active_until=rng.randint(P // 2, P - 1) if departs else None,
            productivity=[0, 50, 75][:P] if ramp else [],
            farmer_capacity_pct=rng.randrange(70, 131, 10),
        )

    def _radius_of(self, person: _Person) -> float | None:
        return self.radius if person.radius is None else person.radius

    def build(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        rng = self.rng
        self.town = {t.id: t for t in self.towns}
        weights = [1.0 / (k + 1) ** 0.8 for k in range(len(self.towns))]
        homes = rng.choices([t.id for t in self.towns], weights=weights, k=self.n_reps)
        people = [self._person(i, h) for i, h in enumerate(homes, 1)]
        for person in people:
            person.radius = self._radius_of(person)
            person.reach = self._reach(person)
        # farmers first: anchors (steady, home), veterans, then the rest of the farming stories;
        # hunters are placed where the farmers leave someone to hand clients to
        anchored: set[str] = set()
        order = list(people)
        rng.shuffle(order)
        hunters: list[_Person] = []
        self.locks: list[dict[str, Any]] = []
        for person in order:
            story = self._story(person, anchored)
            if story == "hunter":
                hunters.append(person)
        self.covered = self._covered(people)
        for person in hunters:
            self._hunter(person)
        positions = self._positions()
        for person in [*people, *positions]:
            self._fill_idle(person)
        return self._scenario(name, people, positions)

    def _story(self, person: _Person, anchored: set[str]) -> str:
        """Write a farming story now, or say the person hunts (written once farmers are known)."""
        rng, P = self.rng, self.P
        home = self.town[person.home]
        person.cells = [OFF if not person.available(p) else None for p in range(P)]
        steady = not person.unavailable and person.active_until is None and not person.productivity
        can_farm_home = "farmer" in person.roles and (person.trained or not home.long_cycle)
        if person.home not in anchored and steady and can_farm_home and self.tenure is None:
            anchored.add(person.home)  # an anchor: farms home every period
            person.tenure_months = rng.choice([6, 60])
            person.current = {
                "territory": person.home,
                "role": "farmer",
                "periods": rng.randint(1, 30),
            }
            for p in range(P):
                person.cells[p] = ("farmer", person.home)
            return "farmer"
        roll = rng.random()
        if roll < 0.12 and "farmer" in person.roles:
            return self._veteran(person)
        if roll < 0.22 and "farmer" in person.roles and "hunter" in person.roles:
            return self._locked_against_current(person)
        if "hunter" in person.roles and ("farmer" not in person.roles or roll < 0.55):
            if person.current is None and rng.random() < 0.5:
                t = rng.choice(person.reach)
                person.current = {
                    "territory": t,
                    "role": "hunter",
                    "periods": rng.randint(1, self.stint_max),
                }
            return "hunter"
        if "farmer" not in person.roles:
            return "hunter"
        self._farmer(person)
        return "farmer"

    def _veteran(self, person: _Person) -> str:
        """A protected veteran farming a post that may lie outside his radius."""
        rng = self.rng
        outside = [t.id for t in self.towns if t.id not in person.reach]
        post = rng.choice(outside) if outside and rng.random() < 0.6 else person.home
        person.tenure_months = VETERAN_MONTHS + rng.randint(0, 100)
        person.current = {"territory": post, "role": "farmer", "periods": rng.randint(1, 40)}
        person.roles = ["farmer"] if rng.random() < 0.5 else ["hunter", "farmer"]
        for p in range(self.P):
            if person.cells[p] is None:
                person.cells[p] = ("farmer", post)
        return "farmer"

    def _locked_against_current(self, person: _Person) -> str:
        """A rep whose `current` stint hunts elsewhere, locked to farm his home first."""
        rng = self.rng
        home = self.town[person.home]
        elsewhere = [t for t in person.reach if t != person.home]
        if not elsewhere or (home.long_cycle and not person.trained) or self.P < 3:
            self._farmer(person)
            return "farmer"
        person.current = {
            "territory": rng.choice(elsewhere),
            "role": "hunter",
            "periods": rng.randint(1, self.stint_max),
        }
        locked = [p for p in range(2) if person.cells[p] is None]
        for p in locked:
            person.cells[p] = ("farmer", person.home)
        if locked:
            self.locks.append(
                {"rep": person.id, "periods": locked, "territory": person.home, "role": "farmer"}
            )
        if self.specialization:
            self._farmer(person)
            return "farmer"
        return "hunter"

    def _farmer(self, person: _Person) -> None:
        """Farm one town (home, or another in reach), changing town within the tenure limit."""
        rng, P = self.rng, self.P
        options = [t for t in person.reach if self.town[t].long_cycle is False or person.trained]
        if not options:
            return  # bench or training later
        here = person.home if person.home in options and rng.random() < 0.7 else rng.choice(options)
        if person.current is None and rng.random() < 0.4:
            person.current = {"territory": here, "role": "farmer", "periods": rng.randint(1, 20)}
        run = 0
        if self.tenure is not None and person.current is not None:
            c = person.current
            run = c["periods"] if c["role"] == "farmer" and c["territory"] == here else 0
        for p in range(P):
            if person.cells[p] is not None:
                if person.cells[p] == ("farmer", here):
                    run += 1
                elif person.cells[p] != OFF:
                    run = 0
                continue
            if self.tenure is not None and run >= self.tenure:
                nxt = self._other(options, here)
                if nxt == here:
                    person.cells[p] = BENCH
                    run = 0
                    continue
                here, run = nxt, 0
            person.cells[p] = ("farmer", here)
            run += 1

    def _other(self, options: list[str], here: str) -> str:
        others = [t for t in options if t != here]
        return self.rng.choice(others) if others else here

    def _covered(self, people: list[_Person]) -> dict[str, set[int]]:
        """The periods each town has a farmer whose term is positive."""
        out: dict[str, set[int]] = {}
        for person in people:
            for p, cell in enumerate(person.cells):
                if cell is None or cell[0] != "farmer":
                    continue
                prod = person.productivity[p] if p < len(person.productivity) else 100
                t = self.town[str(cell[1])]
                if t.accounts_per_farmer * person.farmer_capacity_pct * prod // 10000 > 0:
                    out.setdefault(str(cell[1]), set()).add(p)
        return out

    def _hunter(self, person: _Person) -> None:
        """Hunter stints of allowed length in covered towns, cooldowns kept, over available
        periods (leave neither breaks nor lengthens a stint); gaps are filled later."""
        rng = self.rng
        avail = [p for p in range(self.P) if person.available(p)]
        free = [person.cells[p] is None for p in avail]
        towns = [t for t in person.reach if not self.town[t].long_cycle or person.trained]
        cooling: dict[str, int] = {}  # town -> first index into `avail` it may be hunted from
        last: str | None = None  # the town of a stint that ended just before index i
        i = 0
        c = person.current
        if c is not None and c["role"] == "hunter":
            t, done = c["territory"], c["periods"]
            want = rng.randint(max(self.stint_min, done + 1), max(self.stint_max, done + 1)) - done
            span = avail[:want]
            continues = (
                done < self.stint_max
                and t in towns
                and all(free[:want])
                and (not self.handover or all(p in self.covered.get(t, set()) for p in span))
                and rng.random() < 0.6
            )
            if continues and span and (len(span) == want or len(span) == len(avail)):
                for p in span:
                    person.cells[p] = ("hunter", t)
                i, last = len(span), t
                cooling[t] = i + self.cooldown
            else:
                cooling[t] = max(1, self.cooldown)  # history: its cooldown still runs
        while i < len(avail):
            length = rng.randint(self.stint_min, self.stint_max)
            span = avail[i : i + length]
            cut = i + length >= len(avail)  # the stint may end with the rep's last period
            fits = [
                t
                for t in towns
                if cooling.get(t, 0) <= i
                and t != last
                and (not self.handover or all(p in self.covered.get(t, set()) for p in span))
            ]
            room = all(free[i : i + length]) and (len(span) == length or cut)
            if not room or not fits or rng.random() < 0.25:
                i, last = i + 1, None  # a gap: the bench, training or the locked cell
                continue
            t = rng.choice(fits)
            for p in span:
                person.cells[p] = ("hunter", t)
            i += len(span)
            cooling[t], last = i + self.cooldown, t

    def _positions(self) -> list[_Person]:
        rng, P = self.rng, self.P
        self.hiring_on = rng.random() < 0.7
        if not self.hiring_on:
            return []
        where = rng.sample(self.towns, k=max(1, min(len(self.towns), rng.randint(1, 4))))
        self.hiring_towns = sorted(t.id for t in where) if rng.random() < 0.7 else None
        self.per_town = rng.choice([1, 1, 2])
        self.max_hires = rng.randint(1, 3)
        self.per_period = rng.choice([1, self.max_hires])
        self.earliest = rng.randint(0, max(0, P // 3))
        towns = [self.town[t] for t in self.hiring_towns] if self.hiring_towns else self.towns
        filled: list[_Person] = []
        starts: dict[int, int] = {}
        for town in rng.sample(towns, k=min(len(towns), self.max_hires)):
            if rng.random() < 0.4:
                continue
            s = rng.randint(self.earliest, P - 1)
            while s < P and starts.get(s, 0) >= self.per_period:
                s += 1
            if s >= P:
                continue
            starts[s] = starts.get(s, 0) + 1
            hire = _Person(
                id=f"H-{town.id}-1",
                home=town.id,
                radius=0.0,
                roles=["hunter", "farmer"],
                trained=False,
                training_done=0,
                unavailable=set(),
                active_until=None,
                productivity=[],
                farmer_capacity_pct=80,
                position=True,
                start=s,
            )
            hire.cells = [OFF if p < s else None for p in range(P)]
            trained_at = None
            done = 0
            for p in range(s, P):
                if done < self.training_periods and self.seat_use[p] < self.seats:
                    hire.cells[p] = TRAINEE
                    self.seat_use[p] += 1
                    done += 1
                    continue
                if town.long_cycle and done < self.training_periods:
                    hire.cells[p] = BENCH
                    continue
                trained_at = p if trained_at is None else trained_at
                hire.cells[p] = ("farmer", town.id)
            if trained_at is not None and rng.random() < 0.6:
                self.locks.append({"rep": hire.id, "periods": [trained_at], "role": "farmer"})
            filled.append(hire)
        return filled

    def _fill_idle(self, person: _Person) -> None:
        """Periods no story took: training while a seat is free and training is needed, else
        farming home where allowed and not against specialization or tenure, else the bench."""
        needed = 0 if person.trained else self.training_periods - person.training_done
        done = 0
        for p in range(self.P):
            cell = person.cells[p]
            if cell == TRAINEE:
                done += 1
            if cell is not None:
                continue
            if not person.position and done < needed and self.seat_use[p] < self.seats:
                person.cells[p] = TRAINEE
                self.seat_use[p] += 1
                done += 1
            else:
                person.cells[p] = BENCH

    # ----- the scenario around the witness -------------------------------------------------

    def _scenario(
        self, name: str, people: list[_Person], positions: list[_Person]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        rng, P = self.rng, self.P
        levels = [{"name": "none", "per_client": 0, "uplift_pct": 100}]
        for k in range(rng.randint(0, 2)):
            levels.append(
                {"name": f"b{k + 1}", "per_client": 5000 * (k + 1), "uplift_pct": 115 + 20 * k}
            )
        witness_levels = [rng.choice(levels)["name"] for _ in range(P)]
        rows = [
            {"person": x.id, "period": p, "role": c[0], "territory": c[1]}
            for x in [*people, *positions]
            for p, c in enumerate(_filled(x))
        ]
        territories = [self._territory(t) for t in self.towns]
        data: dict[str, Any] = {
            "name": name,
            "currency": "EUR",
            "horizon": {"start": f"2027-{rng.randint(1, 12):02d}", "periods": P},
            "defaults": {
                "travel_cost": rng.choice([0, 15_000, 60_000]),
                "max_distance_km": self.radius,
                "churn_served_pct": rng.randint(0, 3),
                "churn_unserved_pct": rng.randint(4, 15),
                "terminal_value_periods": rng.randint(0, 8),
                "role_switch_cost": rng.choice([0, 30_000, 200_000]),
                "bench_cost": rng.choice([0, 0, 20_000]),
            },
            "territories": territories,
            "reps": [self._rep(x) for x in people],
            "training": {"periods": self.training_periods, "trainer_capacity": self.seats},
            "policy": {
                "rotation": {
                    "enabled": True,
                    "hunter_stint_min": self.stint_min,
                    "hunter_stint_max": self.stint_max,
                    "hunter_cooldown": self.cooldown,
                    "farmer_max_tenure": self.tenure,
                    "handover_requires_farmer": self.handover,
                },
                "specialization": {"enabled": self.specialization},
                "prospect_supply": {"min_prospects_per_hunter": 0},
                "bonus": {"enabled": len(levels) > 1, "levels": levels},
                "hiring": {"enabled": self.hiring_on},
                "veterans": {"enabled": True, "tenure_months": VETERAN_MONTHS},
                "targets": {
                    "goal_new_clients": rng.choice([None, 10 * self.n_reps]),
                    "goal_revenue": None,
                    "new_client_shortfall_cost": 20_000,
                    "revenue_shortfall_cost_pct": 0,
                    "realism_pct": rng.choice([80, 90, 100]),
                    "target_period": rng.choice(["month", "quarter"]),
                },
            },
            "locks": self.locks,
            "baseline": None,
        }
        if self.hiring_on:
            data["hiring"] = {
                "max_hires": self.max_hires,
                "max_hires_per_period": self.per_period,
                "earliest_period": self.earliest,
                "hire_cost": 150_000,
                "salary": 70_000,
                "hunter_capacity": 3,
                "farmer_capacity_pct": 80,
                "ramp_pct": [0, 50],
                "territories": self.hiring_towns,
                "positions_per_territory": self.per_town,
            }
        if not data["policy"]["bonus"]["enabled"]:
            witness_levels = ["none"] * P
        witness = {"scenario": name, "assignments": rows, "bonus_levels": witness_levels}
        self._tighten(data, witness)
        if rng.random() < 0.3:
            freeze = rng.randint(1, max(1, P // 3))
            data["baseline"] = {
                "freeze_periods": freeze,
                "change_cost": rng.choice([5_000, 50_000]),
                "assignments": self._baseline_rows(rows, freeze),
                "bonus_levels": witness_levels,
            }
        self._check(data, witness)
        return data, witness

    def _baseline_rows(self, rows: list[dict[str, Any]], freeze: int) -> list[dict[str, Any]]:
        """The witness, with some later working cells moved to the bench (changes to price)."""
        out = []
        for row in rows:
            if (
                row["period"] >= freeze
                and row["role"] in ("hunter", "farmer")
                and self.rng.random() < 0.1
            ):
                row = {**row, "role": "bench", "territory": None}
            out.append(row)
        return out

    def _territory(self, t: _Town) -> dict[str, Any]:
        rng = self.rng
        accounts = int(math.exp(rng.uniform(math.log(5), math.log(600))))
        value = rng.randrange(3_000, 20_001, 500) * (2 if t.long_cycle else 1)
        return {
            "id": t.id,
            "name": f"Town {t.id[1:]}",
            "lat": t.lat,
            "lon": t.lon,
            "long_cycle": t.long_cycle,
            "accounts": accounts,
            "account_value": value,
            "account_revenue": value * rng.randint(2, 4),
            "prospects": rng.randint(0, 3) * accounts + rng.randint(0, 200),
            "prospect_inflow": rng.randint(0, 20),
            "win_share_pct": rng.randint(1, 12),
            "accounts_per_farmer": t.accounts_per_farmer,
            "min_farmers": 0,
            "max_reps": None,
            "handover_cost": value * rng.randint(0, 25),
        }

    def _rep(self, x: _Person) -> dict[str, Any]:
        rng = self.rng
        return {
            "id": x.id,
            "name": f"Agent {int(x.id[1:])}",
            "home": x.home,
            "roles": x.roles,
            "trained": x.trained,
            "hunter_capacity": rng.randint(1, 8),
            "farmer_capacity_pct": x.farmer_capacity_pct,
            "salary": rng.randrange(60_000, 200_001, 5_000),
            "tenure_months": x.tenure_months,
            "max_distance_km": x.radius,
            "current": x.current,
            "training_done": x.training_done,
            "unavailable": sorted(x.unavailable),
            "active_until": x.active_until,
            "productivity_pct": x.productivity,
        }

    def _tighten(self, data: dict[str, Any], witness: dict[str, Any]) -> None:
        """Offices, floors and prospect needs as tight as the witness allows (often exactly)."""
        from optimizer.simulate import simulate

        rng = self.rng
        loose = load_scenario(data)
        ev = simulate(loose, Plan.model_validate(witness))
        if ev.violations:
            raise AwkwardBug(f"witness breaks {len(ev.violations)} rule(s): {ev.violations[0]}")
        rows: dict[str, list[Any]] = {}
        for tp in ev.territory_periods:
            rows.setdefault(tp.territory, []).append(tp)
        counted = _counted_farmers(loose, Plan.model_validate(witness))
        need = rng.choice([10, 25, 40, 80])
        for t in data["territories"]:
            tps = rows[t["id"]]
            busiest = max(tp.hunters + tp.farmers for tp in tps)
            roll = rng.random()
            t["max_reps"] = (
                busiest if roll < 0.4 else (None if roll > 0.8 else busiest + rng.randint(1, 3))
            )
            low = min(counted.get((t["id"], p), 0) for p in range(self.P))
            t["min_farmers"] = low if rng.random() < 0.6 else 0
            for tp in tps:
                if tp.hunters:
                    need = min(need, tp.pool // tp.hunters)
        data["policy"]["prospect_supply"]["min_prospects_per_hunter"] = need

    def _check(self, data: dict[str, Any], witness: dict[str, Any]) -> None:
        from optimizer.simulate import simulate

        ev = simulate(load_scenario(data), Plan.model_validate(witness))
        if ev.violations:
            raise AwkwardBug(f"witness breaks {len(ev.violations)} rule(s): {ev.violations[0]}")


def _counted_farmers(s: Scenario, plan: Plan) -> dict[tuple[str, int], int]:
    """Farmers with a positive term per town and period (the ones `min_farmers` counts)."""
    from optimizer.simulate.dynamics import run_dynamics
    from optimizer.simulate.schedule import read_plan

    dyn = run_dynamics(read_plan(s, plan))
    return {
        (t, p): flows.farmers_counted[p]
        for t, flows in dyn.territories.items()
        for p in range(s.periods)
    }


def _filled(x: _Person) -> list[CellT]:
    """A witness person's cells, every one of them set by now."""
    out = [c for c in x.cells if c is not None]
    if len(out) != len(x.cells):
        raise AssertionError(f"{x.id}: a witness cell was left unset")
    return out
