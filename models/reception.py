r"""The reception model: integer reception places per gemeente from site options (pure
formulation, no I/O). Full documentation with the reasoning: ``docs/reception.md``.

Notation: :math:`g \in G` gemeenten, each in one province :math:`p(g)`; :math:`o \in O` site
options (small-scale, medium, large, ...) with sizes :math:`[\underline{z}_o, \bar z_o]`, at
most :math:`m_o` sites per gemeente, fixed cost :math:`c^{site}_o` and cost per place
:math:`c^{pl}_o` (EUR/year). Data per gemeente: integer fair share :math:`s_g`, existing places
:math:`e_g`, an upper bound :math:`U_g` on its places; per province a target
:math:`P_p` (= the provincial total, or the existing places when they already exceed it).

Variables: :math:`n_{go} \in \mathbb{Z}_+` sites and :math:`x_{go} \ge 0` new places of option
o in g, :math:`N_g = \sum_o x_{go} \in \mathbb{Z}_+` new places of g (an integer split of
:math:`N_g` over the options always exists and is restored after solving,
``optimizer.reception.solve.integral_split``);
:math:`u^+_g, u^-_g \ge 0` places above / below the share, split into bands of the relative
deviation; for the financing term tier amounts :math:`\delta_{gk}`, capped amounts, and
binaries where a piecewise-linear function must be exact whatever the objective pushes.

Places of g: :math:`X_g = e_g + N_g` (existing places are never closed).

Objective (minimise) = :math:`\sum_t w_t T_t` over the named terms :data:`TERMS`:

* deviation :math:`T^{dev} = \sum_g \hat s_g \left(\phi^- f(u^-_g / \hat s_g) + \phi^+ f(u^+_g / \hat s_g)\right)`
  minus its value at the deviations no decision can change, with
  :math:`\hat s_g = \max(s_g, \sigma)` and :math:`f` convex piecewise linear in the relative
  deviation (slope 1, 2, 4, 8, 16 per place beyond 0, 10, 25, 50, 75 % of the share by default): the
  penalty per place grows with the deviation *relative to the share*, so shortfalls are spread in
  proportion to the shares instead of piling up on a few gemeenten (weighted places);
* site_cost :math:`T^{site} = \sum_{g,o} (c^{site}_o n_{go} + c^{pl}_o x_{go}) / 10^6`
  (million EUR per year);
* financing :math:`T^{fin} = \sum_g (M_g - B_g) / 10^3` (million EUR per year; money variables are
  in thousand EUR): what the gemeenten pay net under the bonus-malus scheme, so a scheme steers
  the allocation the way it is meant to steer gemeenten (a malus makes a shortfall costly, a
  bonus makes hosting attractive). Its negative is the net cost to the State.

Payments :math:`B_g - M_g` (``payment``, thousand EUR, > 0 = the gemeente receives) follow
:mod:`optimizer.rules.bonus_malus` exactly; the extraction re-computes them with that module.

Raw terms: expression ``objective_term[t]``. Component names and conventions:
``models/__init__.py``; the families share one :class:`ReceptionIndex`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

#: Objective terms, in reporting order.
TERMS: tuple[str, ...] = ("deviation", "site_cost", "financing")
#: Money in the model is in thousand EUR (keeps big-M coefficients small).
KEUR = 1_000.0


@dataclass(frozen=True)
class SiteOption:
    """A kind of site: size bounds (places), sites per gemeente, costs (EUR/year)."""

    name: str
    min_size: int
    max_size: int
    max_sites: int
    durable: bool = False
    cost_per_site_eur: float = 0.0
    cost_per_place_eur: float = 0.0


@dataclass
class FinancingInputs:
    """The bonus-malus rule resolved into numbers (EUR per place; widths in places).

    ``*_widths`` have one row per gemeente and one column per tier (``inf`` = open tier);
    ``neutral_rate`` (budget-neutral schemes) replaces the surplus tiers by one rate per place
    above the share, fixed for this solve.
    """

    place_bonus_existing: float = 0.0
    place_bonus_site: dict[str, float] = field(default_factory=dict)
    surplus_widths: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    surplus_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shortfall_widths: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    shortfall_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    neutral_rate: float | None = None
    bonus_cap: np.ndarray | None = None  # EUR per gemeente, inf = none
    malus_cap: np.ndarray | None = None

    @property
    def has_surplus_part(self) -> bool:
        return (self.neutral_rate is not None and self.neutral_rate > 0) or bool(np.any(self.surplus_rates > 0))

    @property
    def has_shortfall_part(self) -> bool:
        return bool(np.any(self.shortfall_rates > 0))


@dataclass
class ReceptionInputs:
    """Plain, validated arrays for the model (built by :func:`optimizer.reception.run.prepare`)."""

    gemeenten: list[str]
    province: list[str]  # per gemeente
    share: np.ndarray  # int fair share per gemeente
    existing: np.ndarray  # int existing places per gemeente
    max_places: np.ndarray  # float: most places g may have (inf = no limit; >= existing)
    designated: np.ndarray  # bool: must reach its share
    excluded: np.ndarray  # bool: no new places
    province_target: dict[str, int]  # places each province must have in total
    sites: list[SiteOption]
    site_allowed: np.ndarray  # bool (G, O)
    weights: dict[str, float] = field(default_factory=lambda: {"deviation": 0.05, "site_cost": 1.0,
                                                               "financing": 1.0})
    shortfall_factor: float = 1.0
    surplus_factor: float = 1.0
    min_scale: float = 1.0
    band_ends: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75)  # relative deviation where the slope rises
    band_slopes: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)  # per place, non-decreasing (convex)
    need_cuts: bool = True  # the valid ``site_need`` inequalities (off only to measure their effect)
    financing: FinancingInputs | None = None

    @property
    def n(self) -> int:
        return len(self.gemeenten)

    def new_max(self) -> np.ndarray:
        """(G, O) most new places per option: ``min(m_o * zbar_o, U_g - e_g)`` where allowed;
        0 where not allowed, for excluded gemeenten, and where even one site of the option's
        minimum size would not fit under ``U_g`` (the option is then pruned)."""
        cap = np.array([s.max_sites * s.max_size for s in self.sites], dtype=float)
        lo = np.array([s.min_size for s in self.sites], dtype=float)
        out = np.where(self.site_allowed, cap[None, :], 0.0)
        out[self.excluded, :] = 0.0
        room = self._room()
        out = np.minimum(out, room[:, None])
        out[out < lo[None, :]] = 0.0
        return out

    def _room(self) -> np.ndarray:
        """Most new places g could take by its limits alone (gemeente max and province)."""
        e = self.existing.astype(float)
        room = np.maximum(self.max_places, e) - e
        prov = np.array(self.province)
        for p, target in self.province_target.items():
            members = prov == p
            others = e[members].sum() - e[members]
            room[members] = np.minimum(room[members], np.maximum(target - others - e[members], 0.0))
        return np.floor(room + 1e-9)

    def upper_places(self) -> np.ndarray:
        """``U_g``: most places g can have (existing + site capacity, gemeente max, province)."""
        e = self.existing.astype(float)
        return np.floor(e + np.minimum(self.new_max().sum(axis=1), self._room()) + 1e-9)


# ------------------------------------------------------------------------------------------
# Index object passed between families (built once in build_model)
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceptionIndex:
    r"""Positions and bounds the families share, from the inputs alone.

    ``gemeente[g]`` / ``site[o]``: row / column of gemeente code g / option name o in the input
    arrays; ``new_max`` :math:`R_{go}` (:meth:`ReceptionInputs.new_max`); ``upper`` :math:`U_g`
    (:meth:`ReceptionInputs.upper_places`); ``pairs`` the allowed (g, o), where
    :math:`R_{go} > 0` (the index set ``GO``); ``size_bounds[g, o]`` the places one site of o
    may hold in g, :math:`(\underline z_o, \min(\bar z_o, R_{go}))`.
    """

    gemeente: dict[str, int]
    site: dict[str, int]
    new_max: np.ndarray
    upper: np.ndarray
    pairs: list[tuple[str, str]]
    size_bounds: dict[tuple[str, str], tuple[float, float]]

    @classmethod
    def of(cls, inp: ReceptionInputs) -> ReceptionIndex:
        new_max = inp.new_max()
        pairs = [(g, s.name) for i, g in enumerate(inp.gemeenten) for j, s in enumerate(inp.sites)
                 if new_max[i, j] > 0]
        gemeente = {g: i for i, g in enumerate(inp.gemeenten)}
        site = {s.name: j for j, s in enumerate(inp.sites)}
        options = {s.name: s for s in inp.sites}
        size_bounds = {(g, o): (float(options[o].min_size),
                                min(float(options[o].max_size), float(new_max[gemeente[g], site[o]])))
                       for g, o in pairs}
        return cls(gemeente=gemeente, site=site, new_max=new_max, upper=inp.upper_places(), pairs=pairs,
                   size_bounds=size_bounds)


# ------------------------------------------------------------------------------------------
# Sets and variables
# ------------------------------------------------------------------------------------------

def add_sets(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    """``G`` gemeenten (gm codes), ``O`` site options, ``GO`` allowed pairs, ``P`` provinces."""
    m.G = pyo.Set(initialize=list(inp.gemeenten), ordered=True)
    m.O = pyo.Set(initialize=[s.name for s in inp.sites], ordered=True)
    m.GO = pyo.Set(initialize=ix.pairs, dimen=2, ordered=True)
    m.P = pyo.Set(initialize=sorted(inp.province_target), ordered=True)


def add_site_variables(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``places_new`` :math:`x_{go} \in [0, R_{go}]`, ``site_count``
    :math:`n_{go} \in \{0..m_o\}` integer, and ``places_new_total`` :math:`N_g` integer with
    ``places_new_sum`` :math:`N_g = \sum_o x_{go}`; only allowed pairs get variables
    (excluded gemeenten, gemeenten too small for an option, get none).

    The split :math:`x_{go}` is continuous: given integer :math:`n_{go}` and :math:`N_g` its
    constraints are boxes :math:`[\underline z_o n_{go}, \min(\bar z_o, R_{go}) n_{go}]` plus one
    sum with integer data, a totally unimodular system, so an integer split of equal cost exists
    (``optimizer.reception.solve.integral_split`` restores it after solving). Integer
    :math:`N_g` instead of integer :math:`x_{go}` cut the integer variables from 2,052 to 1,161
    and the solve time about fourfold (``docs/performance-reception.md``)."""
    new_max = ix.new_max

    def x_bounds(_, g, o):
        return (0, float(new_max[ix.gemeente[g], ix.site[o]]))

    def n_bounds(_, g, o):
        return (0, inp.sites[ix.site[o]].max_sites)

    m.places_new = pyo.Var(m.GO, domain=pyo.NonNegativeReals, bounds=x_bounds)
    m.site_count = pyo.Var(m.GO, domain=pyo.NonNegativeIntegers, bounds=n_bounds)
    rows = sorted({g for g, _ in m.GO}, key=ix.gemeente.get)
    m.places_new_total = pyo.Var(rows, domain=pyo.NonNegativeIntegers,
                                 bounds=lambda _, g: (0, float(new_max[ix.gemeente[g]].sum())))
    xt, x = m.places_new_total, m.places_new
    opts = {g: [o for (h, o) in m.GO if h == g] for g in rows}
    m.places_new_sum = pyo.Constraint(rows, rule=lambda _, g: xt[g] == sum(x[g, o] for o in opts[g]))


