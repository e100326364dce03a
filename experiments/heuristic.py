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

On top of that (``warm_start(method=...)``): :class:`LocalSearch` (best improving
one-household moves and two-household swaps with exact objective deltas, the cheapest
dwelling allocation per gemeente recomputed exactly), an LP-guided start (:func:`round_lp`:
the LP relaxation's zone choices rounded per unit) and one small exact MIP per zone
(:func:`zone_mips`) that re-spreads a zone's households over its gemeenten. Measured (2-core
machine): month batch 6,838 in ~12 s (bound 6,682: 2.3%; HiGHS alone reaches 6,752 in
120 s and the warm start does not improve that); weekly 6,328 in ~5 s (optimum 6,307, which
HiGHS proves in 2.6 s). So it is not wired in; see experiments/exp_primal.py.

Every objective term and delta comes from the engine's one objective evaluator
(:mod:`optimizer.koppeling.objective`: own costs, quota and pressure of a gemeente at P persons,
the cheapest dwelling, dwelling fit and sharing), so the heuristic scores solutions exactly as
extraction and explanations do.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo

from models.koppeling import SHARED_CLASS, KoppelingInputs
from optimizer.koppeling.objective import cheapest_dwelling, dwelling_cost, gemeente_cost, household_sizes
from optimizer.solve.strategies import relaxed


def unit_cost_matrix(inp: KoppelingInputs) -> tuple[np.ndarray, np.ndarray]:
    """Weighted own cost per unit and gemeente and the option giving it (``inp.own_cost``)."""
    return inp.own_cost


def greedy(inp: KoppelingInputs, hh_priority: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Greedy assignment: (gemeente per household or -1, option used, dwelling class, shared)."""
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
    persons, need = household_sizes(inp)
    unplaced_cost = inp.unplaced_cost

    def quota_delta(extra: float) -> np.ndarray:
        return gemeente_cost(inp, P + extra) - gemeente_cost(inp, P)

    def dwelling(k: int) -> tuple[np.ndarray, np.ndarray]:
        """Cheapest way to house a class-k household in each gemeente: (cost, class; 0 = share)."""
        return cheapest_dwelling(inp, k, free, np.array([len(x) for x in lone_single_c2]))

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

    families = inp.link_groups()

    order = sorted(range(n), key=lambda h: (-persons[h], int(hh_priority[h])))
    done = np.zeros(n, dtype=bool)
    for h in order:
        if done[h]:
            continue
        group = [h] + [x for x in families.get(h, []) if x != h and not done[x]]
        for x in group:
            done[x] = True
        extra = float(sum(persons[x] for x in group))
        total = quota_delta(extra) + sum(cost[inp.hh_unit[x]] for x in group)
        dwell = []
        for x in group:
            c, d = dwelling(int(need[x]))
            total = total + c
            dwell.append(d)
        total = np.where((P + extra <= cap_p) & (Hn + len(group) <= cap_h), total, np.inf)
        for g in np.argsort(total, kind="stable"):
            if not np.isfinite(total[g]) or total[g] >= sum(unplaced_cost[x] for x in group):
                break
            # for a pair, re-check the second dwelling after the first is taken
            ok = True
            for x in group:
                c, d = dwelling(int(need[x]))
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


def warm_start(m: pyo.ConcreteModel, inp: KoppelingInputs, hh_priority: np.ndarray, method: str = "lp",
               time_limit: float = 10.0, info: dict | None = None) -> float:
    """Set every model variable to a heuristic solution; return its objective value.

    ``method="greedy"``: the greedy insertion below, then :class:`LocalSearch`.
    ``method="lp"`` (aggregated formulation only; else greedy): solve the LP relaxation of
    ``m`` with HiGHS, round its zone choices per unit (:func:`round_lp`), spread the
    households over each zone's gemeenten (insertion, then one exact small MIP per zone,
    :func:`zone_mips`), then :class:`LocalSearch` and a second round of zone MIPs.
    ``method="greedy-only"``: the plain greedy (no local search).
    ``time_limit`` bounds the local search (the LP and zone MIPs come on top: ~1-6 s on a
    2,000-household batch). Works for both formulations; variables not touched are set to 0.
    ``info`` (a dict), if given, receives timings and the objective after each stage.
    """
    info = {} if info is None else info
    t0 = time.perf_counter()
    if method == "greedy-only":
        gm_of, opt_of, dclass, shared = greedy(inp, hh_priority)
        return set_solution(m, inp, gm_of, opt_of, dclass, shared)
    if method == "lp" and m.component("assign_count") is not None and len(inp.opt_unit):
        a = _lp_assignment(m)
        info["lp_seconds"] = time.perf_counter() - t0
        if a is None:
            method = "greedy"
    else:
        method = "greedy"
    if method == "greedy":
        ls = LocalSearch(inp, greedy(inp, hh_priority)[0])
        info["start"] = ls.objective()
        ls.run(time_limit)
    else:
        gm, zone = round_lp(inp, a, hh_priority)
        ls = LocalSearch(inp, gm)
        ls.insert(zone)
        info["start"] = ls.objective()
        zone_mips(ls)
        info["zone_mips"] = ls.objective()
        t_ls = time.perf_counter()
        ls.run(time_limit)
        info["local_search"] = ls.objective()
        zone_mips(ls)
        ls.run(max(0.0, time_limit - (time.perf_counter() - t_ls)))
    info["heuristic"] = ls.objective()
    info["seconds"] = time.perf_counter() - t0
    return set_solution(m, inp, *ls.assignment())


def _lp_assignment(m: pyo.ConcreteModel) -> np.ndarray | None:
    """The LP relaxation's values of ``a`` (integer domains restored afterwards)."""
    from optimizer.solve.highs import SolverOptions, solve

    with relaxed(m):
        lp = solve(m, SolverOptions())
    if not lp.has_solution:
        return None
    return np.array([0.0 if m.assign_count[o].value is None else float(m.assign_count[o].value) for o in m.O])


