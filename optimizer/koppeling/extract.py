"""Koppeling run: inputs -> model -> HiGHS -> per-household solution.

``solve_koppeling`` builds the model (``models.koppeling``), solves it (``optimizer.solve.highs``)
and disaggregates the solution into one row per household: its gemeente (or why it stays
unlinked), its dwelling class, and the raw value of every objective term. The explanation of
each proposal (alternatives, reasons) is in :mod:`optimizer.koppeling.explain`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.koppeling import (
    GEMEENTE_TERMS,
    HOUSEHOLD_TERMS,
    SHARED_CLASS,
    TERMS,
    UNPLACED_TERMS,
    KoppelingInputs,
    build_model,
)
from optimizer.koppeling.inputs import Context
from optimizer.solve.highs import SolveResult, SolverOptions, solve, solve_rens


@dataclass
class Solution:
    """A disaggregated koppeling solution."""

    households: pd.DataFrame  # per decision household: gm_index (-1 unplaced), dwelling_class, shared, raw terms
    gemeenten: pd.DataFrame  # per gemeente: persons, households, over, under, raw gemeente terms, dwellings used
    terms: dict[str, float]  # raw term totals
    weighted: dict[str, float]  # weight * raw
    objective: float  # recomputed from the tables
    result: SolveResult
    build_seconds: float
    formulation: str
    notes: list[str] = field(default_factory=list)


def solve_koppeling(ctx: Context, options: SolverOptions | None = None,
                    formulation: Literal["aggregated", "per_household"] = "aggregated",
                    strategy: Literal["mip", "rens"] = "mip") -> Solution:
    """Build, solve and disaggregate. Raises ``RuntimeError`` if HiGHS finds no solution
    (the model always has one: every household may stay unplaced).

    ``strategy="rens"`` first solves the LP relaxation and a RENS sub-MIP on the assignment
    variables (see :func:`optimizer.solve.highs.solve_rens`); ``"mip"`` hands the model to HiGHS.
    """
    inp = ctx.inputs
    t0 = time.perf_counter()
    model = build_model(inp, formulation)
    build_seconds = time.perf_counter() - t0
    set_all_unplaced(model, inp)  # a feasible start: a time limit always leaves a solution
    if strategy == "rens":
        restrict = [model.assign_count] if formulation == "aggregated" else [model.assign_pair]
        result = solve_rens(model, options, restrict=restrict, warm_start=True)
    else:
        result = solve(model, options, warm_start=True)
    if not result.has_solution:
        raise RuntimeError(f"HiGHS returned no solution (status {result.solver_status}); "
                           "try a longer --time-limit")
    if formulation == "aggregated":
        gm_of = _disaggregate_aggregated(model, ctx)
    else:
        gm_of = _read_per_household(model, ctx)
    sol = _solution_tables(model, ctx, gm_of, result, build_seconds, formulation)
    # Every term is >= 0, so 0 is a valid bound; and the proposal's own objective (recomputed
    # from the tables, with minimal deviations) is never worse than the solver's value.
    if result.bound is not None and result.bound < 0:
        result.bound = 0.0
    if result.objective is not None and sol.objective < result.objective:
        result.objective = sol.objective
    if result.bound is not None and result.objective is not None:
        result.gap = max(0.0, result.objective - result.bound) / max(abs(result.objective), 1e-9)
        if result.objective - result.bound < 1e-9:
            result.gap = 0.0
    return sol


def set_all_unplaced(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    """Set the model to its trivial feasible solution: nobody linked, every target unmet."""
    for v in m.component_data_objects(pyo.Var, active=True):
        v.set_value(0, skip_validation=True)
    for h in m.Hh:
        m.assign_unplaced[h].set_value(1.0)
    for g in m.G:
        m.quota_under[g].set_value(float(inp.target[g]))
    m.minimax_deviation.set_value(float((inp.target / inp.scale).max()) if inp.n_gemeenten else 0.0)


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
    members = inp.zone_members()
    for (z, s), hh in sorted(zone_queue.items()):
        hh = sorted(hh)
        k = 0
        for g in members[z]:
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
        for k in range(1, 6):
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


def _solution_tables(m: pyo.ConcreteModel, ctx: Context, gm_of: np.ndarray, result: SolveResult,
                     build_seconds: float, formulation: str) -> Solution:
    inp = ctx.inputs
    hh = ctx.households
    n = len(hh)
    w = inp.weights
    size_t = ctx.hh_size_type
    persons = inp.size_persons[size_t] if n else np.zeros(0, dtype=int)
    need = inp.size_class[size_t] if n else np.zeros(0, dtype=int)

    # household own terms at their gemeente, read from the allowed-cost table of their unit
    raw = {t: np.zeros(n) for t in HOUSEHOLD_TERMS + UNPLACED_TERMS}
    cost_cache: dict[int, dict[int, dict[str, float]]] = {}
    for h in range(n):
        g = gm_of[h]
        if g < 0:
            for t in UNPLACED_TERMS:
                raw[t][h] = inp.hh_terms[t][h]
            continue
        u = int(inp.hh_unit[h])
        if u not in cost_cache:
            cost_cache[u] = inp.household_gemeente_costs(u)
        terms = cost_cache[u][int(g)]
        for t in HOUSEHOLD_TERMS:
            raw[t][h] = terms[t]

    dclass, shared = dwellings_from_model(m, inp, gm_of, need, hh.index)
    size_fit = np.where((gm_of >= 0) & ~shared, dclass - need, 0).astype(float)
    sharing = np.where(shared, 0.5, 0.0)

    households = pd.DataFrame({
        "household_id": hh.index,
        "gm_index": gm_of,
        "persons": persons,
        "needed_class": need,
        "dwelling_class": np.where(gm_of >= 0, dclass, 0),
        "shared": shared,
        "size_fit": size_fit,
        "sharing": sharing,
        **raw,
    })

    # gemeente table
    G = inp.n_gemeenten
    linked = gm_of >= 0
    p_g = np.bincount(gm_of[linked], weights=persons[linked], minlength=G)
    h_g = np.bincount(gm_of[linked], minlength=G)
    over = np.maximum(p_g - inp.target, 0.0)
    under = np.maximum(inp.target - p_g, 0.0)
    rel = (over + under) / inp.scale
    gem = pd.DataFrame({
        "gm_index": np.arange(G),
        "persons": p_g.astype(int),
        "households": h_g.astype(int),
        "target": inp.target,
        "over": over,
        "under": under,
        "relative_deviation": rel,
        "quota": rel,
        "pressure": inp.pressure * over / inp.scale,
        "size_fit": np.bincount(gm_of[linked], weights=size_fit[linked], minlength=G),
        "sharing": np.bincount(gm_of[linked], weights=sharing[linked], minlength=G),
    })
    for d in range(1, 6):
        used = linked & (dclass == d)
        # a shared dwelling is one dwelling for two households
        cnt = np.bincount(gm_of[used], weights=np.where(shared[used], 0.5, 1.0), minlength=G)
        gem[f"used_c{d}"] = cnt.round().astype(int)
        gem[f"offered_c{d}"] = inp.dwellings[:, d - 1]
    terms = {t: float(households[t].sum()) for t in HOUSEHOLD_TERMS + UNPLACED_TERMS}
    for t in GEMEENTE_TERMS:
        terms[t] = float(gem[t].sum())
    terms["minimax"] = float(rel.max()) if w.get("minimax", 0) > 0 and G else 0.0
    weighted = {t: w.get(t, 0.0) * terms[t] for t in TERMS}
    objective = float(sum(weighted.values()))
    return Solution(households=households, gemeenten=gem, terms=terms, weighted=weighted, objective=objective,
                    result=result, build_seconds=build_seconds, formulation=formulation, notes=list(ctx.notes))
