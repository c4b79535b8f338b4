"""Coverage (section 3): at least `min_farmers` farmers with a positive term, and at most
`max_reps` people working (hunting or farming, visitors and hires included), every period."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s = b.scenario
    for t in s.territories:
        tv = b.territories[t.id]
        for p in range(s.periods):
            if t.min_farmers > 0:
                g = b.guards(
                    ("coverage.min_farmers", t.id, p),
                    f"{t.label} keeps at least {t.min_farmers} farmer(s) in period {p} "
                    f"({s.period_label(p)})",
                )
                b.model.add(tv.counted_farmers[p] >= t.min_farmers).only_enforce_if(g)
            if t.max_reps is not None and not isinstance(tv.workers[p], int):
                g = b.guards(
                    ("coverage.max_reps", t.id, p),
                    f"at most {t.max_reps} people work in {t.label} in period {p} (max_reps)",
                )
                b.model.add(tv.workers[p] <= t.max_reps).only_enforce_if(g)
            elif t.max_reps is not None and tv.workers[p] > t.max_reps:
                b.model.add_linear_constraint(0, 1, 1)
    return []