def set_solution(m: pyo.ConcreteModel, inp: KoppelingInputs, gm_of: np.ndarray, opt_of: np.ndarray,
                 dclass: np.ndarray, shared: np.ndarray) -> float:
    """Set every model variable to a per-household solution; return the model's objective."""
    for v in m.component_data_objects(pyo.Var, active=True):
        v.set_value(0, skip_validation=True)
    size_of = inp.unit_size[inp.hh_unit]
    persons, need = household_sizes(inp)
    placed = gm_of >= 0
    if m.component("assign_count") is not None:  # the aggregated formulation
        counts: dict[int, int] = {}
        flows: dict[tuple[int, int], int] = {}
        for h in np.flatnonzero(placed):
            o = int(opt_of[h])
            counts[o] = counts.get(o, 0) + 1
            if inp.opt_is_zone[o]:
                key = (int(size_of[h]), int(gm_of[h]))
                flows[key] = flows.get(key, 0) + 1
        for o, c in counts.items():
            m.assign_count[o].set_value(c)
        for key, c in flows.items():
            m.zone_flow[key].set_value(c)
    else:
        for h in np.flatnonzero(placed):
            m.assign_pair[h, int(gm_of[h])].set_value(1)
    for h in range(len(gm_of)):
        m.assign_unplaced[h].set_value(0.0 if placed[h] else 1.0)
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
        m.dwelling_use[key].set_value(c)
    for g, c in pairs.items():
        m.dwelling_shared[g].set_value(c // 2)
    P = np.bincount(gm_of[placed], weights=persons[placed], minlength=inp.n_gemeenten)
    rel = np.abs(P - inp.target) / inp.scale
    for g in range(inp.n_gemeenten):
        m.quota_over[g].set_value(max(P[g] - inp.target[g], 0.0))
        m.quota_under[g].set_value(max(inp.target[g] - P[g], 0.0))
    m.minimax_deviation.set_value(float(rel.max()) if len(rel) else 0.0)
    return float(pyo.value(m.objective))


# ------------------------------------------------------------------------------------------
# Local search on a per-household assignment (exact objective deltas)
# ------------------------------------------------------------------------------------------

class _Dwellings:
    """Exact cheapest dwelling allocation of one gemeente for given need-class counts.

    Classes are nested (a class-k household fits every class d >= k at cost ``ws * (d - k)``)
    and v pairs of singles may share a class-2 dwelling at ``wsh`` per pair. For a fixed v the
    greedy (largest need first, smallest free class that fits) is optimal; the minimum is
    taken over every v. Results are cached per (gemeente, counts).
    """

    def __init__(self, inp: KoppelingInputs):
        self.inp = inp
        self.D = [tuple(int(x) for x in row) for row in inp.dwellings]
        self.sharing = bool(inp.sharing)
        self.cache: dict[tuple, tuple] = {}

    @staticmethod
    def _greedy(avail: list[int], n: tuple[int, ...]) -> tuple[int, list[tuple[int, int, int]]] | None:
        steps = 0
        use = []
        for k in range(5, 0, -1):
            need = n[k - 1]
            d = k
            while need > 0:
                if d > 5:
                    return None
                take = min(need, avail[d - 1])
                if take:
                    avail[d - 1] -= take
                    need -= take
                    steps += take * (d - k)
                    use.append((k, d, take))
                d += 1
        return steps, use

    def solve(self, g: int, n: tuple[int, ...]) -> tuple[float, int, list[tuple[int, int, int]]]:
        """(cost, shared pairs v, [(k, d, count)]); cost inf when the households do not fit."""
        key = (g, n)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        D = self.D[g]
        best = (np.inf, 0, [])
        vmax = min(n[0] // 2, D[SHARED_CLASS - 1]) if self.sharing else 0
        for v in range(vmax + 1):
            avail = list(D)
            avail[SHARED_CLASS - 1] -= v
            r = self._greedy(avail, (n[0] - 2 * v,) + n[1:])
            if r is None:
                continue
            c = dwelling_cost(self.inp, r[0], v)
            if c < best[0] - 1e-12:
                best = (c, v, r[1])
        self.cache[key] = best
        return best

    def cost(self, g: int, n: tuple[int, ...]) -> float:
        return self.solve(g, n)[0]


class LocalSearch:
    """Per-household assignment with exact objective deltas for moves and swaps.

    ``gm[h]`` is the gemeente of household h, or ``G`` (a pseudo gemeente without target or
    dwelling limits whose own cost is the cost of staying unplaced). The objective is the
    model's objective with the cheapest dwelling allocation per gemeente, except the minimax
    term (not modelled here; its value is added by :func:`evaluate`). Nareizigers linked to a
    referent in the same batch are kept where the starting solution put them.
    """

    def __init__(self, inp: KoppelingInputs, gm_of: np.ndarray):
        self.inp = inp
        G = inp.n_gemeenten
        self.G = G
        n = len(inp.hh_unit)
        cost, _ = unit_cost_matrix(inp)
        unplaced = inp.unplaced_cost
        self.own = np.concatenate([cost[inp.hh_unit], unplaced[:, None]], axis=1)  # (n, G + 1)
        persons, need = household_sizes(inp)
        self.p = persons.astype(float)
        self.k = need.astype(int) - 1  # need class index 0..4
        self.cap_p = np.append(np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf), np.inf)
        self.cap_h = np.append(np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf), np.inf)
        self.dw = _Dwellings(inp)
        self.gm = np.where(gm_of >= 0, gm_of, G).astype(int)
        self.movable = np.ones(n, dtype=bool)
        for u1, u2 in inp.links:
            self.movable[np.isin(inp.hh_unit, [u1, u2])] = False
        self.partner = np.full(n, -1, dtype=int)
        unit_hh: dict[int, list[int]] = {}
        for h, u in enumerate(inp.hh_unit):
            unit_hh.setdefault(int(u), []).append(h)
        for u1, u2 in inp.links:
            for h1, h2 in zip(unit_hh.get(u1, []), unit_hh.get(u2, [])):
                self.partner[h1], self.partner[h2] = h2, h1
        self.P = np.bincount(self.gm, weights=self.p, minlength=G + 1)
        self.Hn = np.bincount(self.gm, minlength=G + 1).astype(float)
        self.N = np.zeros((G + 1, 5), dtype=int)
        np.add.at(self.N, (self.gm, self.k), 1)
        self._repair()
        # per gemeente: dwelling cost now, of adding / removing one household of class k, of
        # swapping one of class kout for one of class kin
        self.dcur = np.zeros(G + 1)
        self.dadd = np.zeros((G + 1, 5))
        self.drem = np.zeros((G + 1, 5))
        self.dswap = np.zeros((G + 1, 5, 5))
        for g in range(G):
            self._refresh(g)

    def _unplace(self, h: int) -> None:
        g0, k = self.gm[h], self.k[h]
        self.gm[h] = self.G
        self.P[g0] -= self.p[h]
        self.P[self.G] += self.p[h]
        self.Hn[g0] -= 1
        self.Hn[self.G] += 1
        self.N[g0, k] -= 1
        self.N[self.G, k] += 1

    def _repair(self) -> None:
        """Make a start feasible: unplace households where dwellings or caps are exceeded, and
        both partners of a link that is broken (they are then inserted again by the moves)."""
        for h in np.flatnonzero(self.partner >= 0):
            x = self.partner[h]
            if self.gm[h] != self.gm[x] or not np.isfinite(self.own[h, self.gm[h]]) \
                    or not np.isfinite(self.own[x, self.gm[x]]):
                for y in (h, x):
                    if self.gm[y] != self.G:
                        self._unplace(y)
        for h in np.flatnonzero(self.gm < self.G):
            if not np.isfinite(self.own[h, self.gm[h]]):
                self._unplace(h)
        for g in range(self.G):
            while True:
                n = tuple(int(x) for x in self.N[g])
                over_cap = self.P[g] > self.cap_p[g] + 1e-9 or self.Hn[g] > self.cap_h[g] + 1e-9
                if not over_cap and np.isfinite(self.dw.cost(g, n)):
                    break
                members = np.flatnonzero(self.gm == g)
                if over_cap:
                    h = int(members[np.argmax(self.p[members])])
                else:
                    # remove a household of the need class whose removal helps most
                    best_k, best_c = None, np.inf
                    for k in sorted({int(self.k[x]) for x in members}, reverse=True):
                        c = self.dw.cost(g, n[:k] + (n[k] - 1,) + n[k + 1:])
                        if best_k is None or c < best_c:
                            best_k, best_c = k, c
                    cands = members[self.k[members] == best_k]
                    h = int(cands[np.argmin(self.own[cands, self.G])])
                for y in (h, self.partner[h]) if self.partner[h] >= 0 else (h,):
                    self._unplace(int(y))

    # --- gemeente cost tables ---------------------------------------------------------------
    def _refresh(self, g: int) -> None:
        if g == self.G:
            return
        n = tuple(int(x) for x in self.N[g])
        cur = self.dw.cost(g, n)
        self.dcur[g] = cur
        for k in range(5):
            up = n[:k] + (n[k] + 1,) + n[k + 1:]
            self.dadd[g, k] = self.dw.cost(g, up) - cur
            if n[k] > 0:
                down = n[:k] + (n[k] - 1,) + n[k + 1:]
                self.drem[g, k] = self.dw.cost(g, down) - cur
                for kin in range(5):
                    if kin != k:
                        sw = list(down)
                        sw[kin] += 1
                        self.dswap[g, k, kin] = self.dw.cost(g, tuple(sw)) - cur
            else:
                self.drem[g, k] = np.inf
                self.dswap[g, k, :] = np.inf
                self.dswap[g, k, k] = 0.0
        # numerical noise from inf - inf
        self.dadd[g] = np.nan_to_num(self.dadd[g], nan=np.inf)

    def _q(self, idx, persons) -> np.ndarray:
        """Weighted quota + pressure cost of gemeenten ``idx`` with ``persons`` linked (the
        pseudo gemeente ``G`` of the unplaced has none)."""
        idx = np.asarray(idx)
        real = idx < self.G
        return np.where(real, gemeente_cost(self.inp, persons, np.where(real, idx, 0)), 0.0)

    def objective(self) -> float:
        n = len(self.gm)
        own = float(self.own[np.arange(n), self.gm].sum())
        return own + float(self._q(np.arange(self.G + 1), self.P).sum()) + float(self.dcur[:self.G].sum())

    def _apply_move(self, h: int, g1: int) -> None:
        g0 = self.gm[h]
        k = self.k[h]
        self.gm[h] = g1
        self.P[g0] -= self.p[h]
        self.P[g1] += self.p[h]
        self.Hn[g0] -= 1
        self.Hn[g1] += 1
        self.N[g0, k] -= 1
        self.N[g1, k] += 1
        self._refresh(g0)
        self._refresh(g1)

    # --- neighbourhoods --------------------------------------------------------------------
    def move_deltas(self, h: int) -> np.ndarray:
        """Objective change of moving household h to each gemeente (index G: unplaced)."""
        g0, p, k = self.gm[h], self.p[h], self.k[h]
        allg = np.arange(self.G + 1)
        add = self._q(allg, self.P + p) - self._q(allg, self.P) + self.dadd[:, k]
        rem = float(self._q(g0, self.P[g0] - p) - self._q(g0, self.P[g0]) + self.drem[g0, k])
        delta = self.own[h] - self.own[h, g0] + add + rem
        ok = (self.P + p <= self.cap_p + 1e-9) & (self.Hn + 1 <= self.cap_h + 1e-9)
        delta = np.where(ok, delta, np.inf)
        delta[g0] = np.inf
        return delta

    def swap_deltas(self, h: int) -> np.ndarray:
        """Objective change of exchanging household h with each other household."""
        g1, p1, k1 = self.gm[h], self.p[h], self.k[h]
        g2, p2, k2 = self.gm, self.p, self.k
        n = len(g2)
        own_now = self.own[np.arange(n), g2]
        d_own = self.own[h, g2] - self.own[h, g1] + self.own[:, g1] - own_now
        P1 = self.P[g1]
        d_g1 = self._q(g1, P1 - p1 + p2) - self._q(g1, P1) + self.dswap[g1, k1, k2]
        P2 = self.P[g2]
        d_g2 = self._q(g2, P2 - p2 + p1) - self._q(g2, P2) + self.dswap[g2, k2, k1]
        delta = d_own + d_g1 + d_g2
        ok = (P1 - p1 + p2 <= self.cap_p[g1] + 1e-9) & (P2 - p2 + p1 <= self.cap_p[g2] + 1e-9)
        ok &= (g2 != g1) & self.movable
        return np.where(ok, delta, np.inf)

    def insert(self, zone: np.ndarray) -> None:
        """Place the unplaced households with a zone (``zone[h] >= 0``) in that zone, largest
        first, each where the objective grows least (it stays unplaced if nothing fits)."""
        zone_of = np.append(self.inp.zone_of, -1)
        todo = np.flatnonzero((zone >= 0) & (self.gm == self.G) & self.movable)
        for h in todo[np.argsort(-self.p[todo], kind="stable")]:
            d = self.move_deltas(int(h))
            d = np.where(zone_of == zone[h], d, np.inf)
            g = int(np.argmin(d))
            if np.isfinite(d[g]):
                self._apply_move(int(h), g)

    def run(self, time_limit: float = 5.0, swaps: bool = True, seed: int = 0, eps: float = 1e-7) -> float:
        """Best-improvement moves, then swaps, until no improving one is left (or time runs out)."""
        t_end = time.perf_counter() + time_limit
        rng = np.random.default_rng(seed)
        cand = np.flatnonzero(self.movable)
        while time.perf_counter() < t_end:
            improved = False
            for h in rng.permutation(cand):
                d = self.move_deltas(h)
                g = int(np.argmin(d))
                if d[g] < -eps:
                    self._apply_move(h, g)
                    improved = True
            if improved:
                continue
            if not swaps:
                break
            for h in rng.permutation(cand):
                if time.perf_counter() > t_end:
                    break
                d = self.swap_deltas(h)
                h2 = int(np.argmin(d))
                if d[h2] < -eps:
                    g1, g2 = int(self.gm[h]), int(self.gm[h2])
                    self._apply_move(h, g2)
                    self._apply_move(h2, g1)
                    improved = True
            if not improved:
                break
        return self.objective()

    # --- result ----------------------------------------------------------------------------
    def assignment(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(gemeente per household or -1, option used, dwelling class, shared) for the model."""
        inp = self.inp
        _, best_opt = unit_cost_matrix(inp)
        n = len(self.gm)
        gm_of = np.where(self.gm < self.G, self.gm, -1)
        opt_of = np.where(gm_of >= 0, best_opt[inp.hh_unit, np.maximum(gm_of, 0)], -1)
        dclass = np.zeros(n, dtype=int)
        shared = np.zeros(n, dtype=bool)
        for g in np.unique(gm_of[gm_of >= 0]):
            g = int(g)
            cost, v, use = self.dw.solve(g, tuple(int(x) for x in self.N[g]))
            if not np.isfinite(cost):
                raise AssertionError(f"gemeente {g}: households do not fit the dwellings")
            for k in range(1, 6):
                hh = list(np.flatnonzero((gm_of == g) & (self.k == k - 1)))
                slots = []
                if k == 1:
                    slots += [(SHARED_CLASS, True)] * (2 * v)
                for kk, d, c in use:
                    if kk == k:
                        slots += [(d, False)] * c
                for x, (d, sh) in zip(hh, slots):
                    dclass[x], shared[x] = d, sh
        return gm_of, opt_of, dclass, shared


# ------------------------------------------------------------------------------------------
# LP-guided start
# ------------------------------------------------------------------------------------------

def _round_counts(x: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total`` close to the non-negative reals x (largest remainder)."""
    x = np.maximum(np.asarray(x, dtype=float), 0.0)
    base = np.floor(x + 1e-9).astype(int)
    rest = total - int(base.sum())
    if rest > 0:
        frac = x - base
        order = np.argsort(-frac, kind="stable")
        base[order[:rest]] += 1
    elif rest < 0:
        order = np.argsort(x - base, kind="stable")  # take away where the fraction is smallest
        for i in order:
            if rest == 0:
                break
            take = min(base[i], -rest)
            base[i] -= take
            rest += take
    return base


def round_lp(inp: KoppelingInputs, a: np.ndarray, hh_priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-household gemeente (-1 unplaced) and zone (-1: none) from fractional LP values of ``a``.

    Per unit the option counts are rounded (largest remainder) to the rounded number of
    households the LP links. A household linked via a zone option gets that zone and gemeente
    -1: :meth:`LocalSearch.insert` spreads those over the zone's gemeenten (the LP's flows
    over gemeenten are far from integral, its zone choices nearly are). Within a unit the
    households with the highest unplaced cost (then ``hh_priority``) are linked first. The
    result may overfill dwellings; :class:`LocalSearch` repairs that.
    """
    n = len(inp.hh_unit)
    gm_of = np.full(n, -1, dtype=int)
    unplaced = inp.unplaced_cost
    opts = inp.unit_options()
    unit_hh: dict[int, list[int]] = {}
    for h in sorted(range(n), key=lambda h: (-unplaced[h], int(hh_priority[h]))):
        unit_hh.setdefault(int(inp.hh_unit[h]), []).append(h)
    zone_hh: dict[tuple[int, int], list[int]] = {}
    links = {u for pair in inp.links for u in pair}
    for u, members in unit_hh.items():
        os_ = opts.get(u, np.zeros(0, dtype=int))
        x = a[os_] if len(os_) else np.zeros(0)
        if u in links:  # a linked unit of one: take its largest option only
            x = np.where(np.arange(len(x)) == np.argmax(x), 1.0, 0.0) if len(x) and x.max() > 0.5 else np.zeros(len(x))
        placed = min(len(members), int(round(float(x.sum()))))
        counts = _round_counts(x, placed) if len(x) else np.zeros(0, dtype=int)
        k = 0
        for o, c in zip(os_, counts):
            chosen = members[k:k + c]
            k += c
            if inp.opt_is_zone[o]:
                zone_hh.setdefault((int(inp.opt_target[o]), int(inp.unit_size[u])), []).extend(chosen)
            else:
                gm_of[chosen] = int(inp.opt_target[o])
    zone = np.full(n, -1, dtype=int)
    for (z, _s), hh in zone_hh.items():
        zone[hh] = z
    return gm_of, zone


def _zone_mip(ls: LocalSearch, gs: np.ndarray, hh: np.ndarray, time_limit: float = 2.0) -> np.ndarray | None:
    """Best spread of households ``hh`` (same own cost in every gemeente ``gs``) over ``gs``,
    with the other households of ``gs`` fixed: a small exact MIP (quota, pressure, dwellings,
    caps). Returns the gemeente per household of ``hh``, or None if HiGHS finds nothing."""
    import highspy
    import scipy.sparse as sp

    inp = ls.inp
    w = inp.weights
    wq, wp, ws, wsh = (w.get(k, 0.0) for k in ("quota", "pressure", "size_fit", "sharing"))
    sizes = sorted({int(inp.unit_size[inp.hh_unit[h]]) for h in hh})
    size_of = inp.unit_size[inp.hh_unit]
    count = {s: int((size_of[hh] == s).sum()) for s in sizes}
    fixed = np.isin(ls.gm, gs) & ~np.isin(np.arange(len(ls.gm)), hh)
    cols_lb, cols_ub, cost, integ = [], [], [], []
    rows: list[tuple[dict[int, float], float, float]] = []

    def col(c: float, lb: float = 0.0, ub: float = np.inf, is_int: bool = True) -> int:
        cols_lb.append(lb)
        cols_ub.append(ub)
        cost.append(c)
        integ.append(is_int)
        return len(cost) - 1

    x = {(s, int(g)): col(0.0) for s in sizes for g in gs}
    for s in sizes:
        rows.append(({x[s, int(g)]: 1.0 for g in gs}, count[s], count[s]))
    for g in gs:
        g = int(g)
        members = np.flatnonzero(fixed & (ls.gm == g))
        P0 = float(ls.p[members].sum())
        over = col((wq + wp * inp.pressure[g]) / inp.scale[g], is_int=False)
        under = col(wq / inp.scale[g], is_int=False)
        row = {x[s, g]: float(inp.size_persons[s]) for s in sizes}
        row[over], row[under] = -1.0, 1.0
        rows.append((row, inp.target[g] - P0, inp.target[g] - P0))
        if np.isfinite(inp.cap_persons[g]):
            rows.append(({x[s, g]: float(inp.size_persons[s]) for s in sizes}, -np.inf, inp.cap_persons[g] - P0))
        if np.isfinite(inp.cap_households[g]):
            rows.append(({x[s, g]: 1.0 for s in sizes}, -np.inf, inp.cap_households[g] - len(members)))
        D = inp.dwellings[g]
        wv = {(k, d): col(ws * (d - k)) for k in range(1, 6) for d in range(k, 6) if D[d - 1] > 0}
        v = col(wsh) if inp.sharing and D[SHARED_CLASS - 1] > 0 else None
        for k in range(1, 6):
            n0 = float((ls.k[members] == k - 1).sum())
            row = {wv[k, d]: 1.0 for d in range(k, 6) if (k, d) in wv}
            if k == 1 and v is not None:
                row[v] = 2.0
            for s in sizes:
                if int(inp.size_class[s]) == k:
                    row[x[s, g]] = -1.0
            rows.append((row, n0, n0))
        for d in range(1, 6):
            row = {wv[k, d]: 1.0 for k in range(1, d + 1) if (k, d) in wv}
            if d == SHARED_CLASS and v is not None:
                row[v] = 1.0
            if row:
                rows.append((row, -np.inf, float(D[d - 1])))
    r_idx, c_idx, vals = [], [], []
    for i, (row, _, _) in enumerate(rows):
        for j, a in row.items():
            r_idx.append(i)
            c_idx.append(j)
            vals.append(a)
    A = sp.csc_matrix((vals, (r_idx, c_idx)), shape=(len(rows), len(cost)))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), len(rows)
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.array(cols_lb)
    lp.col_upper_ = np.array(cols_ub)
    lp.row_lower_ = np.array([r[1] for r in rows], dtype=float)
    lp.row_upper_ = np.array([r[2] for r in rows], dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    lp.integrality_ = [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in integ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.passModel(lp)
    h.run()
    if h.getInfo().primal_solution_status != 2:
        return None
    val = np.round(np.asarray(h.getSolution().col_value))
    out = np.full(len(hh), -1, dtype=int)
    for s in sizes:
        idx = [i for i, hx in enumerate(hh) if size_of[hx] == s]
        k = 0
        for g in gs:
            c = int(val[x[s, int(g)]])
            for i in idx[k:k + c]:
                out[i] = int(g)
            k += c
    return out


def zone_mips(ls: LocalSearch, zones=None, time_limit: float = 2.0) -> None:
    """Re-spread, zone by zone, the movable households whose own cost is the same in every
    gemeente of their zone, with an exact small MIP per zone (see :func:`_zone_mip`).
    A zone's result is kept only if it does not make the objective worse."""
    inp = ls.inp
    members = inp.zone_members()
    for z in (sorted(members) if zones is None else zones):
        gs = members[z]
        inside = np.flatnonzero(np.isin(ls.gm, gs) & ls.movable)
        if not len(inside):
            continue
        own = ls.own[np.ix_(inside, gs)]
        same = np.isfinite(own).all(axis=1) & (np.ptp(own, axis=1) < 1e-9)
        hh = inside[same]
        if not len(hh):
            continue
        before = ls.objective()
        old = ls.gm[hh].copy()
        new = _zone_mip(ls, gs, hh, time_limit)
        if new is None or (new < 0).any():
            continue
        for x, g in zip(hh, new):
            if ls.gm[x] != g:
                ls._apply_move(int(x), int(g))
        if ls.objective() > before + 1e-7:
            for x, g in zip(hh, old):
                if ls.gm[x] != g:
                    ls._apply_move(int(x), int(g))
