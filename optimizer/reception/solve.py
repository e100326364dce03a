"""Reception stages ``build`` and ``solve``: the Pyomo model (:func:`models.reception.build_model`)
solved with HiGHS.

A budget-neutral scheme pays the malus pool out per place above the share: the bonus rate per
surplus place (pool / total surplus) depends on the solution, which would make the model
bilinear. :func:`solve` therefore fixes the rate for each solve (the first malus rate to start)
and re-solves with the rate the solution gives until it moves by at most max(EUR 1, 0.5 %), at
most ``financing.neutral_iterations`` times (``docs/reception.md``). The reported payments are
exactly neutral whatever the iteration did (:func:`optimizer.rules.bonus_malus.payments`).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.reception import ReceptionIndex, ReceptionInputs, build_model
from optimizer.core.errors import InputError, Violation
from optimizer.reception.inputs import Prepared
from optimizer.rules import bonus_malus
from optimizer.solve.highs import SolveResult, SolverOptions, Status
from optimizer.solve.highs import solve as solve_model


@dataclass
class Built:
    """A built model, the inputs it was built from and the seconds the build took."""

    model: pyo.ConcreteModel
    inputs: ReceptionInputs
    seconds: float


@dataclass
class Solution:
    """The last model solved, its result, and a record of every solve."""

    model: pyo.ConcreteModel
    result: SolveResult
    neutral_rates: list[float] = field(default_factory=list)  # EUR per place, per solve
    build_seconds: float = 0.0  # every build of the solve stage
    solves: list[dict[str, Any]] = field(default_factory=list)


def build(inputs: ReceptionInputs) -> Built:
    """Stage ``build``: the reception model for these inputs."""
    t0 = time.perf_counter()
    model = build_model(inputs)
    return Built(model=model, inputs=inputs, seconds=time.perf_counter() - t0)


def solution_places(model: pyo.ConcreteModel, inputs: ReceptionInputs) -> tuple[np.ndarray, np.ndarray]:
    """New places and sites per gemeente and option (int arrays, gemeenten x options) in the
    loaded solution; 0 for pairs without variables."""
    x, n = model.places_new, model.site_count
    row = {g: i for i, g in enumerate(inputs.gemeenten)}
    col = {s.name: j for j, s in enumerate(inputs.sites)}
    new = np.zeros((inputs.n, len(inputs.sites)), dtype=np.int64)
    sites = np.zeros_like(new)
    for g, o in x:
        new[row[g], col[o]] = int(round(x[g, o].value or 0.0))
        sites[row[g], col[o]] = int(round(n[g, o].value or 0.0))
    return new, sites


def places_by_category(prep: Prepared, new: np.ndarray) -> pd.DataFrame:
    """Places per gemeente per place-bonus category (durable / temporary / none): new places by
    their option's category, existing places in ``financing.existing_category``."""
    inp = prep.inputs
    fin = prep.variant.financing
    durable = np.array([s.durable for s in inp.sites], dtype=bool)
    cols = {"durable": new[:, durable].sum(axis=1).astype(float),
            "temporary": new[:, ~durable].sum(axis=1).astype(float),
            "none": np.zeros(inp.n)}
    existing_cat = fin.existing_category if fin is not None else "none"
    cols[existing_cat] = cols[existing_cat] + inp.existing
    return pd.DataFrame(cols, index=pd.Index(inp.gemeenten, name="gm_code"))


def payment_table(prep: Prepared, new: np.ndarray) -> pd.DataFrame:
    """Payments per gemeente re-computed by :func:`optimizer.rules.bonus_malus.payments` from
    the new places per gemeente and option (:func:`solution_places`) and the existing places:
    the authoritative figures."""
    return bonus_malus.payments(places_by_category(prep, new), prep.frame["fair_share"], prep.frame["population"],
                                prep.rule)


def _solve_record(iteration: int, result: SolveResult, split_changes: int, rate: float | None) -> dict[str, Any]:
    return {"iteration": iteration, "status": result.status.value, "objective": result.objective,
            "integral_split_changes": split_changes, "neutral_rate_eur": rate,
            "compile_seconds": result.compile_seconds, "solve_seconds": result.solve_seconds}


def _rate_settled(new_rate: float, old_rate: float) -> bool:
    """The budget-neutral rate has settled: it moved by at most max(EUR 1, 0.5 %)."""
    return abs(new_rate - old_rate) <= max(1.0, 0.005 * abs(old_rate))


def _with_rate(inputs: ReceptionInputs, rate: float) -> ReceptionInputs:
    return dataclasses.replace(inputs, financing=dataclasses.replace(inputs.financing, neutral_rate=rate))


def _no_solution(prep: Prepared, result: SolveResult) -> InputError:
    hint = " (time limit: raise solver.time_limit)" if result.status == Status.NO_SOLUTION else ""
    return InputError(Violation(prep.variant.source or "variant",
                                f"the reception model has no solution: {result.status.value}{hint}; check provincial "
                                "totals, site options and per-gemeente limits"))


def solve(prep: Prepared, built: Built | None = None, options: SolverOptions | None = None) -> Solution:
    """Stage ``solve``: solve ``built`` (built from ``prep.inputs`` when not given) with the
    variant's ``[solver]`` options unless ``options`` are given; for a budget-neutral scheme
    re-build and re-solve with the settled bonus rate (module doc).

    Raises :class:`InputError` when the model is infeasible or no solution is found.
    """
    options = options or prep.variant.solver.options()
    neutral = prep.rule is not None and prep.rule.budget_neutral
    iterations = prep.variant.financing.neutral_iterations if neutral else 1
    built = built or build(prep.inputs)
    rates: list[float] = []
    solves: list[dict[str, Any]] = []
    build_seconds = built.seconds
    for it in range(iterations):
        rate = float(built.inputs.financing.neutral_rate) if neutral else None
        if neutral:
            rates.append(rate)
        result = solve_model(built.model, options)
        split_changes = integral_split(built.model, built.inputs) if result.has_solution else 0
        solves.append(_solve_record(it, result, split_changes, rate))
        if not result.has_solution or not neutral:
            break
        new_rate = bonus_malus.neutral_bonus_rate(payment_table(prep, solution_places(built.model, prep.inputs)[0]))
        if _rate_settled(new_rate, rate) or it == iterations - 1:
            break
        built = build(_with_rate(built.inputs, new_rate))
        build_seconds += built.seconds
    if not result.has_solution:
        raise _no_solution(prep, result)
    return Solution(model=built.model, result=result, neutral_rates=rates, build_seconds=build_seconds, solves=solves)


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
