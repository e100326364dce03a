r"""The koppeling model: statushouder households to gemeenten (pure formulation, no I/O).

Full documentation with the reasoning: ``docs/model.md``. Notation:

* :math:`g \in G` gemeenten, each in exactly one *zone* :math:`z(g)` (arbeidsmarktregio x COA
  region: the finest areas on which a household's own costs can differ);
* size types :math:`s = (p_s, k_s, u_s)`: persons, the dwelling class needed and the use
  :math:`u_{s,r}` of every named resource r (``cap_resource``; none by default);
* *units* :math:`u`: groups of :math:`n_u` interchangeable households (same size type, the
  same own cost in every gemeente and the same allowed set); a household with a tie, lock,
  referent or previous link is a unit of its own;
* *open pairs*: a size type gets flows only into gemeenten it fits at all
  (``KoppelingInputs.open_pairs``; closed pairs generate no variable);
* *options* :math:`o \in O_u`: a zone (the unit may go to any gemeente of it) or a single
  gemeente, each with raw own-cost terms :math:`c^t_o` (labour regret, continuity, tie, change).

Aggregated formulation (default): integer :math:`a_o` (``assign_count``) households of unit
u via option o, integer :math:`f_{s,g}` (``zone_flow``) households of size type s that zone
options bring into gemeente g. The per-household formulation (``formulation="per_household"``,
for tests and benchmarks) has one binary :math:`x_{h,g}` (``assign_pair``) per household and
allowed gemeente instead (the pairs: :class:`PairIndex`). Both share every gemeente-level
family, through the expression :math:`H_{s,g}` (``gemeente_households``) = households of size
type s linked to g, whose variables the gemeente families receive as a :class:`GemeenteIndex`.
Any integer solution of the aggregated model disaggregates into a per-household solution of
equal objective (households of one unit are interchangeable; within a zone the gemeente-level
terms only see size types), so both have the same optimum.

Objective: :math:`\min \sum_t w_t \cdot T_t` over the named raw terms ``TERMS``
(``objective_term[t]``). Component names and conventions: ``models/__init__.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
import pyomo.environ as pyo

#: Raw objective terms, in reporting order. Household-own terms first, then gemeente terms.
HOUSEHOLD_TERMS = ("labour", "continuity", "continuity_per_school_child", "tie", "change")
GEMEENTE_TERMS = ("quota", "pressure", "size_fit", "sharing")
GLOBAL_TERMS = ("minimax",)
UNPLACED_TERMS = ("unplaced", "waiting")
TERMS = HOUSEHOLD_TERMS + GEMEENTE_TERMS + GLOBAL_TERMS + UNPLACED_TERMS
CLASSES = (1, 2, 3, 4, 5)
SHARED_CLASS = 2


@dataclass
class KoppelingInputs:
    """Plain, validated arrays for the model (built by ``optimizer.koppeling.inputs``)."""

    gemeenten: list[str]
    target: np.ndarray  # persons, per gemeente
    scale: np.ndarray  # max(target, quota_min_scale)
    pressure: np.ndarray  # 0..1
    dwellings: np.ndarray  # (G, 5) ints: class 1..5
    cap_persons: np.ndarray  # nan = no cap
    cap_households: np.ndarray  # nan = no cap
    zone_of: np.ndarray  # zone index per gemeente
    size_persons: np.ndarray  # per size type
    size_class: np.ndarray  # per size type, 1..5
    unit_size: np.ndarray  # per unit: size type index
    unit_count: np.ndarray  # per unit: number of households
    opt_unit: np.ndarray  # per option: unit
    opt_is_zone: np.ndarray  # per option: zone (True) or gemeente (False)
    opt_target: np.ndarray  # per option: zone index or gemeente index
    opt_terms: dict[str, np.ndarray]  # raw household term per option, per household placed
    hh_unit: np.ndarray  # per decision household: its unit
    hh_terms: dict[str, np.ndarray]  # raw unplaced terms per household ("unplaced", "waiting")
    links: list[tuple[int, int]] = field(default_factory=list)  # units that must share a gemeente
    weights: dict[str, float] = field(default_factory=dict)
    sharing: bool = True
    resources: list[str] = field(default_factory=list)  # named resources with a capacity per gemeente
    size_usage: np.ndarray | None = None  # (size types, resources): use of one household of size type s
    resource_cap: np.ndarray | None = None  # (gemeenten, resources): capacity, nan = no cap
    open_pairs: np.ndarray | None = None  # (size types, gemeenten) bool: s may go to g; None = all
    #: quota term: "convex" (piecewise linear in the relative deviation, slopes rising band by
    #: band, in weighted persons) or "linear" (sum of relative deviations, the form before issue 12)
    quota_form: Literal["convex", "linear"] = "convex"
    band_ends: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75)  # relative deviation where the slope rises
    band_slopes: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)  # per person, non-decreasing

    @property
    def n_gemeenten(self) -> int:
        return len(self.gemeenten)

    def zone_members(self) -> dict[int, np.ndarray]:
        order = np.argsort(self.zone_of, kind="stable")
        zones, starts = np.unique(self.zone_of[order], return_index=True)
        return {int(z): order[a:b] for z, a, b in zip(zones, starts, list(starts[1:]) + [len(order)])}

    def unit_options(self) -> dict[int, np.ndarray]:
        """Option indices per unit."""
        order = np.argsort(self.opt_unit, kind="stable")
        units, starts = np.unique(self.opt_unit[order], return_index=True)
        return {int(u): order[a:b] for u, a, b in zip(units, starts, list(starts[1:]) + [len(order)])}

    @cached_property
    def own_cost(self) -> tuple[np.ndarray, np.ndarray]:
        """Weighted own cost of one household of unit u in gemeente g (inf = not allowed) and
        the option that gives it: the cheapest option covering g (zone options expanded; a
        gemeente option wins a tie, it is exact). Shape (units, gemeenten), computed once."""
        U, G = len(self.unit_count), self.n_gemeenten
        own = np.zeros(len(self.opt_unit))
        for t in HOUSEHOLD_TERMS:
            own += self.weights.get(t, 0.0) * self.opt_terms[t]
        cost = np.full((U, G), np.inf)
        best = np.full((U, G), -1, dtype=int)
        members = self.zone_members()
        order = np.lexsort((np.arange(len(own)), ~self.opt_is_zone))  # zone options first
        for o in order:
            u = self.opt_unit[o]
            gs = members[int(self.opt_target[o])] if self.opt_is_zone[o] else np.array([self.opt_target[o]])
            better = own[o] <= cost[u, gs]
            cost[u, gs[better]] = own[o]
            best[u, gs[better]] = o
        if self.open_pairs is not None:  # a zone option covers only the gemeenten open to its size type
            closed = ~self.open_pairs[self.unit_size]
            cost[closed] = np.inf
            best[closed] = -1
        return cost, best

    def zone_gemeenten(self, z: int, s: int) -> np.ndarray:
        """Gemeenten of zone z that households of size type s may go to (:attr:`open_pairs`)."""
        members = self.zone_members()[z]
        return members if self.open_pairs is None else members[self.open_pairs[s, members]]

    @cached_property
    def household_usage(self) -> np.ndarray:
        """(decision households, resources): each household's use of every named resource."""
        if self.size_usage is None:
            return np.zeros((len(self.hh_unit), len(self.resources)))
        return self.size_usage[self.unit_size[self.hh_unit]]

    @cached_property
    def resource_capacity(self) -> np.ndarray:
        """(gemeenten, resources): the named-resource capacities, ``inf`` where none is given."""
        if self.resource_cap is None:
            return np.full((self.n_gemeenten, len(self.resources)), np.inf)
        return np.where(np.isnan(self.resource_cap), np.inf, self.resource_cap)

    @cached_property
    def unplaced_cost(self) -> np.ndarray:
        """Weighted cost of leaving each decision household unplaced (terms ``unplaced`` and
        ``waiting``); within a unit, the households where it is highest are linked first."""
        return sum(self.weights.get(t, 0.0) * self.hh_terms[t] for t in UNPLACED_TERMS)

    def household_gemeente_costs(self, unit: int) -> dict[int, dict[str, float]]:
        """Allowed gemeenten of a unit and the raw own terms there (from :attr:`own_cost`)."""
        cost, best = self.own_cost
        return {int(g): {t: float(self.opt_terms[t][best[unit, g]]) for t in HOUSEHOLD_TERMS}
                for g in np.flatnonzero(np.isfinite(cost[unit]))}

    def link_groups(self) -> dict[int, list[int]]:
        """Decision household -> all decision households that must share its gemeente (a
        referent and all its nareizigers in the batch: connected components of ``links``)."""
        unit_hh: dict[int, list[int]] = {}
        for h, u in enumerate(self.hh_unit):
            unit_hh.setdefault(int(u), []).append(h)
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                x = parent[x]
            return x

        for u1, u2 in self.links:
            for h1, h2 in zip(unit_hh.get(u1, []), unit_hh.get(u2, [])):
                parent[find(h1)] = find(h2)
        groups: dict[int, list[int]] = {}
        for h in list(parent):
            groups.setdefault(find(h), []).append(h)
        return {h: sorted(members) for members in groups.values() for h in members}