def add_places_expression(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``places_total`` :math:`X_g = e_g + \sum_o x_{go}`."""
    x = m.places_new
    by_g: dict[str, list] = {g: [] for g in inp.gemeenten}
    for g, o in m.GO:
        by_g[g].append(x[g, o])
    m.places_total = pyo.Expression(m.G, rule=lambda _, g: float(inp.existing[ix.gemeente[g]]) + sum(by_g[g]))


# ------------------------------------------------------------------------------------------
# Constraints
# ------------------------------------------------------------------------------------------

def add_site_size_constraints(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``site_size_min`` :math:`x_{go} \ge \underline z_o n_{go}` and ``site_size_max``
    :math:`x_{go} \le \min(\bar z_o, R_{go}) n_{go}`: n sites hold any integer number of places
    in :math:`[n \underline z_o, n \bar z_o]`, so places and site counts are exact.
    :math:`R_{go}` is the most new places option o can bring to g (site count, the gemeente's
    room under its maximum and its province); using it instead of :math:`\bar z_o` is valid
    (for :math:`n \ge 1`, :math:`x \le R \le R n`) and never looser. Options whose minimum
    size exceeds :math:`R_{go}` are pruned (:meth:`ReceptionInputs.new_max`)."""
    x, n = m.places_new, m.site_count
    site = {s.name: s for s in inp.sites}

    def size_max(_, g, o):  # x <= min(zbar_o, room_go) n is valid for every n >= 1 and tighter
        return x[g, o] <= ix.size_bounds[g, o][1] * n[g, o]

    m.site_size_min = pyo.Constraint(m.GO, rule=lambda _, g, o: x[g, o] >= site[o].min_size * n[g, o])
    m.site_size_max = pyo.Constraint(m.GO, rule=size_max)


def add_gemeente_max_constraints(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``gemeente_max`` :math:`X_g \le U_g` where :math:`U_g` is below the capacity of g's
    options (a per-gemeente maximum, e.g. places per 1,000 inhabitants, or the province)."""
    X = m.places_total
    x_cap = inp.existing + ix.new_max.sum(axis=1)
    rows = [g for g in inp.gemeenten if ix.upper[ix.gemeente[g]] < x_cap[ix.gemeente[g]]
            and any((g, o) in m.GO for o in m.O)]
    if not rows:
        return
    m.gemeente_max = pyo.Constraint(rows, rule=lambda _, g: X[g] <= float(ix.upper[ix.gemeente[g]]))


def add_designated_constraints(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``gemeente_designated`` :math:`X_g \ge s_g` for designated gemeenten (aanwijzing)."""
    X = m.places_total
    rows = [g for i, g in enumerate(inp.gemeenten) if inp.designated[i] and inp.share[i] > inp.existing[i]]
    if not rows:
        return
    m.gemeente_designated = pyo.Constraint(rows, rule=lambda _, g: X[g] >= float(inp.share[ix.gemeente[g]]))


def add_province_constraints(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``province_total`` :math:`\sum_{g \in p} X_g = P_p` (met exactly; :math:`P_p` is the
    provincial total, or the existing places of p when those already exceed it)."""
    X = m.places_total
    members: dict[str, list[str]] = {p: [] for p in m.P}
    for g, p in zip(inp.gemeenten, inp.province):
        members[p].append(g)
    m.province_total = pyo.Constraint(
        m.P, rule=lambda _, p: sum(X[g] for g in members[p]) == float(inp.province_target[p]))


def add_site_need_cuts(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``site_need[g,o]`` :math:`x_{go} \le \min(\bar z_o, d_g)\, n_{go} + u^+_g` with
    :math:`d_g = s_g - e_g \ge 0` the new places g needs to reach its share; only where
    :math:`d_g < \min(\bar z_o, R_{go})` (elsewhere it is implied).

    Valid for every integer solution: the new places of g are :math:`d_g + u^+_g - u^-_g`, so
    with :math:`n_{go} = 0` the left side is 0, and with :math:`n_{go} \ge 1`,
    :math:`x_{go} \le d_g + u^+_g \le d_g n_{go} + u^+_g`. Together with ``site_size_min`` it
    implies :math:`(\underline z_o - d_g) n_{go} \le u^+_g`: the LP relaxation can no longer
    use a fraction of a (cheap) large site in a gemeente that needs few places without paying
    for the surplus. It does not change the optimum; its effect on the root bound and the solve
    time is measured in ``docs/performance-reception.md``."""
    x, n = m.places_new, m.site_count
    up = m.deviation_surplus
    need = {g: float(inp.share[ix.gemeente[g]] - inp.existing[ix.gemeente[g]]) for g in inp.gemeenten}
    rows = [(g, o) for g, o in m.GO if 0 <= need[g] < ix.size_bounds[g, o][1]]
    if not rows or not inp.need_cuts:
        return
    m.site_need = pyo.Constraint(rows, rule=lambda _, g, o: x[g, o] <= need[g] * n[g, o] + up[g])


def _needs_side_binary(inp: ReceptionInputs) -> bool:
    fin = inp.financing
    return fin is not None and (fin.has_surplus_part or fin.has_shortfall_part)


def add_deviation_bands(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex, side: str, quantity,
                        limit: dict[str, float], forced: dict[str, float]) -> None:
    r"""``deviation_band_<side>[g,k]`` :math:`\beta_{gk} \in [0, (b_k - b_{k-1}) \hat s_g]` with
    ``deviation_bands_<side>[g]`` :math:`\sum_k \beta_{gk} = u_g`: the deviation split into bands
    of the relative deviation (ends :math:`b_k`, default 10 / 25 / 50 / 75 % of the share, the last
    open) minus the *forced* part :math:`\underline u_g` that no decision can change (existing
    places above the share; a limit below it): bands start at :math:`\underline u_g`, so
    :math:`\sum_k \beta_{gk} = u_g - \underline u_g` and the penalty
    :math:`\sum_k \text{slope}_k \beta_{gk} = \hat s_g (f(u_g/\hat s_g) - f(\underline u_g/\hat s_g))`.
    Slopes rise band by band and the term is minimised, so the bands fill in order without
    binaries. Leaving the constant out keeps the relative MIP gap meaningful."""
    ends = list(inp.band_ends)
    scale = {g: max(float(inp.share[ix.gemeente[g]]), float(inp.min_scale)) for g in inp.gemeenten}
    widths = {}
    for g in inp.gemeenten:
        start = float(forced[g])
        bounds = [0.0] + [e * scale[g] for e in ends] + [math.inf]
        w = [max(0.0, hi - max(lo, start)) for lo, hi in zip(bounds[:-1], bounds[1:])]
        widths[g] = _segments(np.array(w), limit[g] - start)
    idx = [(g, k) for g in inp.gemeenten for k in range(len(ends) + 1) if widths[g][k] > 0]
    m.add_component(f"deviation_band_{side}", pyo.Var(idx, bounds=lambda _, g, k: (0.0, widths[g][k])))
    b = m.component(f"deviation_band_{side}")
    by_g: dict[str, list[int]] = {g: [] for g in inp.gemeenten}
    for g, k in idx:
        by_g[g].append(k)
    m.add_component(f"deviation_bands_{side}", pyo.Constraint(
        m.G, rule=lambda _, g: (sum(b[g, k] for k in by_g[g]) if by_g[g] else 0.0) == quantity[g] - forced[g]))


def add_deviation(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``deviation_surplus`` :math:`u^+_g \in [0, U_g - s_g]`, ``deviation_shortfall``
    :math:`u^-_g \in [0, s_g]` and ``deviation_balance`` :math:`X_g - u^+_g + u^-_g = s_g`;
    their bands (:func:`add_deviation_bands`, shortfall first, then surplus).

    When payments depend on the surplus or shortfall, a binary ``deviation_side`` :math:`y_g`
    keeps one of them zero (``deviation_side_surplus`` :math:`u^+_g \le (U_g - s_g) y_g`,
    ``deviation_side_shortfall`` :math:`u^-_g \le s_g (1 - y_g)`): otherwise a bonus above a
    malus rate would pay for raising both."""
    X = m.places_total
    i = ix.gemeente
    upper = {g: max(0.0, float(ix.upper[i[g]] - inp.share[i[g]])) for g in inp.gemeenten}
    lower_surplus = {g: max(0.0, float(inp.existing[i[g]] - inp.share[i[g]])) for g in inp.gemeenten}
    m.deviation_surplus = pyo.Var(m.G, bounds=lambda _, g: (lower_surplus[g], max(upper[g], lower_surplus[g])))
    m.deviation_shortfall = pyo.Var(m.G, bounds=lambda _, g: (
        max(0.0, float(inp.share[i[g]] - ix.upper[i[g]])), float(inp.share[i[g]])))
    up, dn = m.deviation_surplus, m.deviation_shortfall
    m.deviation_balance = pyo.Constraint(m.G, rule=lambda _, g: X[g] - up[g] + dn[g] == float(inp.share[i[g]]))
    share = {g: float(inp.share[i[g]]) for g in inp.gemeenten}
    forced_short = {g: max(0.0, share[g] - float(ix.upper[i[g]])) for g in inp.gemeenten}
    add_deviation_bands(m, inp, ix, "shortfall", dn, share, forced_short)
    add_deviation_bands(m, inp, ix, "surplus", up, {g: max(upper[g], lower_surplus[g]) for g in inp.gemeenten},
                        lower_surplus)
    if not _needs_side_binary(inp):
        return
    rows = [g for g in inp.gemeenten if upper[g] > 0 and inp.share[i[g]] > 0]
    if not rows:
        return
    m.deviation_side = pyo.Var(rows, domain=pyo.Binary)
    y = m.deviation_side
    m.deviation_side_surplus = pyo.Constraint(rows, rule=lambda _, g: up[g] <= upper[g] * y[g])
    m.deviation_side_shortfall = pyo.Constraint(rows, rule=lambda _, g: dn[g] <= float(inp.share[i[g]]) * (1 - y[g]))


def _segments(widths: np.ndarray, limit: float) -> list[float]:
    """Tier widths clipped to a total of ``limit`` (the most the quantity can reach)."""
    out, room = [], max(0.0, limit)
    for w in widths:
        take = min(float(w), room)
        out.append(take)
        room -= take
    return out


def _add_tiers(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex, side: str, quantity,
               widths: np.ndarray, rates: np.ndarray, limit: dict[str, float], ordered: bool) -> dict[str, object]:
    r"""Piecewise-linear tier amounts ``<side>_tier`` :math:`\delta_{gk} \in [0, w_{gk}]` with
    ``<side>_tiers`` :math:`\sum_k \delta_{gk} = q_g`; amount :math:`\sum_k r_k \delta_{gk}`.

    Unless the objective already fills the tiers in order (convex costs minimised, concave
    gains maximised), binaries ``<side>_tier_full`` :math:`z_{gk}` enforce the order
    (incremental formulation): ``<side>_tier_fill`` :math:`\delta_{gk} \ge w_{gk} z_{gk}`,
    ``<side>_tier_next`` :math:`\delta_{g,k+1} \le w_{g,k+1} z_{gk}`. Returns the amount
    expression (thousand EUR) per gemeente."""
    K = len(rates)
    seg = {g: _segments(widths[ix.gemeente[g]], limit[g]) for g in inp.gemeenten}
    idx = [(g, k) for g in inp.gemeenten for k in range(K) if seg[g][k] > 0]
    m.add_component(f"{side}_tier", pyo.Var(idx, bounds=lambda _, g, k: (0.0, seg[g][k])))
    d = m.component(f"{side}_tier")
    by_g: dict[str, list[int]] = {g: [] for g in inp.gemeenten}
    for g, k in idx:
        by_g[g].append(k)
    rows = [g for g in inp.gemeenten if by_g[g]]
    m.add_component(f"{side}_tiers", pyo.Constraint(rows, rule=lambda _, g: sum(d[g, k] for k in by_g[g]) == quantity[g]))
    if not ordered:
        pairs = [(g, k) for g in rows for k in by_g[g] if (g, k + 1) in d]
        if pairs:
            m.add_component(f"{side}_tier_full", pyo.Var(pairs, domain=pyo.Binary))
            z = m.component(f"{side}_tier_full")
            m.add_component(f"{side}_tier_fill", pyo.Constraint(pairs, rule=lambda _, g, k: d[g, k] >= seg[g][k] * z[g, k]))
            m.add_component(f"{side}_tier_next", pyo.Constraint(
                pairs, rule=lambda _, g, k: d[g, k + 1] <= seg[g][k + 1] * z[g, k]))
    return {g: sum(float(rates[k]) / KEUR * d[g, k] for k in by_g[g]) for g in inp.gemeenten}


def _add_cap(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex, side: str, raw: dict[str, object],
             raw_max: dict[str, float], cap: np.ndarray | None, maximised: bool) -> dict[str, object]:
    r"""Capped amount ``<side>_capped`` :math:`a_g = \min(A_g, C_g)` where a cap is finite
    (thousand EUR): ``<side>_cap_raw`` :math:`a_g \le A_g`, ``<side>_capped`` bounds
    :math:`a_g \le C_g`; when the objective does not push :math:`a_g` up, a binary
    ``<side>_cap_active`` :math:`c_g` adds ``<side>_cap_below_raw``
    :math:`a_g \ge A_g - \bar A_g c_g` and ``<side>_cap_below_limit`` :math:`a_g \ge C_g c_g`."""
    if cap is None:
        return raw
    i = ix.gemeente
    rows = [g for g in inp.gemeenten if math.isfinite(cap[i[g]]) and cap[i[g]] / KEUR < raw_max[g] - 1e-9]
    if not rows:
        return raw
    C = {g: float(cap[i[g]]) / KEUR for g in rows}
    m.add_component(f"{side}_capped", pyo.Var(rows, bounds=lambda _, g: (0.0, C[g])))
    a = m.component(f"{side}_capped")
    m.add_component(f"{side}_cap_raw", pyo.Constraint(rows, rule=lambda _, g: a[g] <= raw[g]))
    if not maximised:
        m.add_component(f"{side}_cap_active", pyo.Var(rows, domain=pyo.Binary))
        c = m.component(f"{side}_cap_active")
        m.add_component(f"{side}_cap_below_raw", pyo.Constraint(rows, rule=lambda _, g: a[g] >= raw[g] - raw_max[g] * c[g]))
        m.add_component(f"{side}_cap_below_limit", pyo.Constraint(rows, rule=lambda _, g: a[g] >= C[g] * c[g]))
    out = dict(raw)
    out.update({g: a[g] for g in rows})
    return out


def add_financing(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""Bonus :math:`B_g` and malus :math:`M_g` (thousand EUR) per :mod:`optimizer.rules.bonus_malus`:

    * place bonus :math:`PB_g = r_e e_g + \sum_o r_o x_{go}` (rate by durable / temporary);
    * surplus bonus: tiers on :math:`u^+_g` (``bonus_tier``, :func:`_add_tiers`), or
      :math:`\hat b u^+_g` with the budget-neutral rate :math:`\hat b` fixed for this solve;
    * malus: tiers on :math:`u^-_g` (``malus_tier``);
    * caps: :math:`B_g = \min(PB_g + SB_g, C^B_g)`, :math:`M_g = \min(T(u^-_g), C^M_g)`
      (``bonus_capped``, ``malus_capped``, :func:`_add_cap`).

    Expressions ``bonus``, ``malus`` and ``payment`` :math:`= B_g - M_g` per gemeente. Binaries
    are added only where the objective does not already make a piecewise function exact
    (``financing`` weight 0 always gets them, so reported values are exact too)."""
    fin = inp.financing
    zero = {g: 0.0 for g in inp.gemeenten}
    if fin is None:
        m.bonus = pyo.Expression(m.G, rule=lambda _, g: 0.0)
        m.malus = pyo.Expression(m.G, rule=lambda _, g: 0.0)
        m.payment = pyo.Expression(m.G, rule=lambda _, g: 0.0)
        return
    w = float(inp.weights.get("financing", 0.0))
    up, dn = m.deviation_surplus, m.deviation_shortfall
    x = m.places_new
    i = ix.gemeente
    upper = {g: max(0.0, float(ix.upper[i[g]] - inp.share[i[g]])) for g in inp.gemeenten}
    share = {g: float(inp.share[i[g]]) for g in inp.gemeenten}

    # place bonus (linear)
    rate_site = {o: float(fin.place_bonus_site.get(o, 0.0)) / KEUR for o in m.O}
    place = {g: float(fin.place_bonus_existing) / KEUR * float(inp.existing[i[g]]) for g in inp.gemeenten}
    place_max = dict(place)
    site_rates = [rate_site[o] for o in m.O] or [0.0]
    for g, o in m.GO:
        place[g] = place[g] + rate_site[o] * x[g, o]
    for g in inp.gemeenten:
        place_max[g] += max(site_rates) * max(0.0, ix.upper[i[g]] - inp.existing[i[g]])

    # surplus bonus
    if fin.neutral_rate is not None:
        rate = float(fin.neutral_rate) / KEUR
        surplus = {g: rate * up[g] for g in inp.gemeenten}
        surplus_max = {g: rate * upper[g] for g in inp.gemeenten}
    elif np.any(fin.surplus_rates > 0):
        rates = fin.surplus_rates
        ordered = w > 0 and bool(np.all(np.diff(rates) <= 0))  # concave gain, maximised
        surplus = _add_tiers(m, inp, ix, "bonus", up, fin.surplus_widths, rates, upper, ordered)
        surplus_max = {g: sum(r / KEUR * s for r, s in zip(rates, _segments(fin.surplus_widths[i[g]], upper[g])))
                       for g in inp.gemeenten}
    else:
        surplus, surplus_max = zero, zero
    bonus_raw = {g: place[g] + surplus[g] for g in inp.gemeenten}
    bonus_max = {g: place_max[g] + surplus_max[g] for g in inp.gemeenten}
    bonus = _add_cap(m, inp, ix, "bonus", bonus_raw, bonus_max, fin.bonus_cap, maximised=w > 0)

    # malus
    if np.any(fin.shortfall_rates > 0):
        rates = fin.shortfall_rates
        ordered = w > 0 and bool(np.all(np.diff(rates) >= 0))  # convex cost, minimised
        malus_raw = _add_tiers(m, inp, ix, "malus", dn, fin.shortfall_widths, rates, share, ordered)
        malus_max = {g: sum(r / KEUR * s for r, s in zip(rates, _segments(fin.shortfall_widths[i[g]], share[g])))
                     for g in inp.gemeenten}
        malus = _add_cap(m, inp, ix, "malus", malus_raw, malus_max, fin.malus_cap, maximised=False)
    else:
        malus = zero

    m.bonus = pyo.Expression(m.G, rule=lambda _, g: bonus[g])
    m.malus = pyo.Expression(m.G, rule=lambda _, g: malus[g])
    B, M = m.bonus, m.malus
    m.payment = pyo.Expression(m.G, rule=lambda _, g: B[g] - M[g])


# ------------------------------------------------------------------------------------------
# Objective
# ------------------------------------------------------------------------------------------

def add_objective_terms(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""Raw terms ``objective_term[t]`` for t in :data:`TERMS` (deviation, site_cost,
    financing; units in the module docstring). The deviation sums both sides' bands,
    ``deviation_band_shortfall`` then ``deviation_band_surplus``."""
    slopes = list(inp.band_slopes)
    factor = {"shortfall": inp.shortfall_factor, "surplus": inp.surplus_factor}
    bands = {side: m.component(f"deviation_band_{side}") for side in ("shortfall", "surplus")}
    deviation = sum(factor[side] * slopes[k] * band[g, k] for side, band in bands.items() for (g, k) in band)
    x, n = m.places_new, m.site_count
    site = {s.name: s for s in inp.sites}
    site_cost = sum((site[o].cost_per_site_eur * n[g, o] + site[o].cost_per_place_eur * x[g, o]) / 1e6
                    for g, o in m.GO)
    B, M = m.bonus, m.malus
    financing = sum(M[g] - B[g] for g in inp.gemeenten) / KEUR
    terms = {"deviation": deviation, "site_cost": site_cost, "financing": financing}
    m.objective_term = pyo.Expression(list(TERMS), rule=lambda _, t: terms[t])


def add_objective(m: pyo.ConcreteModel, inp: ReceptionInputs, ix: ReceptionIndex) -> None:
    r"""``objective``: minimise :math:`\sum_t w_t T_t` (terms with weight 0 are left out)."""
    weights = {t: float(inp.weights.get(t, 0.0)) for t in TERMS}
    expr = sum(weights[t] * m.objective_term[t] for t in TERMS if weights[t] != 0.0)
    m.objective = pyo.Objective(expr=expr if not isinstance(expr, int) else 0.0, sense=pyo.minimize)


#: The model's families in build order; each is called as ``family(m, inputs, index)`` (a family
#: that needs no index ignores it).
FAMILIES = (
    add_sets, add_site_variables, add_places_expression, add_site_size_constraints,
    add_gemeente_max_constraints, add_designated_constraints, add_province_constraints, add_deviation,
    add_site_need_cuts, add_financing, add_objective_terms, add_objective,
)


def build_model(inputs: ReceptionInputs) -> pyo.ConcreteModel:
    """Build the reception model: the :data:`FAMILIES` in their fixed order. The
    :class:`ReceptionIndex` is built once here and passed to every family."""
    ix = ReceptionIndex.of(inputs)
    m = pyo.ConcreteModel(name="reception")
    for family in FAMILIES:
        family(m, inputs, ix)
    return m
