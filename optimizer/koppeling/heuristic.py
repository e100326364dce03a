"""A fast primal heuristic for the koppeling model: a complete feasible proposal in (well under)
a second, handed to HiGHS as its starting solution.

Without it every solve starts from "everyone unplaced", and a planner with a short time
limit gets nothing useful (issue 13: a 2 s limit on a 3,000-household batch linked nobody).
The heuristic never decides the answer when HiGHS has time: HiGHS starts from it and still
optimises, and the gap reported is HiGHS's proven gap. It has two stages:

1. :func:`greedy` - constructive insertion. Households are taken *most constrained first*
   (fewest allowed gemeenten: a fix lock, a family already living somewhere or hard ties
   leave one or a few gemeenten, and their dwellings must not be taken by households that
   could go anywhere), then largest first (large dwellings are scarce), then by their cost of
   staying unplaced. Each goes to the allowed gemeente where the objective grows least:

   .. math:: \\Delta_g = c^{own}_{u,g} + [Q_g(P_g + p) - Q_g(P_g)] + D_{g,k}

   with :math:`Q_g` the weighted quota and pressure cost of gemeente g at P persons and
   :math:`D_{g,k}` the cheapest free dwelling for need class k (the smallest free class
   :math:`d \\ge k` at ``size_fit`` per step, or sharing a class-2 dwelling with a single
   living alone in one). A household whose cheapest placement costs more than leaving it
   unplaced stays unplaced, as does one for which nothing fits (dwellings, caps). A nareiziger
   and its referent in the same batch are placed together or not at all.
2. :class:`LocalSearch` - best one-household moves (including into and out of "unplaced") and,
   when none improves, best two-household swaps, with exact objective deltas (the cheapest
   dwelling allocation of each gemeente recomputed exactly, :class:`Dwellings`), until nothing
   improves or the passes the time budget allows are done (fixed before the search starts:
   deterministic).

Hard rules hold by construction: only allowed gemeenten (own cost finite: locks, ties,
families), dwelling capacity per class, caps on persons and households, linked households
together (they are not moved by the local search). :func:`to_model` writes the proposal into
the model's variables; :func:`propose` runs both stages within a time budget.

Every cost comes from the engine's one objective evaluator (:mod:`optimizer.koppeling.objective`)
and the proposal's objective is :func:`optimizer.koppeling.objective.evaluate`'s, which equals
the model's objective at the values :func:`to_model` sets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from models.koppeling import SHARED_CLASS, KoppelingInputs, segment_fill
from optimizer.koppeling.objective import (
    Assignment,
    cost_table,
    dwelling_cost,
    evaluate,
    gemeente_cost,
    household_sizes,
)

#: Objective changes smaller than this are not improvements (floating-point noise).
EPS = 1e-7


@dataclass
class Proposal:
    """A complete decision per household and what it cost to find."""

    assignment: Assignment
    objective: float  # the model's objective of this proposal
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)  # objective after each stage

    @property
    def linked(self) -> int:
        return int((self.assignment.gemeente >= 0).sum())

    def record(self) -> dict:
        """For run.json."""
        return {"objective": self.objective, "seconds": round(self.seconds, 3), "linked": self.linked,
                "stages": {k: round(v, 4) for k, v in self.stages.items()}}


# ------------------------------------------------------------------------------------------
# Stage 1: greedy insertion
# ------------------------------------------------------------------------------------------

def _cheapest_one(free: np.ndarray, lone: int, need: int, ws: float, wsh: float, sharing: bool) -> tuple[float, int]:
    """Weighted cost and class of the cheapest dwelling for one household of class ``need`` in
    one gemeente (class 0: share a class-2 dwelling with a lone single; -1: nothing fits).
    The scalar form of :func:`optimizer.koppeling.objective.cheapest_dwelling`."""
    cost, cls = np.inf, -1
    for d in range(need, 6):
        if free[d - 1] > 0:
            cost, cls = ws * (d - need), d
            break
    if need == 1 and sharing and lone > 0 and wsh - ws < cost:
        cost, cls = wsh - ws, 0
    return cost, cls


class _Greedy:
    """State of the greedy insertion: persons, households, free dwellings and lone singles per
    gemeente, and the cheapest dwelling per gemeente and need class (kept up to date)."""

    def __init__(self, inp: KoppelingInputs):
        self.inp = inp
        G, n = inp.n_gemeenten, len(inp.hh_unit)
        self.cost, _ = inp.own_cost
        self.persons, self.need = household_sizes(inp)
        self.P = np.zeros(G)
        self.Hn = np.zeros(G)
        self.free = inp.dwellings.astype(int).copy()
        self.lone: list[list[int]] = [[] for _ in range(G)]  # singles alone in a class-2 dwelling
        self.cap_p = np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf)
        self.cap_h = np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf)
        self.q_now = gemeente_cost(inp, self.P)
        w = inp.weights
        self.ws, self.wsh = w.get("size_fit", 0.0), w.get("sharing", 0.0)
        self.dcost = np.full((6, G), np.inf)
        self.dcls = np.full((6, G), -1, dtype=int)
        for g in range(G):
            self._refresh(g)
        self.gm = np.full(n, -1, dtype=int)
        self.dclass = np.zeros(n, dtype=int)
        self.shared = np.zeros(n, dtype=bool)
        self.mate = np.full(n, -1, dtype=int)  # the other single of a shared dwelling

    def _refresh(self, g: int) -> None:
        for k in range(1, 6):
            self.dcost[k, g], self.dcls[k, g] = _cheapest_one(self.free[g], len(self.lone[g]), k, self.ws, self.wsh,
                                                              self.inp.sharing)

    def place(self, h: int, g: int) -> bool:
        """Put household h in gemeente g in the cheapest free dwelling; False if none fits."""
        d = int(self.dcls[self.need[h], g])
        if d < 0:
            return False
        if d == 0:
            mate = self.lone[g].pop()
            self.mate[h], self.mate[mate] = mate, h
            self.shared[h] = self.shared[mate] = True
            self.dclass[h] = self.dclass[mate] = SHARED_CLASS
        else:
            self.free[g, d - 1] -= 1
            self.dclass[h] = d
            if self.need[h] == 1 and d == SHARED_CLASS:
                self.lone[g].append(h)
        self.gm[h] = g
        self.P[g] += self.persons[h]
        self.Hn[g] += 1
        self.q_now[g] = gemeente_cost(self.inp, self.P[g:g + 1], slice(g, g + 1))[0]
        self._refresh(g)
        return True

    def remove(self, h: int) -> None:
        """Undo :meth:`place` of household h (a partner of a shared dwelling lives alone again)."""
        g = int(self.gm[h])
        if self.shared[h]:
            mate = int(self.mate[h])
            self.shared[h] = self.shared[mate] = False
            self.mate[h] = self.mate[mate] = -1
            self.lone[g].append(mate)
        else:
            self.free[g, self.dclass[h] - 1] += 1
            if h in self.lone[g]:
                self.lone[g].remove(h)
        self.gm[h] = -1
        self.dclass[h] = 0
        self.P[g] -= self.persons[h]
        self.Hn[g] -= 1
        self.q_now[g] = gemeente_cost(self.inp, self.P[g:g + 1], slice(g, g + 1))[0]
        self._refresh(g)

    def insertion_costs(self, group: list[int]) -> np.ndarray:
        """Objective change of linking the households of ``group`` together in each gemeente
        (inf where not allowed or where caps would be exceeded)."""
        inp = self.inp
        extra = float(self.persons[group].sum())
        total = gemeente_cost(inp, self.P + extra) - self.q_now
        for h in group:
            total = total + self.cost[inp.hh_unit[h]] + self.dcost[self.need[h]]
        fits = (self.P + extra <= self.cap_p + 1e-9) & (self.Hn + len(group) <= self.cap_h + 1e-9)
        return np.where(fits, total, np.inf)

    def insert(self, group: list[int]) -> None:
        """Link ``group`` where the objective grows least, if that beats leaving it unplaced."""
        total = self.insertion_costs(group)
        stay = float(self.inp.unplaced_cost[group].sum())
        for g in np.argsort(total, kind="stable"):
            if not total[g] < stay:
                return
            placed = []
            for h in group:  # a second household of a group re-checks the dwelling left
                if not self.place(h, int(g)):
                    break
                placed.append(h)
            if len(placed) == len(group):
                return
            for h in reversed(placed):
                self.remove(h)


def household_order(inp: KoppelingInputs) -> np.ndarray:
    """Decision households most constrained first: fewest allowed gemeenten, then most persons,
    then highest cost of staying unplaced, then model order (deterministic)."""
    cost, _ = inp.own_cost
    allowed = np.isfinite(cost).sum(axis=1)[inp.hh_unit]
    persons, _ = household_sizes(inp)
    n = len(inp.hh_unit)
    return np.lexsort((np.arange(n), -inp.unplaced_cost, -persons, allowed))


def greedy(inp: KoppelingInputs) -> Assignment:
    """Stage 1: the greedy insertion (module docstring). Linked households are inserted as one
    group when the first of them comes up."""
    state = _Greedy(inp)
    groups = inp.link_groups()
    done = np.zeros(len(inp.hh_unit), dtype=bool)
    for h in household_order(inp):
        if done[h]:
            continue
        group = groups.get(int(h), [int(h)])
        done[group] = True
        state.insert(group)
    return Assignment(gemeente=state.gm, dwelling_class=state.dclass, shared=state.shared)


# ------------------------------------------------------------------------------------------
# Stage 2: local search
# ------------------------------------------------------------------------------------------

class Dwellings:
    """Exact cheapest dwelling allocation of one gemeente for given need-class counts.

    Classes are nested (a class-k household fits every class d >= k at ``size_fit * (d - k)``)
    and v pairs of singles may share a class-2 dwelling at ``sharing`` per pair. For a fixed v
    the greedy (largest need first, smallest free class that fits) is optimal; the minimum is
    taken over every v up to :math:`v_0 = \\lceil (n_1 - D_1) / 2 \\rceil` (with non-negative
    weights: from :math:`v_0` on every unpaired single has a class-1 dwelling, which nobody else
    can use, so another pair only adds its cost and takes a class-2 dwelling from the others).
    Results are cached per (gemeente, counts).
    """

    def __init__(self, inp: KoppelingInputs):
        self.inp = inp
        self.D = [tuple(int(x) for x in row) for row in inp.dwellings]
        self.sharing = bool(inp.sharing)
        self.nonnegative = inp.weights.get("size_fit", 0.0) >= 0 and inp.weights.get("sharing", 0.0) >= 0
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
        best: tuple[float, int, list[tuple[int, int, int]]] = (np.inf, 0, [])
        vmax = min(n[0] // 2, D[SHARED_CLASS - 1]) if self.sharing else 0
        if self.nonnegative:  # beyond v0 every other single has a class-1 dwelling: more pairs cost more
            vmax = min(vmax, max(0, -(-(n[0] - D[0]) // 2)))
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
    """Per-household assignment with exact objective deltas for one-household moves and swaps.

    ``gm[h]`` is the gemeente of household h, or ``G`` (a pseudo gemeente without target or
    dwelling limits whose own cost is the cost of staying unplaced). The objective is the
    model's with the cheapest dwelling allocation per gemeente, except the minimax term (not
    modelled here; :func:`evaluate` adds it). Linked households stay where the start put them.
    The start must be feasible (the greedy's is).
    """

    def __init__(self, inp: KoppelingInputs, gm_of: np.ndarray):
        self.inp = inp
        G = inp.n_gemeenten
        self.G = G
        cost, _ = inp.own_cost
        self.own = np.concatenate([cost[inp.hh_unit], inp.unplaced_cost[:, None]], axis=1)  # (n, G + 1)
        persons, need = household_sizes(inp)
        self.p = persons.astype(float)
        self.k = need.astype(int) - 1  # need class index 0..4
        self.cap_p = np.append(np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf), np.inf)
        self.cap_h = np.append(np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf), np.inf)
        self.dw = Dwellings(inp)
        self.gm = np.where(gm_of >= 0, gm_of, G).astype(int)
        self.movable = np.ones(len(self.gm), dtype=bool)
        self.movable[list(inp.link_groups())] = False
        self.P = np.bincount(self.gm, weights=self.p, minlength=G + 1)
        self.Hn = np.bincount(self.gm, minlength=G + 1).astype(float)
        self.N = np.zeros((G + 1, 5), dtype=int)
        np.add.at(self.N, (self.gm, self.k), 1)
        # the cost table with a zero row for the unplaced (G), read directly: persons are whole
        # and a trial move or swap counts at most all of them twice (unless the table was capped:
        # then computed)
        table = cost_table(inp)
        self.qtab = np.vstack([table, np.zeros((1, table.shape[1]))])
        self.direct = bool(np.array_equal(self.p, np.round(self.p)) and 2 * self.p.sum() < table.shape[1])
        self.qcur = self._q(np.arange(G + 1), self.P)
        # per gemeente: dwelling cost now, of adding / removing one household of class k
        self.dcur = np.zeros(G + 1)
        self.dadd = np.zeros((G + 1, 5))
        self.drem = np.zeros((G + 1, 5))
        self.dswap = np.zeros((G + 1, 5, 5))  # one household of class kout out, one of class kin in
        self.swap_stale = np.ones(G + 1, dtype=bool)  # dswap is computed when swaps need it
        self.swap_stale[G] = False
        for g in np.unique(self.gm):
            self._refresh(int(g))
        for g in np.setdiff1d(np.arange(G), self.gm):
            self._refresh(int(g))

    def _refresh(self, g: int) -> None:
        if g == self.G:
            return
        n = tuple(int(x) for x in self.N[g])
        cur = self.dw.cost(g, n)
        self.dcur[g] = cur
        for k in range(5):
            self.dadd[g, k] = self.dw.cost(g, n[:k] + (n[k] + 1,) + n[k + 1:]) - cur
            self.drem[g, k] = self.dw.cost(g, n[:k] + (n[k] - 1,) + n[k + 1:]) - cur if n[k] > 0 else np.inf
        self.swap_stale[g] = True
        self.dadd[g] = np.nan_to_num(self.dadd[g], nan=np.inf)
        self.qcur[g] = self._q(np.array([g]), self.P[g:g + 1])[0]

    def _q(self, idx: np.ndarray, persons: np.ndarray) -> np.ndarray:
        """Weighted quota + pressure cost of gemeenten ``idx`` with ``persons`` linked (the
        pseudo gemeente ``G`` of the unplaced has none)."""
        if self.direct:
            return self.qtab[idx, np.asarray(persons).astype(np.intp)]
        real = idx < self.G
        return np.where(real, gemeente_cost(self.inp, persons, np.where(real, idx, 0)), 0.0)

    def objective(self) -> float:
        """The objective without minimax."""
        own = float(self.own[np.arange(len(self.gm)), self.gm].sum())
        return own + float(self.qcur[:self.G].sum()) + float(self.dcur[:self.G].sum())

    def move(self, h: int, g1: int) -> None:
        g0, k = self.gm[h], self.k[h]
        self.gm[h] = g1
        self.P[g0] -= self.p[h]
        self.P[g1] += self.p[h]
        self.Hn[g0] -= 1
        self.Hn[g1] += 1
        self.N[g0, k] -= 1
        self.N[g1, k] += 1
        self._refresh(int(g0))
        self._refresh(int(g1))

    def move_deltas(self, h: int) -> np.ndarray:
        """Objective change of moving household h to each gemeente (index G: unplaced)."""
        g0, p, k = self.gm[h], self.p[h], self.k[h]
        allg = np.arange(self.G + 1)
        add = self._q(allg, self.P + p) - self.qcur + self.dadd[:, k]
        rem = float(self._q(np.array([g0]), self.P[g0:g0 + 1] - p)[0] - self.qcur[g0] + self.drem[g0, k])
        delta = self.own[h] - self.own[h, g0] + add + rem
        ok = (self.P + p <= self.cap_p + 1e-9) & (self.Hn + 1 <= self.cap_h + 1e-9)
        delta = np.where(ok, delta, np.inf)
        delta[g0] = np.inf
        return delta

    def _refresh_swaps(self, g: int) -> None:
        n = tuple(int(x) for x in self.N[g])
        cur = self.dcur[g]
        for k in range(5):
            if n[k] == 0:
                self.dswap[g, k, :] = np.inf
                continue
            down = n[:k] + (n[k] - 1,) + n[k + 1:]
            for kin in range(5):
                self.dswap[g, k, kin] = 0.0 if kin == k else self.dw.cost(
                    g, down[:kin] + (down[kin] + 1,) + down[kin + 1:]) - cur
        self.swap_stale[g] = False

    def swap_deltas(self, h: int) -> np.ndarray:
        """Objective change of exchanging the gemeenten (or unplaced) of h and every other household."""
        for g in np.flatnonzero(self.swap_stale):
            self._refresh_swaps(int(g))
        g1, p1, k1 = self.gm[h], self.p[h], self.k[h]
        g2, p2, k2 = self.gm, self.p, self.k
        n = len(g2)
        d_own = self.own[h, g2] - self.own[h, g1] + self.own[:, g1] - self.own[np.arange(n), g2]
        P1 = self.P[g1]
        d_g1 = self._q(np.full(n, g1), P1 - p1 + p2) - self.qcur[g1] + self.dswap[g1, k1, k2]
        d_g2 = self._q(g2, self.P[g2] - p2 + p1) - self.qcur[g2] + self.dswap[g2, k2, k1]
        ok = (P1 - p1 + p2 <= self.cap_p[g1] + 1e-9) & (self.P[g2] - p2 + p1 <= self.cap_p[g2] + 1e-9)
        ok &= (g2 != g1) & self.movable & np.isfinite(d_own)
        return np.where(ok, d_own + d_g1 + d_g2, np.inf)

    def _pass(self, cand: np.ndarray, swaps: bool) -> int:
        """One pass of best moves (or swaps) over ``cand`` in a fixed order; the number made."""
        made = 0
        for h in cand:
            h = int(h)
            d = self.swap_deltas(h) if swaps else self.move_deltas(h)
            best = int(np.argmin(d))
            if d[best] < -EPS:
                if swaps:
                    g1, g2 = int(self.gm[h]), int(self.gm[best])
                    self.move(h, g2)
                    self.move(best, g1)
                else:
                    self.move(h, best)
                made += 1
        return made

    def run(self, max_passes: int, swaps: bool = True) -> int:
        """Passes of best one-household moves, household by household in a fixed order; when a
        pass improves nothing, a pass of best two-household swaps, then moves again; until
        nothing improves or ``max_passes`` passes are done. Deterministic: bounded by passes,
        not by the clock. Returns the number of moves and swaps made."""
        cand = np.flatnonzero(self.movable)
        total = passes = 0
        while passes < max_passes:
            made = self._pass(cand, swaps=False)
            passes += 1
            total += made
            if made:
                continue
            if not swaps or passes >= max_passes:
                break
            made = self._pass(cand, swaps=True)
            passes += 1
            total += made
            if not made:
                break
        return total

    def assignment(self) -> Assignment:
        """Gemeente, dwelling class and sharing per household (the exact allocation per gemeente)."""
        n = len(self.gm)
        gm_of = np.where(self.gm < self.G, self.gm, -1)
        dclass = np.zeros(n, dtype=int)
        shared = np.zeros(n, dtype=bool)
        for g in np.unique(gm_of[gm_of >= 0]):
            g = int(g)
            cost, v, use = self.dw.solve(g, tuple(int(x) for x in self.N[g]))
            if not np.isfinite(cost):
                raise AssertionError(f"gemeente {g}: households do not fit the dwellings")
            for k in range(1, 6):
                hh = list(np.flatnonzero((gm_of == g) & (self.k == k - 1)))
                slots = [(SHARED_CLASS, True)] * (2 * v) if k == 1 else []
                for kk, d, c in use:
                    if kk == k:
                        slots += [(d, False)] * c
                for x, (d, sh) in zip(hh, slots):
                    dclass[x], shared[x] = d, sh
        return Assignment(gemeente=gm_of, dwelling_class=dclass, shared=shared)


# ------------------------------------------------------------------------------------------
# Both stages, and the proposal as model values
# ------------------------------------------------------------------------------------------

#: Most local-search passes (a 2,000-household 4-week batch converges in 8), and the estimated
#: seconds of one pass over n households (moves ~0.15 ms each, swaps compare with all others;
#: measured on the month batch: 8 passes in 2.9 s CPU).
MAX_PASSES = 12


def pass_seconds(households: int) -> float:
    """Estimated seconds of one local-search pass."""
    return 0.00015 * households + 2e-8 * households ** 2


def propose(inp: KoppelingInputs, budget: float = 1.0) -> Proposal:
    """Greedy insertion, then as many local-search passes as ``budget`` seconds allow by the
    estimate :func:`pass_seconds` (at most :data:`MAX_PASSES`). The number of passes is fixed
    before the search starts, so the proposal depends on the budget only, never on how fast
    the machine happens to be."""
    t0 = time.perf_counter()
    start = greedy(inp)
    stages = {"greedy": evaluate(inp, start).objective}
    best = start
    n = len(inp.hh_unit)
    passes = min(MAX_PASSES, int(budget / max(pass_seconds(n), 1e-9))) if n else 0
    if passes > 0:
        ls = LocalSearch(inp, start.gemeente)
        stages["local_search_passes"] = float(passes)
        stages["local_search_moves_and_swaps"] = float(ls.run(passes))
        candidate = ls.assignment()
        objective = evaluate(inp, candidate).objective
        if objective < stages["greedy"]:
            best = candidate
        stages["local_search"] = objective
    repaired = within_resources(inp, best)
    if repaired is not best:
        best = repaired
        stages["resource_repair"] = evaluate(inp, best).objective
    return Proposal(assignment=best, objective=evaluate(inp, best).objective, seconds=time.perf_counter() - t0,
                    stages=stages)


def within_resources(inp: KoppelingInputs, a: Assignment) -> Assignment:
    r"""``a`` with households unlinked until every named resource capacity holds
    (:math:`\sum_h u_{h,r} x_{h,g} \le C_{g,r}`; the greedy and the local search know only
    persons, households and dwellings): in a gemeente over a capacity, the largest user of the
    most exceeded resource leaves, with the households that must share its gemeente; the
    dwellings of the gemeenten concerned are then re-allocated exactly. ``a`` itself when it
    already holds."""
    if not inp.resources or inp.resource_cap is None or inp.size_usage is None:
        return a
    use, cap = inp.household_usage, inp.resource_capacity
    gm = a.gemeente.copy()
    groups = inp.link_groups()
    for g in np.unique(gm[gm >= 0]):
        while True:
            members = np.flatnonzero(gm == g)
            over = use[members].sum(axis=0) - cap[g]
            if not len(members) or (over <= 1e-9).all():
                break
            r = int(np.argmax(over))
            h = int(members[np.argmax(use[members, r])])
            for x in [h, *groups.get(h, [])]:
                gm[x] = -1
    if np.array_equal(gm, a.gemeente):
        return a
    return LocalSearch(inp, gm).assignment()


def to_model(m: pyo.ConcreteModel, inp: KoppelingInputs, a: Assignment) -> None:
    """Set every variable of the koppeling model ``m`` (either formulation) to the proposal
    ``a``: assignment counts (each household via its cheapest option covering its gemeente)
    and zone flows, or pairs; unplaced; dwelling use and sharing; over- and under-shoot;
    minimax. Variables not named stay 0."""
    for v in m.component_data_objects(pyo.Var, active=True):
        v.set_value(0, skip_validation=True)
    _, best_opt = inp.own_cost
    size_of = inp.unit_size[inp.hh_unit]
    persons, need = household_sizes(inp)
    gm = a.gemeente
    placed = np.flatnonzero(gm >= 0)
    if m.component("assign_count") is not None:
        counts: dict[int, int] = {}
        flows: dict[tuple[int, int], int] = {}
        for h in placed:
            o = int(best_opt[inp.hh_unit[h], gm[h]])
            counts[o] = counts.get(o, 0) + 1
            if inp.opt_is_zone[o]:
                key = (int(size_of[h]), int(gm[h]))
                flows[key] = flows.get(key, 0) + 1
        for o, c in counts.items():
            m.assign_count[o].set_value(c)
        for key, c in flows.items():
            m.zone_flow[key].set_value(c)
    else:
        for h in placed:
            m.assign_pair[int(h), int(gm[h])].set_value(1)
    for h in range(len(gm)):
        m.assign_unplaced[h].set_value(0.0 if gm[h] >= 0 else 1.0)
    use: dict[tuple[int, int, int], int] = {}
    pairs: dict[int, int] = {}
    for h in placed:
        g = int(gm[h])
        if a.shared[h]:
            pairs[g] = pairs.get(g, 0) + 1
        else:
            key = (g, int(need[h]), int(a.dwelling_class[h]))
            use[key] = use.get(key, 0) + 1
    for key, c in use.items():
        m.dwelling_use[key].set_value(c)
    for g, c in pairs.items():
        m.dwelling_shared[g].set_value(c // 2)
    P = np.bincount(gm[placed], weights=persons[placed], minlength=inp.n_gemeenten)
    for g in range(inp.n_gemeenten):
        m.quota_over[g].set_value(max(P[g] - inp.target[g], 0.0))
        m.quota_under[g].set_value(max(inp.target[g] - P[g], 0.0))
    _set_quota_bands(m, inp, P)
    rel = np.abs(P - inp.target) / inp.scale
    m.minimax_deviation.set_value(float(rel.max()) if len(rel) else 0.0)


def _set_quota_bands(m: pyo.ConcreteModel, inp: KoppelingInputs, P: np.ndarray) -> None:
    """Convex quota form: each gemeente's over-shoot and shortfall fill its segments
    (:func:`models.koppeling.quota_segments`) in order, the cheapest first, as at an optimum."""
    if m.component("quota_band_over") is None:
        return
    for side, deviation in (("over", np.maximum(P - inp.target, 0.0)), ("under", np.maximum(inp.target - P, 0.0))):
        band = m.component(f"quota_band_{side}")
        for g in range(inp.n_gemeenten):
            for i, take in enumerate(segment_fill(inp, g, side, float(deviation[g]))):
                band[g, i].set_value(take)
