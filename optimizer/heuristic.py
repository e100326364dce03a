"""A fast constructive solution for the koppeling model, handed to HiGHS as a warm start.

At national scale the LP relaxation of the aggregated model is tight (within ~0.05%), but
HiGHS may spend a minute in cut rounds and sub-MIPs before it finds its first incumbent
(measured, see docs/performance.md). A good feasible solution from the start lets it stop as
soon as the proven gap is within tolerance. The heuristic never decides the answer: HiGHS
still optimises, and the reported gap is HiGHS's proven gap.

Greedy marginal-cost insertion: households are taken largest first (they are hardest to fit),
then by their cost of staying unplaced (longest waiting first). Each goes to the allowed
gemeente where the objective grows least: its own terms (labour, continuity, ties, change)
plus the change in quota and pressure terms plus the cheapest free dwelling (or sharing a
class-2 dwelling with a single already placed alone in one). A household whose cheapest
placement costs more than leaving it unplaced stays unplaced. A nareiziger and its referent
in the same batch are placed together.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from models.koppeling import HOUSEHOLD_TERMS, SHARED_CLASS, KoppelingInputs


def unit_cost_matrix(inp: KoppelingInputs) -> tuple[np.ndarray, np.ndarray]:
    """Weighted own cost per unit and gemeente (inf = not allowed) and the option achieving it."""
    U, G = len(inp.unit_count), inp.n_gemeenten
    w = inp.weights
    own = np.zeros(len(inp.opt_unit))
    for t in HOUSEHOLD_TERMS:
        own += w.get(t, 0.0) * inp.opt_terms[t]
    cost = np.full((U, G), np.inf)
    best = np.full((U, G), -1, dtype=int)
    members = inp.zone_members()
    # zone options first, then gemeente options (a gemeente option wins ties: it is exact)
    order = np.lexsort((np.arange(len(own)), ~inp.opt_is_zone))
    for o in order:
        u = inp.opt_unit[o]
        gs = members[int(inp.opt_target[o])] if inp.opt_is_zone[o] else np.array([inp.opt_target[o]])
        better = own[o] <= cost[u, gs]
        cost[u, gs[better]] = own[o]
        best[u, gs[better]] = o
    return cost, best


def greedy(inp: KoppelingInputs, hh_priority: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Greedy assignment: (gemeente per household or -1, option used, dwelling class, shared)."""
    w = inp.weights
    wq, wp, ws, wsh = (w.get(k, 0.0) for k in ("quota", "pressure", "size_fit", "sharing"))
    n, G = len(inp.hh_unit), inp.n_gemeenten
    cost, best_opt = unit_cost_matrix(inp)
    P = np.zeros(G)
    Hn = np.zeros(G)
    free = inp.dwellings.astype(int).copy()
    lone_single_c2: list[list[int]] = [[] for _ in range(G)]  # singles alone in a class-2 dwelling
    cap_p = np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf)
    cap_h = np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf)
    gm_of = np.full(n, -1, dtype=int)
    opt_of = np.full(n, -1, dtype=int)
    dclass = np.zeros(n, dtype=int)
    shared = np.zeros(n, dtype=bool)
    persons = inp.size_persons[inp.unit_size[inp.hh_unit]]
    need = inp.size_class[inp.unit_size[inp.hh_unit]]
    unplaced_cost = w.get("unplaced", 0.0) * inp.hh_terms["unplaced"] + w.get("waiting", 0.0) * inp.hh_terms["waiting"]
    T, S, pi = inp.target, inp.scale, inp.pressure

    def quota_delta(extra: float) -> np.ndarray:
        dev0 = np.abs(P - T)
        dev1 = np.abs(P + extra - T)
        over0 = np.maximum(P - T, 0)
        over1 = np.maximum(P + extra - T, 0)
        return (wq * (dev1 - dev0) + wp * pi * (over1 - over0)) / S

    def dwelling_cost(k: int) -> tuple[np.ndarray, np.ndarray]:
        """Cheapest way to house a class-k household in each gemeente: (cost, class; 0 = share)."""
        avail = free[:, k - 1:] > 0
        has = avail.any(axis=1)
        idx = np.argmax(avail, axis=1)
        c = np.where(has, ws * idx, np.inf)
        d = np.where(has, idx + k, -1)
        if k == 1 and inp.sharing:
            lone = np.array([len(x) > 0 for x in lone_single_c2])
            c_share = np.where(lone, wsh - ws, np.inf)  # the lone single's size_fit 1 becomes one shared dwelling
            use = c_share < c
            c = np.where(use, c_share, c)
            d = np.where(use, 0, d)
        return c, d

    def place(h: int, g: int, d: int) -> None:
        gm_of[h] = g
        opt_of[h] = best_opt[inp.hh_unit[h], g]
        P[g] += persons[h]
        Hn[g] += 1
        if d == 0:  # share with a lone single in a class-2 dwelling
            mate = lone_single_c2[g].pop()
            shared[h] = shared[mate] = True
            dclass[h] = SHARED_CLASS
        else:
            free[g, d - 1] -= 1
            dclass[h] = d
            if need[h] == 1 and d == SHARED_CLASS:
                lone_single_c2[g].append(h)

    partner: dict[int, int] = {}
    unit_hh: dict[int, list[int]] = {}
    for h, u in enumerate(inp.hh_unit):
        unit_hh.setdefault(int(u), []).append(h)
    for u1, u2 in inp.links:
        for h1, h2 in zip(unit_hh.get(u1, []), unit_hh.get(u2, [])):
            partner[h1], partner[h2] = h2, h1

    order = sorted(range(n), key=lambda h: (-persons[h], int(hh_priority[h])))
    done = np.zeros(n, dtype=bool)
    for h in order:
        if done[h]:
            continue
        group = [h] + ([partner[h]] if h in partner and not done[partner[h]] else [])
        for x in group:
            done[x] = True
        extra = float(sum(persons[x] for x in group))
        total = quota_delta(extra) + sum(cost[inp.hh_unit[x]] for x in group)
        dwell = []
        for x in group:
            c, d = dwelling_cost(int(need[x]))
            total = total + c
            dwell.append(d)
        total = np.where((P + extra <= cap_p) & (Hn + len(group) <= cap_h), total, np.inf)
        for g in np.argsort(total, kind="stable"):
            if not np.isfinite(total[g]) or total[g] >= sum(unplaced_cost[x] for x in group):
                break
            # for a pair, re-check the second dwelling after the first is taken
            ok = True
            for i, x in enumerate(group):
                c, d = dwelling_cost(int(need[x]))
                if not np.isfinite(c[g]):
                    ok = False
                    break
                place(x, int(g), int(d[g]))
            if ok:
                break
            for x in group:  # undo a partial pair placement
                if gm_of[x] >= 0:
                    _undo(x, gm_of, opt_of, dclass, shared, P, Hn, free, persons, lone_single_c2, need)
    return gm_of, opt_of, dclass, shared