def _lin(coefs, variables):
    """A linear expression sum(c * v), skipping zero coefficients."""
    return pyo.quicksum((float(c) * v for c, v in zip(coefs, variables) if c != 0))


# ------------------------------------------------------------------------------------------
# Index objects passed between families (built once in build_model)
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PairIndex:
    """Per-household formulation: the allowed (household, gemeente) pairs, from the inputs alone.

    ``pairs`` in household order, gemeenten ascending (the index set ``P``); ``cost[(h, g)]``
    the raw own terms of the pair (:meth:`KoppelingInputs.household_gemeente_costs`);
    ``gemeenten[h]`` the allowed gemeenten of household h.
    """

    pairs: list[tuple[int, int]]
    cost: dict[tuple[int, int], dict[str, float]]
    gemeenten: dict[int, list[int]]

    @classmethod
    def of(cls, inp: KoppelingInputs) -> PairIndex:
        pairs: list[tuple[int, int]] = []
        cost: dict[tuple[int, int], dict[str, float]] = {}
        allowed: dict[int, dict[int, dict[str, float]]] = {}
        for h, u in enumerate(inp.hh_unit):
            u = int(u)
            if u not in allowed:
                allowed[u] = inp.household_gemeente_costs(u)
            for g, terms in sorted(allowed[u].items()):
                pairs.append((h, g))
                cost[(h, g)] = terms
        by_h: dict[int, list[int]] = {}
        for h, g in pairs:
            by_h.setdefault(h, []).append(g)
        return cls(pairs=pairs, cost=cost, gemeenten=by_h)


