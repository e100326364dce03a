"""Koppeling extraction: a solved model -> one decision per household -> the solution's tables.

The model's counts are disaggregated into a gemeente per household (or unplaced) and a
dwelling per linked household (:func:`assignment_from_model`); every term of that assignment
is evaluated by the one objective evaluator (:mod:`optimizer.koppeling.objective`) and laid
out per household and per gemeente (:func:`solution_from_model`). Building and solving the
model are stages of their own (:mod:`optimizer.koppeling.run`); the explanation of each
proposal (alternatives, reasons) is in :mod:`optimizer.koppeling.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.koppeling import SHARED_CLASS, KoppelingInputs
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.objective import CLASSES, PER_HOUSEHOLD, Assignment, Evaluation, evaluate
from optimizer.solve.highs import SolveResult


@dataclass
class Solution:
    """A disaggregated koppeling solution, its evaluation and the solve that produced it."""

    evaluation: Evaluation  # every term of the assignment (optimizer.koppeling.objective)
    households: pd.DataFrame  # per decision household: gm_index (-1 unplaced), dwelling_class, shared, raw terms
    gemeenten: pd.DataFrame  # per gemeente: persons, households, over, under, raw gemeente terms, dwellings used
    result: SolveResult | None  # the solver's numbers, as HiGHS gave them
    model: pyo.ConcreteModel  # the solved model (its term expressions hold the solver's values)
    formulation: str
    build_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    comparison: dict = field(default_factory=dict)  # against the previous proposal, locks' cost (koppeling.changes)

    @property
    def terms(self) -> dict[str, float]:
        """Raw term totals."""
        return self.evaluation.terms

    @property
    def weighted(self) -> dict[str, float]:
        """Weight * raw term total."""
        return self.evaluation.weighted

    @property
    def objective(self) -> float:
        """The objective recomputed from the tables (minimal over- and under-shoot)."""
        return self.evaluation.objective


def solution_from_model(ctx: Context, model: pyo.ConcreteModel, formulation: str, result: SolveResult | None,
                        build_seconds: float = 0.0) -> Solution:
    """Disaggregate the solved ``model`` and evaluate every term of the result."""
    ev = evaluate(ctx.inputs, assignment_from_model(model, ctx, formulation))
    return Solution(evaluation=ev, households=households_frame(ctx, ev), gemeenten=gemeenten_frame(ctx.inputs, ev),
                    result=result, model=model, formulation=formulation, build_seconds=build_seconds,
                    notes=list(ctx.notes))


def assignment_from_model(m: pyo.ConcreteModel, ctx: Context, formulation: str) -> Assignment:
    """Gemeente, dwelling class and sharing per decision household, from the model's values."""
    gm_of = _disaggregate_aggregated(m, ctx) if formulation == "aggregated" else _read_per_household(m, ctx)
    need = ctx.inputs.size_class[ctx.hh_size_type] if len(gm_of) else np.zeros(0, dtype=int)
    dclass, shared = dwellings_from_model(m, ctx.inputs, gm_of, need, ctx.households.index)
    return Assignment(gemeente=gm_of, dwelling_class=np.where(gm_of >= 0, dclass, 0), shared=shared)


def _value(v) -> float:
    x = pyo.value(v, exception=False)
    return 0.0 if x is None else float(x)


def _priority(ctx: Context, members: list[int]) -> list[int]:
    """Households of a unit in the order they are linked: highest unplaced cost first
    (longest waiting), then household_id."""
    cost = ctx.inputs.unplaced_cost
    ids = ctx.households.index
    return sorted(members, key=lambda h: (-cost[h], ids[h]))