def _undo(h, gm_of, opt_of, dclass, shared, P, Hn, free, persons, lone, need) -> None:
    g = gm_of[h]
    P[g] -= persons[h]
    Hn[g] -= 1
    if not shared[h]:
        free[g, dclass[h] - 1] += 1
        if h in lone[g]:
            lone[g].remove(h)
    gm_of[h] = -1
    opt_of[h] = -1
    dclass[h] = 0


def warm_start(m: pyo.ConcreteModel, inp: KoppelingInputs, hh_priority: np.ndarray) -> float:
    """Set every model variable to the greedy solution; return its objective value.

    Works for both formulations. Variables not touched are set to 0.
    """
    gm_of, opt_of, dclass, shared = greedy(inp, hh_priority)
    for v in m.component_data_objects(pyo.Var, active=True):
        v.set_value(0, skip_validation=True)
    size_of = inp.unit_size[inp.hh_unit]
    need = inp.size_class[size_of]
    persons = inp.size_persons[size_of]
    placed = gm_of >= 0
    if m._formulation == "aggregated":
        counts: dict[int, int] = {}
        flows: dict[tuple[int, int], int] = {}
        for h in np.flatnonzero(placed):
            o = int(opt_of[h])
            counts[o] = counts.get(o, 0) + 1
            if inp.opt_is_zone[o]:
                key = (int(size_of[h]), int(gm_of[h]))
                flows[key] = flows.get(key, 0) + 1
        for o, c in counts.items():
            m.a[o].set_value(c)
        for key, c in flows.items():
            m.f[key].set_value(c)
    else:
        for h in np.flatnonzero(placed):
            m.x[h, int(gm_of[h])].set_value(1)
    for h in range(len(gm_of)):
        m.q[h].set_value(0.0 if placed[h] else 1.0)
    use: dict[tuple[int, int, int], int] = {}
    pairs: dict[int, int] = {}
    for h in np.flatnonzero(placed):
        g = int(gm_of[h])
        if shared[h]:
            pairs[g] = pairs.get(g, 0) + 1
        else:
            key = (g, int(need[h]), int(dclass[h]))
            use[key] = use.get(key, 0) + 1
    for key, c in use.items():
        m.w[key].set_value(c)
    for g, c in pairs.items():
        m.v[g].set_value(c // 2)
    P = np.bincount(gm_of[placed], weights=persons[placed], minlength=inp.n_gemeenten)
    rel = np.abs(P - inp.target) / inp.scale
    for g in range(inp.n_gemeenten):
        m.over[g].set_value(max(P[g] - inp.target[g], 0.0))
        m.under[g].set_value(max(inp.target[g] - P[g], 0.0))
    m.mu.set_value(float(rel.max()) if len(rel) else 0.0)
    return float(pyo.value(m.objective))