@dataclass(frozen=True)
class GemeenteIndex:
    r"""What the gemeente families need of :math:`H_{s,g}` (households of size type s linked
    to g), returned by the formulation's ``add_households_in_gemeente_*`` family.

    ``variables[(s, g)]`` the assignment variables whose sum is :math:`H_{s,g}` (the keys,
    sorted, are the index set ``SG``); ``keys[g]`` the (s, g) keys of gemeente g, sorted.
    """

    variables: dict[tuple[int, int], list]
    keys: dict[int, list[tuple[int, int]]]

    @classmethod
    def of(cls, variables: dict[tuple[int, int], list]) -> GemeenteIndex:
        keys: dict[int, list[tuple[int, int]]] = {}
        for (s, g) in sorted(variables):
            keys.setdefault(g, []).append((s, g))
        return cls(variables=variables, keys=keys)

    def h_sum(self, terms) -> object:
        r"""Flat linear expression :math:`\sum c \cdot H_{s,g}` over ``terms`` = [(c, s, g), ...].

        Written out over the variables behind each :math:`H_{s,g}` (instead of nesting the
        ``gemeente_households`` expressions), which makes compiling the model to matrices much
        faster.
        """
        return pyo.quicksum(c * v for c, s, g in terms for v in self.variables[(s, g)])


# ------------------------------------------------------------------------------------------
# Assignment families
# ------------------------------------------------------------------------------------------