def _disaggregate_aggregated(m: pyo.ConcreteModel, ctx: Context) -> np.ndarray:
    """Turn unit counts and zone flows into one gemeente per household (-1 = unplaced).

    Within a unit, the households with the highest unplaced cost are linked first. Households
    reaching a zone are spread over its gemeenten by the flows ``zone_flow[s, g]`` (gemeenten in
    code order, households in unit order): any such spread has the same objective value.
    """
    inp = ctx.inputs
    n = len(inp.hh_unit)
    gm_of = np.full(n, -1, dtype=int)
    opts = inp.unit_options()
    zone_queue: dict[tuple[int, int], list[int]] = {}
    for u, members in enumerate(ctx.unit_households):
        order = _priority(ctx, members)
        k = 0
        for o in opts.get(u, []):
            cnt = int(round(_value(m.assign_count[int(o)])))
            chosen = order[k:k + cnt]
            k += cnt
            if inp.opt_is_zone[o]:
                zone_queue.setdefault((int(inp.opt_target[o]), int(inp.unit_size[u])), []).extend(chosen)
            else:
                gm_of[chosen] = int(inp.opt_target[o])
        if k > len(order):
            raise AssertionError(f"unit {u}: solution links {k} of {len(order)} households")
    for (z, s), hh in sorted(zone_queue.items()):
        hh = sorted(hh)
        k = 0
        for g in inp.zone_gemeenten(z, s):
            cnt = int(round(_value(m.zone_flow[s, int(g)])))
            gm_of[hh[k:k + cnt]] = int(g)
            k += cnt
        if k != len(hh):
            raise AssertionError(f"zone {z} size {s}: flows place {k} of {len(hh)} households")
    return gm_of


def _read_per_household(m: pyo.ConcreteModel, ctx: Context) -> np.ndarray:
    gm_of = np.full(len(ctx.inputs.hh_unit), -1, dtype=int)
    for (h, g) in m.P:
        if _value(m.assign_pair[h, g]) > 0.5:
            gm_of[h] = g
    return gm_of


def dwellings_from_model(m: pyo.ConcreteModel, inp: KoppelingInputs, gm_of: np.ndarray, need: np.ndarray,
                         hh_ids: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Dwelling class and shared flag per linked household, from the model's dwelling use.

    ``dwelling_use[g, k, d]`` households needing class k get a class-d dwelling and
    ``dwelling_shared[g]`` pairs of singles share a class-2 dwelling; within a gemeente,
    households of the same need class are interchangeable, so they are served in household_id
    order.
    """
    n = len(gm_of)
    dclass = np.zeros(n, dtype=int)
    shared = np.zeros(n, dtype=bool)
    for g in np.unique(gm_of[gm_of >= 0]):
        g = int(g)
        for k in CLASSES:
            hh = sorted(np.flatnonzero((gm_of == g) & (need == k)), key=lambda h: hh_ids[h])
            if not hh:
                continue
            slots: list[tuple[int, bool]] = []
            if k == 1 and g in m.VG:
                pairs = int(round(_value(m.dwelling_shared[g])))
                slots += [(SHARED_CLASS, True)] * (2 * pairs)
            for d in range(k, 6):
                if (g, k, d) in m.W:
                    slots += [(d, False)] * int(round(_value(m.dwelling_use[g, k, d])))
            if len(slots) != len(hh):
                raise AssertionError(f"gemeente {inp.gemeenten[g]} class {k}: {len(hh)} households, "
                                     f"{len(slots)} dwellings in the solution")
            for h, (d, sh) in zip(hh, slots):
                dclass[h] = d
                shared[h] = sh
    return dclass, shared


def households_frame(ctx: Context, ev: Evaluation) -> pd.DataFrame:
    """One row per decision household: its decision and every raw household term."""
    a = ev.assignment
    return pd.DataFrame({
        "household_id": ctx.households.index,
        "gm_index": a.gemeente,
        "persons": ev.persons,
        "needed_class": ev.need,
        "dwelling_class": a.dwelling_class,
        "shared": a.shared,
        **{t: ev.household[t] for t in PER_HOUSEHOLD},
    })


def gemeenten_frame(inp: KoppelingInputs, ev: Evaluation) -> pd.DataFrame:
    """One row per gemeente: persons and households linked, deviation, raw gemeente terms and
    dwellings used and offered per class."""
    gem = pd.DataFrame({
        "gm_index": np.arange(inp.n_gemeenten),
        "persons": ev.gemeente_persons.astype(int),
        "households": ev.gemeente_households.astype(int),
        "target": inp.target,
        "over": ev.over,
        "under": ev.under,
        "relative_deviation": ev.relative_deviation,
        **ev.gemeente,
    })
    for d in CLASSES:
        gem[f"used_c{d}"] = ev.dwellings_used[:, d - 1]
        gem[f"offered_c{d}"] = inp.dwellings[:, d - 1]
    return gem
