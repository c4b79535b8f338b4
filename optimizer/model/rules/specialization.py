"""Specialization (section 3): one working role per person over the horizon."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    if not s.policy.specialization_on:
        return []
    for person in s.persons:
        hunt, farm = [], []
        for p in range(s.periods):
            for cell, lit in v.options(person.id, p).items():
                if cell.role == "hunter":
                    hunt.append(lit)
                elif cell.role == "farmer":
                    farm.append(lit)
        if not hunt or not farm:
            continue
        g = b.guards(
            ("specialization", person.id, None),
            f"{person.id} keeps one role, hunter or farmer, all year (specialization)",
        )
        is_hunter = b.model.new_bool_var(f"is_hunter[{person.id}]")
        for lit in hunt:
            b.model.add(lit <= is_hunter).only_enforce_if(g)
        for lit in farm:
            b.model.add(lit <= 1 - is_hunter).only_enforce_if(g)
    return []