def _add_unplaced(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``assign_unplaced`` :math:`q_h \in [0, 1]` per decision household (set ``Hh``)."""
    m.Hh = pyo.RangeSet(0, len(inp.hh_unit) - 1) if len(inp.hh_unit) else pyo.Set(initialize=[])
    m.assign_unplaced = pyo.Var(m.Hh, bounds=(0, 1))


def add_option_variables(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``assign_count`` :math:`a_o \in \{0, \dots, n_{u(o)}\}` households via option o (set
    ``O``); ``assign_unplaced`` :math:`q_h \in [0, 1]` per household."""
    m.O = pyo.RangeSet(0, len(inp.opt_unit) - 1) if len(inp.opt_unit) else pyo.Set(initialize=[])
    bounds = inp.unit_count[inp.opt_unit] if len(inp.opt_unit) else []
    m.assign_count = pyo.Var(m.O, within=pyo.NonNegativeIntegers, bounds=lambda m, o: (0, int(bounds[o])))
    _add_unplaced(m, inp)


def add_unit_balance(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``assign_unit``: :math:`\sum_{o \in O_u} a_o + \sum_{h \in u} q_h = n_u` for every unit u.

    Every household is either linked or named as unplaced: nothing is dropped silently.
    """
    opts = inp.unit_options()
    hh: dict[int, list[int]] = {}
    for h, u in enumerate(inp.hh_unit):
        hh.setdefault(int(u), []).append(h)
    units = sorted(set(opts) | set(hh))
    a, q = m.assign_count, m.assign_unplaced

    def rule(m, u):
        return (pyo.quicksum(a[o] for o in opts.get(u, []))
                + pyo.quicksum(q[h] for h in hh.get(u, [])) == int(inp.unit_count[u]))
    m.assign_unit = pyo.Constraint(units, rule=rule)


def add_zone_flows(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``zone_flow`` :math:`f_{s,g} \ge 0` integer (set ``F``) and ``zone_balance`` per zone
    z, size type s (set ``ZS``): :math:`\sum_{o: zone\ z,\ s(u(o)) = s} a_o = \sum_{g \in z} f_{s,g}`.

    Only gemeenten open to s get a flow (:meth:`KoppelingInputs.zone_gemeenten`; a closed
    gemeente or one without a fitting dwelling generates no variable)."""
    zone_opts: dict[tuple[int, int], list[int]] = {}
    for o in np.flatnonzero(inp.opt_is_zone):
        key = (int(inp.opt_target[o]), int(inp.unit_size[inp.opt_unit[o]]))
        zone_opts.setdefault(key, []).append(int(o))
    keys = sorted(zone_opts)
    members = {(z, s): inp.zone_gemeenten(z, s) for (z, s) in keys}
    flow_index = [(s, int(g)) for (z, s) in keys for g in members[(z, s)]]
    m.F = pyo.Set(initialize=flow_index, dimen=2, ordered=True)
    m.zone_flow = pyo.Var(m.F, within=pyo.NonNegativeIntegers)
    m.ZS = pyo.Set(initialize=keys, dimen=2, ordered=True)
    a, f = m.assign_count, m.zone_flow

    def rule(m, z, s):
        return (pyo.quicksum(a[o] for o in zone_opts[(z, s)])
                == pyo.quicksum(f[s, int(g)] for g in members[(z, s)]))
    m.zone_balance = pyo.Constraint(m.ZS, rule=rule)


def add_links_aggregated(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``link`` (set ``LK``, one row per linked pair of units and gemeente): a nareiziger and
    its referent in the same batch go to the same gemeente, :math:`a_{o_1(g)} = a_{o_2(g)}` for
    every gemeente option g of either unit."""
    opts = inp.unit_options()
    rows = []
    for u1, u2 in inp.links:
        g1 = {int(inp.opt_target[o]): int(o) for o in opts.get(u1, []) if not inp.opt_is_zone[o]}
        g2 = {int(inp.opt_target[o]): int(o) for o in opts.get(u2, []) if not inp.opt_is_zone[o]}
        for g in sorted(set(g1) | set(g2)):
            rows.append((g1.get(g, -1), g2.get(g, -1)))
    m.LK = pyo.Set(initialize=list(range(len(rows))))
    a = m.assign_count
    m.link = pyo.Constraint(m.LK, rule=lambda m, i: (a[rows[i][0]] if rows[i][0] >= 0 else 0)
                            == (a[rows[i][1]] if rows[i][1] >= 0 else 0))


def _add_households_expression(m: pyo.ConcreteModel, variables: dict[tuple[int, int], list]) -> GemeenteIndex:
    r"""Set ``SG`` and expression ``gemeente_households`` :math:`H_{s,g}` (the sum of
    ``variables[(s, g)]``); returns the :class:`GemeenteIndex` of the gemeente families."""
    m.SG = pyo.Set(initialize=sorted(variables), dimen=2, ordered=True)
    m.gemeente_households = pyo.Expression(m.SG, rule=lambda m, s, g: pyo.quicksum(variables[(s, g)]))
    return GemeenteIndex.of(variables)


def add_households_in_gemeente_aggregated(m: pyo.ConcreteModel, inp: KoppelingInputs) -> GemeenteIndex:
    r"""Expression ``gemeente_households``
    :math:`H_{s,g} = f_{s,g} + \sum_{o: gemeente\ g,\ s(u(o)) = s} a_o` (set ``SG``)."""
    terms: dict[tuple[int, int], list] = {}
    for (s, g) in m.F:
        terms.setdefault((s, g), []).append(m.zone_flow[s, g])
    for o in np.flatnonzero(~inp.opt_is_zone):
        key = (int(inp.unit_size[inp.opt_unit[o]]), int(inp.opt_target[o]))
        terms.setdefault(key, []).append(m.assign_count[int(o)])
    return _add_households_expression(m, terms)


def add_pair_variables(m: pyo.ConcreteModel, inp: KoppelingInputs, pairs: PairIndex) -> None:
    r"""Per-household formulation: binary ``assign_pair`` :math:`x_{h,g}` for every allowed
    pair (set ``P``) and ``assign_unplaced`` :math:`q_h \in [0, 1]` per household."""
    m.P = pyo.Set(initialize=pairs.pairs, dimen=2, ordered=True)
    m.assign_pair = pyo.Var(m.P, within=pyo.Binary)
    _add_unplaced(m, inp)


def add_household_balance(m: pyo.ConcreteModel, pairs: PairIndex) -> None:
    r"""``assign_household``: :math:`\sum_g x_{h,g} + q_h = 1` for every household h."""
    x, q = m.assign_pair, m.assign_unplaced
    m.assign_household = pyo.Constraint(
        m.Hh, rule=lambda m, h: pyo.quicksum(x[h, g] for g in pairs.gemeenten.get(h, [])) + q[h] == 1)


def add_links_per_household(m: pyo.ConcreteModel, inp: KoppelingInputs, pairs: PairIndex) -> None:
    r"""``link`` (set ``L`` of (h, h', g)): linked households share the gemeente,
    :math:`x_{h,g} = x_{h',g}` (a missing pair counts as 0)."""
    unit_households: dict[int, list[int]] = {}
    for h, u in enumerate(inp.hh_unit):
        unit_households.setdefault(int(u), []).append(h)
    by_h = pairs.gemeenten
    link_rows = []
    for u1, u2 in inp.links:
        for h1, h2 in zip(unit_households.get(u1, []), unit_households.get(u2, [])):
            for g in sorted(set(by_h.get(h1, [])) | set(by_h.get(h2, []))):
                link_rows.append((h1, h2, g))
    m.L = pyo.Set(initialize=link_rows, dimen=3, ordered=True)
    x = m.assign_pair
    m.link = pyo.Constraint(m.L, rule=lambda m, h1, h2, g: (x[h1, g] if (h1, g) in m.P else 0)
                            == (x[h2, g] if (h2, g) in m.P else 0))


def add_households_in_gemeente_per_household(m: pyo.ConcreteModel, inp: KoppelingInputs,
                                             pairs: PairIndex) -> GemeenteIndex:
    r"""Expression ``gemeente_households`` :math:`H_{s,g} = \sum_{h: s(h) = s} x_{h,g}` (set ``SG``)."""
    terms: dict[tuple[int, int], list] = {}
    for h, g in pairs.pairs:
        s = int(inp.unit_size[inp.hh_unit[h]])
        terms.setdefault((s, g), []).append(m.assign_pair[h, g])
    return _add_households_expression(m, terms)


# ------------------------------------------------------------------------------------------
# Gemeente families (shared by both formulations)
# ------------------------------------------------------------------------------------------

def add_dwelling_use(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex) -> None:
    r"""``dwelling_use`` :math:`w_{g,k,d}` integer (set ``W``): households needing class k
    housed in class :math:`d \ge k` (only where g offers class d); ``dwelling_shared``
    :math:`v_g` (set ``VG``): class-2 dwellings shared by two single adults.

    ``dwelling_need`` (set ``GK``) :math:`\sum_{d \ge k} w_{g,k,d} + 2 v_g [k=1] = \sum_{s: k_s = k} H_{s,g}`;
    ``dwelling_capacity`` (set ``GD``) :math:`\sum_{k \le d} w_{g,k,d} + v_g [d=2] \le D_{g,d}` (hard).
    """
    need_terms: dict[tuple[int, int], list] = {}
    for (s, g) in m.SG:
        need_terms.setdefault((g, int(inp.size_class[s])), []).append((1, s, g))
    w_index = [(g, k, d) for (g, k) in sorted(need_terms) for d in CLASSES
               if d >= k and inp.dwellings[g, d - 1] > 0]
    m.W = pyo.Set(initialize=w_index, dimen=3, ordered=True)
    m.dwelling_use = pyo.Var(m.W, within=pyo.NonNegativeIntegers)
    share_g = sorted({g for (g, k) in need_terms if k == 1 and inp.sharing and inp.dwellings[g, SHARED_CLASS - 1] > 0})
    m.VG = pyo.Set(initialize=share_g)
    m.dwelling_shared = pyo.Var(m.VG, within=pyo.NonNegativeIntegers)
    w, v = m.dwelling_use, m.dwelling_shared
    by_gk: dict[tuple[int, int], list[int]] = {}
    by_gd: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for (g, k, d) in w_index:
        by_gk.setdefault((g, k), []).append(d)
        by_gd.setdefault((g, d), []).append((g, k, d))
    m.GK = pyo.Set(initialize=sorted(need_terms), dimen=2, ordered=True)

    def need_rule(m, g, k):
        lhs = pyo.quicksum(w[g, k, d] for d in by_gk.get((g, k), []))
        if k == 1 and g in m.VG:
            lhs = lhs + 2 * v[g]
        return lhs == H.h_sum(need_terms[(g, k)])
    m.dwelling_need = pyo.Constraint(m.GK, rule=need_rule)
    cap_keys = sorted(set(by_gd) | {(g, SHARED_CLASS) for g in share_g})
    m.GD = pyo.Set(initialize=cap_keys, dimen=2, ordered=True)

    def cap_rule(m, g, d):
        lhs = pyo.quicksum(w[i] for i in by_gd.get((g, d), []))
        if d == SHARED_CLASS and g in m.VG:
            lhs = lhs + v[g]
        return lhs <= int(inp.dwellings[g, d - 1])
    m.dwelling_capacity = pyo.Constraint(m.GD, rule=cap_rule)


def add_quota(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex) -> None:
    r"""``quota_over`` :math:`e^+_g \ge 0`, ``quota_under`` :math:`e^-_g \ge 0` and
    ``quota_deviation``: persons linked minus target split into over- and under-shoot,
    :math:`\sum_s p_s H_{s,g} - e^+_g + e^-_g = T_g`, for every gemeente (set ``G``; also those
    that receive nobody, so their shortfall is counted)."""
    G = range(inp.n_gemeenten)
    m.G = pyo.Set(initialize=list(G))
    m.quota_over = pyo.Var(m.G, within=pyo.NonNegativeReals)
    m.quota_under = pyo.Var(m.G, within=pyo.NonNegativeReals)
    over, under = m.quota_over, m.quota_under

    def rule(m, g):
        persons = H.h_sum([(int(inp.size_persons[s]), s, g) for (s, g) in H.keys.get(g, [])])
        return persons - over[g] + under[g] == float(inp.target[g])
    m.quota_deviation = pyo.Constraint(m.G, rule=rule)


def add_oversize_cuts(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex) -> None:
    r"""``quota_oversize`` (set ``OC``; valid inequality, tightens the LP relaxation):
    :math:`e^+_g \ge \sum_s (p_s - T_g)^+ H_{s,g}`.

    Valid for integer :math:`H`: a household larger than the target over-shoots it by at least
    the difference, and several such households over-shoot by at least the sum of their
    differences (:math:`\sum_s (p_s - T)^+ H_s \le \sum_s p_s H_s - T` whenever the left side is
    positive). The LP relaxation otherwise spreads fractions of large households over
    gemeenten with small targets, which makes its bound weak for weekly batches.
    """
    rows = {}
    for g in range(inp.n_gemeenten):
        terms = [(float(inp.size_persons[s]) - float(inp.target[g]), s) for (s, _) in H.keys.get(g, [])]
        terms = [(c, s) for c, s in terms if c > 1e-9]
        if terms:
            rows[g] = terms
    m.OC = pyo.Set(initialize=sorted(rows))
    over = m.quota_over
    m.quota_oversize = pyo.Constraint(m.OC, rule=lambda m, g: over[g] >= H.h_sum([(c, s, g) for c, s in rows[g]]))


def quota_segments(inp: KoppelingInputs, g: int, side: Literal["over", "under"]) -> list[tuple[float, float]]:
    r"""(width, slope) of the segments of the convex quota function of gemeente g on one side,
    in persons; the over side's last segment is open (width ``inf``).

    The function is :math:`F(x) = \sigma_g f(x / \sigma_g)` with f piecewise linear in the
    relative deviation: slope :math:`c_k` between :math:`b_{k-1}` and :math:`b_k` (``band_ends``,
    :math:`b_0 = 0`, the last band open). The model uses its interpolation between the values
    the deviation can take: persons are whole, so the over-shoot is 0 or
    :math:`\lceil T \rceil - T + j` and the shortfall 0 or :math:`T - \lfloor T \rfloor + j`
    (:math:`j = 0, 1, \dots`; whole persons for a whole target), the shortfall at most
    :math:`T`. Where a band end falls between two such values, the segment between them gets
    the average slope. Interpolating a convex function keeps it convex (slopes non-decreasing)
    and equal to F wherever the deviation can be, so the solution's term is exactly F; the LP
    relaxation cannot buy a fraction of a person at the cheaper slope of a band that is narrower
    than a person (a tighter bound for small targets).
    """
    return list(_segments(float(inp.target[g]), float(inp.scale[g]), tuple(inp.band_ends), tuple(inp.band_slopes),
                          side))


@lru_cache(maxsize=65536)
def _segments(t: float, scale: float, band_ends: tuple[float, ...], band_slopes: tuple[float, ...],
              side: str) -> tuple[tuple[float, float], ...]:
    """:func:`quota_segments` of a target t and scale (cached: many gemeenten share them)."""
    ends = [0.0] + [e * scale for e in band_ends]
    slopes = list(band_slopes)

    def value(x: float) -> float:
        tops = ends[1:] + [np.inf]
        return sum(c * min(max(x - lo, 0.0), hi - lo) for c, lo, hi in zip(slopes, ends, tops))

    offset = (np.ceil(t - 1e-9) - t) if side == "over" else (t - np.floor(t + 1e-9))
    offset = 0.0 if offset < 1e-9 else float(offset)

    def around(x: float) -> list[float]:  # the attainable deviations just below and above x
        if x <= offset + 1e-9:
            return [0.0, offset] if offset > 0 else [0.0]
        j = x - offset
        return [offset + np.floor(j + 1e-9), offset + np.ceil(j - 1e-9)]

    points = sorted({round(p, 9) for e in ends for p in around(e)} | {0.0})
    if side == "under":
        points = sorted({p for p in points if p < t - 1e-9} | {max(t, 0.0)})
    out: list[tuple[float, float]] = []
    for lo, hi in zip(points, points[1:]):
        slope = round(float((value(hi) - value(lo)) / (hi - lo)), 9)
        if out and abs(out[-1][1] - slope) < 1e-9:
            out[-1] = (round(out[-1][0] + hi - lo, 9), slope)
        else:
            out.append((round(float(hi - lo), 9), slope))
    if side == "over":
        out.append((float("inf"), float(slopes[-1])))
    return tuple(out)


#: Segments (width, slope) of the convex quota function per side ("over", "under") and gemeente.
QuotaSegments = dict[str, dict[int, list[tuple[float, float]]]]


def add_quota_bands(m: pyo.ConcreteModel, inp: KoppelingInputs) -> QuotaSegments | None:
    r"""Convex quota form only (``quota_form = "convex"``): ``quota_band_over`` :math:`\beta^+_{gi}`
    and ``quota_band_under`` :math:`\beta^-_{gi}` (sets ``GB_over``, ``GB_under``), one per
    segment i of :func:`quota_segments` (width :math:`\omega_{gi}`, slope :math:`c_{gi}`),
    :math:`0 \le \beta_{gi} \le \omega_{gi}`, with ``quota_bands_over``
    :math:`\sum_i \beta^+_{gi} = e^+_g` and ``quota_bands_under`` :math:`\sum_i \beta^-_{gi} = e^-_g`
    for every gemeente (the shortfall is at most :math:`T_g`; a target of 0 has no shortfall
    segment, so its shortfall is 0).

    The objective charges :math:`c_{gi}` per person in segment i; slopes rise segment by
    segment, so the cheaper segments fill first without binaries and
    :math:`\sum_i c_{gi} \beta_{gi} = \sigma_g f(e_g / \sigma_g)` at every attainable deviation
    (docs/model.md, "The quota term"). Returns the segments (for the objective), None for the
    linear form."""
    if inp.quota_form != "convex":
        return None
    out: QuotaSegments = {}
    for side in ("over", "under"):
        var = m.component(f"quota_{side}")
        segments = {g: quota_segments(inp, g, side) for g in m.G}  # type: ignore[arg-type]
        out[side] = segments
        idx = [(g, i) for g in m.G for i in range(len(segments[g]))]
        m.add_component(f"GB_{side}", pyo.Set(initialize=idx, dimen=2, ordered=True))
        band = pyo.Var(m.component(f"GB_{side}"), bounds=lambda _, g, i, seg=segments: (
            0.0, seg[g][i][0] if np.isfinite(seg[g][i][0]) else None))
        m.add_component(f"quota_band_{side}", band)
        m.add_component(f"quota_bands_{side}", pyo.Constraint(
            m.G, rule=lambda _, g, band=band, var=var, seg=segments: var[g] == pyo.quicksum(
                band[g, i] for i in range(len(seg[g])))))
    return out


def segment_fill(inp: KoppelingInputs, g: int, side: Literal["over", "under"], deviation: float) -> list[float]:
    """Persons of a deviation of ``deviation`` (>= 0) on ``side`` of gemeente g in each segment
    of :func:`quota_segments`, the cheapest first (as at an optimum: the slopes rise)."""
    left, fill = float(deviation), []
    for width, _ in quota_segments(inp, g, side):
        take = min(width, left)
        fill.append(take)
        left -= take
    return fill


def quota_cost(inp: KoppelingInputs, g: int, persons: float, side: Literal["both", "over"] = "both") -> float:
    r""":math:`C_g(P)`: the convex quota term's raw cost of gemeente g when P persons are linked
    to it, from its segments (:func:`quota_segments`): the over side's cost of :math:`P - T_g`
    above the target, the shortfall side's of :math:`T_g - P` below it (``side="over"``: the over
    side only, 0 below the target). Convex in P: both sides are convex and meet at 0."""
    dev = float(persons) - float(inp.target[g])
    if dev < 0 and side == "over":
        return 0.0
    seg_side = "over" if dev >= 0 else "under"
    fill = segment_fill(inp, g, seg_side, abs(dev))
    return round(sum(slope * take for (_, slope), take in zip(quota_segments(inp, g, seg_side), fill)), 9)


def add_quota_secants(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex,
                      segments: QuotaSegments | None) -> None:
    r"""Convex quota form only: two valid inequalities per gemeente that tighten the LP
    relaxation where households are large against the target (weekly and small batches).

    With :math:`C_g(P)` the raw quota cost of P linked persons (:func:`quota_cost`, convex in P),
    :math:`Q_g = \sum_i c_{gi} (eta^+_{gi} + eta^-_{gi})` its value in the model and
    :math:`Q^+_g = \sum_i c_{gi} eta^+_{gi}` the over side's:

    * ``quota_secant`` (set ``QS``): :math:`Q_g \ge C_g(0) - \sum_s D_{s,g} H_{s,g}` with
      :math:`D_{s,g} = C_g(0) - C_g(p_s)`, the drop in cost from one household of size type s
      alone;
    * ``quota_oversize_cost`` (set ``QO``; where some :math:`p_s > T_g`):
      :math:`Q^+_g \ge \sum_s C^+_g(p_s) H_{s,g}`, with :math:`C^+_g` the over side of
      :math:`C_g` (the pressure term charges :math:`\pi_g Q^+_g`, so it is tightened too).

    **Valid for every integer solution.** For a convex C and :math:`a, b \ge 0`,
    :math:`C(a) - C(a + b) \le C(0) - C(b)` (the slopes rise, so a drop over an interval of
    length b is largest where it starts at 0). Adding the households one by one,
    :math:`C(0) - C(\sum_s p_s n_s) \le \sum_s n_s (C(0) - C(p_s))` for whole numbers
    :math:`n_s`: the secant row. The same argument on :math:`C^+` (convex, 0 up to the target)
    gives :math:`C^+(\sum_s p_s n_s) \ge \sum_s n_s C^+(p_s)`: the oversize row. Both hold at
    every integer point (:math:`Q_g = C_g(P)` there, the bands filling in order), so the
    optimum is unchanged; a fractional household no longer buys a cost reduction at the slope of
    the band it starts in: the LP pays the secant, :math:`n_s \cdot (C(0) - C(p_s))`.

    The LP bound of a 150-household weekly batch against the full weekly targets (shortfall in
    every gemeente) rises from 36,537 to 38,896 (optimum 39,062) and HiGHS needs 1.7 s instead
    of 6.9 s; batches with large targets (4-week, national) are unchanged (docs/performance.md).
    """
    if segments is None:
        return
    secant: dict[int, tuple[float, list[tuple[float, int]]]] = {}
    oversize: dict[int, list[tuple[float, int]]] = {}
    for g, keys in H.keys.items():
        c0 = quota_cost(inp, g, 0.0)
        sizes = [(float(inp.size_persons[s]), s) for (s, _) in keys]
        secant[g] = (c0, [(round(c0 - quota_cost(inp, g, p), 9), s) for p, s in sizes])
        over = [(quota_cost(inp, g, p, "over"), s) for p, s in sizes]
        if any(c > 1e-12 for c, _ in over):
            oversize[g] = [(c, s) for c, s in over if c > 1e-12]

    def cost(g: int, sides: tuple[str, ...]):
        return pyo.quicksum(slope * m.component(f"quota_band_{side}")[g, i]
                            for side in sides for i, (_, slope) in enumerate(segments[side][g]))

    m.QS = pyo.Set(initialize=sorted(secant))
    m.quota_secant = pyo.Constraint(m.QS, rule=lambda m, g: cost(g, ("over", "under")) + H.h_sum(
        [(d, s, g) for d, s in secant[g][1] if d != 0]) >= secant[g][0])
    m.QO = pyo.Set(initialize=sorted(oversize))
    m.quota_oversize_cost = pyo.Constraint(m.QO, rule=lambda m, g: cost(g, ("over",)) >= H.h_sum(
        [(c, s, g) for c, s in oversize[g]]))


def add_caps(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex) -> None:
    r"""``cap_persons`` (set ``CP``) :math:`\sum_s p_s H_{s,g} \le C^p_g` and ``cap_households``
    (set ``CH``) :math:`\sum_s H_{s,g} \le C^h_g` where a cap is given (leefbaarheid)."""
    by_g = H.keys
    cp = [g for g in range(inp.n_gemeenten) if np.isfinite(inp.cap_persons[g])]
    ch = [g for g in range(inp.n_gemeenten) if np.isfinite(inp.cap_households[g])]
    m.CP = pyo.Set(initialize=cp)
    m.CH = pyo.Set(initialize=ch)
    m.cap_persons = pyo.Constraint(m.CP, rule=lambda m, g: H.h_sum(
        [(int(inp.size_persons[s]), s, g) for (s, g) in by_g.get(g, [])]) <= float(inp.cap_persons[g])
        if by_g.get(g) else pyo.Constraint.Skip)
    m.cap_households = pyo.Constraint(m.CH, rule=lambda m, g: H.h_sum(
        [(1, s, g) for (s, g) in by_g.get(g, [])]) <= float(inp.cap_households[g])
        if by_g.get(g) else pyo.Constraint.Skip)


def add_resource_caps(m: pyo.ConcreteModel, inp: KoppelingInputs, H: GemeenteIndex) -> None:
    r"""``cap_resource`` (set ``GR`` of (g, r)): multi-dimensional capacities, one row per
    gemeente g and named resource r with a capacity :math:`C_{g,r}` (children, adults, seniors,
    households, any resource with a per-household usage):
    :math:`\sum_s u_{s,r} H_{s,g} \le C_{g,r}`, with :math:`u_{s,r}` the use of resource r by one
    household of size type s.

    Exact in the aggregated formulation because a size type fixes the usage of every resource
    (households with different usage are different size types, so a unit never merges them)."""
    rows: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
    if inp.resources and inp.resource_cap is not None and inp.size_usage is not None:
        for g, keys in H.keys.items():
            for r in range(len(inp.resources)):
                if np.isfinite(inp.resource_cap[g, r]):
                    terms = [(float(inp.size_usage[s, r]), s, g) for (s, _) in keys if inp.size_usage[s, r] != 0]
                    if terms:
                        rows[(g, r)] = terms
    m.GR = pyo.Set(initialize=sorted(rows), dimen=2, ordered=True)
    m.cap_resource = pyo.Constraint(m.GR, rule=lambda m, g, r: H.h_sum(rows[(g, r)]) <= float(inp.resource_cap[g, r]))


def add_minimax(m: pyo.ConcreteModel, inp: KoppelingInputs) -> None:
    r"""``minimax_deviation`` :math:`\mu \ge 0` (the worst relative deviation) and, only when
    the ``minimax`` weight is positive, ``minimax_bound``
    :math:`\mu \ge (e^+_g + e^-_g) / \sigma_g` for every gemeente."""
    m.minimax_deviation = pyo.Var(within=pyo.NonNegativeReals)
    if inp.weights.get("minimax", 0.0) > 0:
        mu, over, under = m.minimax_deviation, m.quota_over, m.quota_under
        m.minimax_bound = pyo.Constraint(m.G, rule=lambda m, g: (over[g] + under[g]) / float(inp.scale[g]) <= mu)


# ------------------------------------------------------------------------------------------
# Objective
# ------------------------------------------------------------------------------------------

def add_objective_terms(m: pyo.ConcreteModel, inp: KoppelingInputs, pairs: PairIndex | None,
                        segments: QuotaSegments | None = None) -> None:
    r"""Raw terms :math:`T_t` (expression ``objective_term[t]`` for every t in ``TERMS``) and
    ``objective`` :math:`\min \sum_t w_t T_t`.

    * own terms: :math:`\sum_o c^t_o a_o` (aggregated, ``pairs`` None) or
      :math:`\sum_{h,g} c^t_{h,g} x_{h,g}` (per household);
    * convex form (default): quota :math:`\sum_{g,i} c_{gi} (\beta^+_{gi} + \beta^-_{gi})
      = \sum_g \sigma_g (f(e^+_g/\sigma_g) + f(e^-_g/\sigma_g))` (weighted persons); pressure
      :math:`\sum_{g,i} \pi_g c_{gi} \beta^+_{gi}`;
    * linear form: quota :math:`\sum_g (e^+_g + e^-_g)/\sigma_g`; pressure :math:`\sum_g \pi_g e^+_g/\sigma_g`;
    * size_fit :math:`\sum (d-k) w_{g,k,d}`; sharing :math:`\sum_g v_g`; minimax :math:`\mu`;
    * unplaced :math:`\sum_h q_h`; waiting :math:`\sum_h \text{months}_h q_h`.
    """
    terms: dict[str, object] = {}
    if pairs is None:
        idx = list(m.O)
        for t in HOUSEHOLD_TERMS:
            terms[t] = _lin(inp.opt_terms[t][idx], [m.assign_count[o] for o in idx])
    else:
        P = list(m.P)
        for t in HOUSEHOLD_TERMS:
            terms[t] = _lin([pairs.cost[p][t] for p in P], [m.assign_pair[p] for p in P])
    terms["quota"], terms["pressure"] = _quota_terms(m, inp, segments)
    W = list(m.W)
    terms["size_fit"] = _lin([d - k for (_, k, d) in W], [m.dwelling_use[i] for i in W])
    terms["sharing"] = pyo.quicksum(m.dwelling_shared[g] for g in m.VG)
    terms["minimax"] = m.minimax_deviation if inp.weights.get("minimax", 0.0) > 0 else 0
    hs = list(m.Hh)
    q = m.assign_unplaced
    terms["unplaced"] = _lin(inp.hh_terms["unplaced"][hs], [q[h] for h in hs])
    terms["waiting"] = _lin(inp.hh_terms["waiting"][hs], [q[h] for h in hs])
    m.objective_term = pyo.Expression(list(TERMS), rule=lambda m, t: terms[t])
    m.objective = pyo.Objective(
        expr=pyo.quicksum(inp.weights.get(t, 0.0) * m.objective_term[t] for t in TERMS if inp.weights.get(t, 0.0) != 0),
        sense=pyo.minimize)


def _quota_terms(m: pyo.ConcreteModel, inp: KoppelingInputs, seg: QuotaSegments | None) -> tuple[object, object]:
    """The raw quota and pressure expressions of the chosen form (see add_objective_terms)."""
    if seg is not None:
        over, under = list(m.GB_over), list(m.GB_under)
        quota = _lin([seg["over"][g][i][1] for g, i in over] + [seg["under"][g][i][1] for g, i in under],
                     [m.quota_band_over[j] for j in over] + [m.quota_band_under[j] for j in under])
        pressure = _lin([inp.pressure[g] * seg["over"][g][i][1] for g, i in over], [m.quota_band_over[j] for j in over])
        return quota, pressure
    G = list(m.G)
    over, under = m.quota_over, m.quota_under
    quota = _lin(np.concatenate([1 / inp.scale, 1 / inp.scale]), [over[g] for g in G] + [under[g] for g in G])
    return quota, _lin(inp.pressure / inp.scale, [over[g] for g in G])


def build_model(inp: KoppelingInputs, formulation: Literal["aggregated", "per_household"] = "aggregated",
                quota_secants: bool = True) -> pyo.ConcreteModel:
    """Build the koppeling model: the families above, in a fixed order.

    ``quota_secants=False`` leaves out :func:`add_quota_secants` (valid inequalities: the same
    integer optimum, a weaker LP relaxation), for callers that read the plain LP's row duals
    (the simulation's look-ahead prices, :mod:`optimizer.simulation.prices`).

    The formulation's assignment families return the :class:`GemeenteIndex` that every
    gemeente family receives; the per-household formulation first builds its
    :class:`PairIndex` from the inputs.
    """
    m = pyo.ConcreteModel(name=f"koppeling-{formulation}")
    pairs: PairIndex | None = None
    if formulation == "aggregated":
        add_option_variables(m, inp)
        add_unit_balance(m, inp)
        add_zone_flows(m, inp)
        add_links_aggregated(m, inp)
        households = add_households_in_gemeente_aggregated(m, inp)
    elif formulation == "per_household":
        pairs = PairIndex.of(inp)
        add_pair_variables(m, inp, pairs)
        add_household_balance(m, pairs)
        add_links_per_household(m, inp, pairs)
        households = add_households_in_gemeente_per_household(m, inp, pairs)
    else:
        raise ValueError(f"unknown formulation {formulation!r}")
    add_quota(m, inp, households)
    segments = add_quota_bands(m, inp)
    add_oversize_cuts(m, inp, households)
    if quota_secants:
        add_quota_secants(m, inp, households, segments)
    add_dwelling_use(m, inp, households)
    add_caps(m, inp, households)
    add_resource_caps(m, inp, households)
    add_minimax(m, inp)
    add_objective_terms(m, inp, pairs, segments)
    return m
