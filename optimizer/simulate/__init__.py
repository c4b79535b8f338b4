"""The judge: `simulate(scenario, plan)` scores a plan exactly as spec sections 3-5 say.

It never imports a solver. Its score is the single source of truth of what a plan is worth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.plan import (
    Attainment,
    GoalsRealistic,
    Hire,
    Kpis,
    Month,
    Plan,
    SolverStatus,
    Target,
    TerritoryPeriod,
    Violation,
)
from optimizer.scenario import Scenario
from optimizer.simulate.dynamics import Dynamics, run_dynamics
from optimizer.simulate.money import count_money, monthly_costs
from optimizer.simulate.noisy import analyse, run_noisy
from optimizer.simulate.rules import Context, violations
from optimizer.simulate.schedule import Schedule, read_plan
from optimizer.simulate.targets import person_targets

__all__ = ["Evaluation", "attainment", "simulate"]


@dataclass(frozen=True)
class Evaluation:
    """What the simulator says of a plan: violations, KPIs, score and the derived tables."""

    violations: tuple[Violation, ...]
    kpis: Kpis
    territory_periods: tuple[TerritoryPeriod, ...]
    months: tuple[Month, ...]
    targets: tuple[Target, ...]
    hires: tuple[Hire, ...]
    bonus_levels: tuple[str, ...]
    course: tuple[Schedule, Dynamics] | None = field(default=None, compare=False, repr=False)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def score(self) -> int:
        return self.kpis.score

    def apply_to(
        self, plan: Plan, status: SolverStatus | None = None, chances: bool = True
    ) -> Plan:
        """The plan with everything the simulator derives filled in.

        Without a given status, a plan with no violations is FEASIBLE and one with violations
        UNKNOWN: a plan with violations is never reported OPTIMAL or FEASIBLE, nor scored.
        With the scenario's `uncertainty` block, and `chances`, section 8's figures too (the
        targets set by attainment when the policy says so).
        """
        if status is None:
            status = "FEASIBLE" if self.feasible else "UNKNOWN"
        if status in ("OPTIMAL", "FEASIBLE") and not self.feasible:
            raise ValueError(f"a plan with violations cannot be reported {status}")
        targets, kpis, figures = self.targets, self.kpis, None
        if chances and self.course is not None and self.course[0].scenario.uncertainty is not None:
            targets, figures = attainment(*self.course, self.targets)
            kpis = kpis.model_copy(
                update={
                    "targets_new_clients": sum(x.new_clients for x in targets),
                    "targets_revenue": sum(x.revenue for x in targets),
                }
            )
        return plan.model_copy(
            update={
                "status": status,
                "score": self.score if self.feasible else None,
                "hires": self.hires,
                "bonus_levels": self.bonus_levels,
                "territory_periods": self.territory_periods,
                "months": self.months,
                "targets": targets,
                "kpis": kpis,
                "violations": self.violations,
                "attainment": figures,
            }
        )


def simulate(scenario: Scenario, plan: Plan) -> Evaluation:
    """Score a plan. Raises `InvalidInput` if the plan cannot be read against the scenario."""
    sched = read_plan(scenario, plan)
    dyn = run_dynamics(sched)
    costs = monthly_costs(sched, dyn)
    money = count_money(sched, dyn, costs)
    targets = person_targets(sched, dyn)
    found = violations(Context(sched=sched, dyn=dyn, plan=plan))
    t = scenario.policy.active_targets
    kpis = Kpis(
        profit=money.profit,
        margin_total=money.margin_total,
        revenue_total=money.revenue_total,
        terminal=money.terminal,
        salaries=money.salaries,
        hiring_cost=money.hiring_cost,
        travel=money.travel,
        bonus_cost=money.bonus_cost,
        handover=money.handover,
        switches=money.switches,
        bench=money.bench,
        penalties=money.penalties,
        new_clients=money.new_clients,
        goal_new_clients=t.goal_new_clients,
        goal_revenue=t.goal_revenue,
        goals_realistic=GoalsRealistic(
            new_clients=t.goal_new_clients is None or money.new_clients >= t.goal_new_clients,
            revenue=t.goal_revenue is None or money.revenue_total >= t.goal_revenue,
        ),
        shortfall_new_clients=money.shortfall_new_clients,
        shortfall_revenue=money.shortfall_revenue,
        targets_new_clients=sum(x.new_clients for x in targets),
        targets_revenue=sum(x.revenue for x in targets),
        hires=len(sched.start),
        changes=money.changes,
        change_cost=money.change_cost,
        score=money.score,
    )
    return Evaluation(
        violations=tuple(found),
        kpis=kpis,
        territory_periods=tuple(_territory_table(sched, dyn)),
        months=tuple(_months(sched, dyn, costs)),
        targets=tuple(targets),
        hires=tuple(
            Hire(person=pid, territory=scenario.position_by_id[pid].territory, start_period=start)
            for pid, start in sorted(sched.start.items(), key=lambda item: (item[1], item[0]))
        ),
        bonus_levels=tuple(level.name for level in sched.levels),
        course=(sched, dyn),
    )


def attainment(
    sched: Schedule, dyn: Dynamics, targets: tuple[Target, ...], samples: int | None = None
) -> tuple[tuple[Target, ...], Attainment]:
    """Section 8 for a plan read and run exactly (`sched`, `dyn`) whose scenario has an
    `uncertainty` block: its targets (set by attainment when the policy says so) with each
    row's chances, and the company's figures."""
    s = sched.scenario
    assert s.uncertainty is not None
    course = run_noisy(sched, dyn, s.uncertainty, samples)
    return analyse(s, course, targets)


def _territory_table(sched: Schedule, dyn: Dynamics) -> list[TerritoryPeriod]:
    s = sched.scenario
    rows: list[TerritoryPeriod] = []
    for t in s.territories:
        f = dyn.territories[t.id]
        rows.extend(
            TerritoryPeriod(
                territory=t.id,
                period=p,
                hunters=f.hunters[p],
                farmers=f.farmers[p],
                pool=f.pool[p],
                accounts=f.acc[p],
                won=f.won[p],
                served=f.served[p],
                churn=f.churn[p],
                margin=f.margin[p],
                revenue=f.revenue[p],
            )
            for p in range(s.periods)
        )
    return rows


def _months(sched: Schedule, dyn: Dynamics, costs: dict[str, list[int]]) -> list[Month]:
    s = sched.scenario
    flows = dyn.territories.values()
    return [
        Month(
            period=p,
            bonus_level=sched.level(p).name,
            won=sum(f.won[p] for f in flows),
            revenue=sum(f.revenue[p] for f in flows),
            margin=sum(f.margin[p] for f in flows),
            **{name: months[p] for name, months in costs.items()},
        )
        for p in range(s.periods)
    ]
