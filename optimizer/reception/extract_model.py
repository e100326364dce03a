"""Reading a solved reception model back (post-solve; the formulation is :mod:`models.reception`).

* :func:`integral_split` makes every ``places_new[g, o]`` integral in the loaded solution;
* :func:`term_values` gives the raw value of each objective term ``objective_term[t]``.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from models.reception import TERMS, ReceptionIndex, ReceptionInputs


def integral_split(m: pyo.ConcreteModel, inputs: ReceptionInputs) -> int:
    """Make every ``places_new[g,o]`` integral in the loaded solution, keeping each gemeente's
    total and every site-size bound (``site_size_min`` / ``site_size_max``, from
    :attr:`ReceptionIndex.size_bounds` of the model's ``inputs``; largest fractional parts
    first). Returns the number of values changed (0 when the solver already returned a vertex,
    the usual case)."""
    x, n = m.places_new, m.site_count
    size_bounds = ReceptionIndex.of(inputs).size_bounds
    changed = 0
    by_g: dict[str, list[str]] = {}
    for g, o in x:
        by_g.setdefault(g, []).append(o)
    for g, opts in by_g.items():
        vals = {o: float(x[g, o].value or 0.0) for o in opts}
        total = int(round(sum(vals.values())))
        count = {o: round(float(n[g, o].value or 0.0)) for o in opts}
        lo = {o: size_bounds[g, o][0] * count[o] for o in opts}  # min_size * n
        hi = {o: size_bounds[g, o][1] * count[o] for o in opts}  # min(zmax, R) * n
        ints = {o: min(max(math.floor(vals[o] + 1e-6), math.ceil(lo[o] - 1e-6)), math.floor(hi[o] + 1e-6)) for o in opts}
        left = total - sum(ints.values())
        order = sorted(opts, key=lambda o: -(vals[o] - math.floor(vals[o] + 1e-6)))
        while left != 0:
            step = 1 if left > 0 else -1
            moved = False
            for o in (order if step > 0 else reversed(order)):
                if (step > 0 and ints[o] + 1 <= hi[o] + 1e-6) or (step < 0 and ints[o] - 1 >= lo[o] - 1e-6):
                    ints[o] += step
                    left -= step
                    moved = True
                    break
            if not moved:
                break
        for o in opts:
            if abs(ints[o] - vals[o]) > 1e-6:
                changed += 1
            x[g, o].set_value(float(ints[o]), skip_validation=True)
    return changed


def term_values(m: pyo.ConcreteModel) -> dict[str, float]:
    """Raw value of each objective term (``objective_term[t]``) in the loaded solution."""
    return {t: float(pyo.value(m.objective_term[t])) for t in TERMS}
