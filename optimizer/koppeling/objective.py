"""The koppeling objective of a given assignment: the one evaluator every caller uses.

The model (:mod:`models.koppeling`) is the formulation HiGHS optimises. This module computes
the same named terms (``TERMS``) for any *assignment* — the gemeente of each decision household
(or none), the dwelling class it gets and whether it shares a class-2 dwelling — raw and
weighted, per household, per gemeente and in total (:func:`evaluate`).

Extraction (the proposal's term columns and totals, :mod:`optimizer.koppeling.extract`), the
explanations (the objective change of a one-household move, :mod:`optimizer.koppeling.explain`)
and the primal heuristic (:mod:`optimizer.koppeling.heuristic`) call the same small functions, one per term
family:

* own terms (labour, continuity, tie, change) of a household at its gemeente: :func:`own_terms`;
* unplaced terms (unplaced, waiting): :func:`unplaced_terms`;
* quota and pressure of a gemeente at P persons: :func:`deviation`, :func:`relative_deviation`,
  :func:`band_penalty` (the convex form's piecewise linear function), :func:`quota_terms` (raw)
  and :func:`gemeente_cost` (weighted);
* dwelling fit and sharing: :func:`dwelling_terms` (raw), :func:`dwelling_cost`,
  :func:`cheapest_dwelling` and :func:`dwelling_release` (weighted), and the exact least
  dwelling cost of a gemeente's households, :func:`best_dwelling_cost`;
* minimax: :func:`minimax`.

The tests check, on every solved test instance, that the raw term totals of :func:`evaluate`
equal the model's own term expressions (``model.objective_term[t]``) for every term with a positive
weight (a term with weight 0 is not determined by the optimum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.koppeling import GEMEENTE_TERMS, HOUSEHOLD_TERMS, SHARED_CLASS, TERMS, UNPLACED_TERMS, KoppelingInputs

#: Raw terms reported per household: own terms, dwelling fit and sharing, unplaced terms.
PER_HOUSEHOLD = HOUSEHOLD_TERMS + ("size_fit", "sharing") + UNPLACED_TERMS
CLASSES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Assignment:
    """A complete decision for every decision household (model order)."""

    gemeente: np.ndarray  # gemeente index, -1 = unplaced
    dwelling_class: np.ndarray  # class 1..5 of the dwelling it gets (0 when unplaced)
    shared: np.ndarray  # bool: shares a class-2 dwelling with another single adult


@dataclass
class Evaluation:
    """Every named term of an assignment, raw and weighted."""

    assignment: Assignment
    weights: dict[str, float]
    persons: np.ndarray  # per household
    need: np.ndarray  # per household: dwelling class needed
    household: dict[str, np.ndarray]  # raw term per household (PER_HOUSEHOLD)
    gemeente: dict[str, np.ndarray]  # raw term per gemeente (GEMEENTE_TERMS)
    gemeente_persons: np.ndarray  # persons linked per gemeente
    gemeente_households: np.ndarray  # households linked per gemeente
    over: np.ndarray  # persons above the target, per gemeente
    under: np.ndarray  # persons below the target, per gemeente
    relative_deviation: np.ndarray  # (over + under) / scale, per gemeente
    dwellings_used: np.ndarray  # (gemeenten, 5): dwellings of class 1..5 used (a shared one once)
    terms: dict[str, float]  # raw totals (TERMS)
    weighted: dict[str, float]  # weight * raw total
    objective: float  # sum of the weighted totals

    def weighted_household(self) -> dict[str, np.ndarray]:
        """Weighted term per household (objective points)."""
        return {t: self.weights.get(t, 0.0) * v for t, v in self.household.items()}

    def weighted_gemeente(self) -> dict[str, np.ndarray]:
        """Weighted term per gemeente (objective points)."""
        return {t: self.weights.get(t, 0.0) * v for t, v in self.gemeente.items()}


# ------------------------------------------------------------------------------------------
# Term families
# ------------------------------------------------------------------------------------------

def household_sizes(inp: KoppelingInputs) -> tuple[np.ndarray, np.ndarray]:
    """Persons and needed dwelling class of every decision household."""
    size = inp.unit_size[inp.hh_unit]
    return inp.size_persons[size], inp.size_class[size]


def own_terms(inp: KoppelingInputs, gemeente: np.ndarray) -> dict[str, np.ndarray]:
    """Raw own terms (labour, continuity, ..., change) of each household at its gemeente (0 when
    unplaced): those of the cheapest option of its unit covering that gemeente
    (:attr:`KoppelingInputs.own_cost`)."""
    _, best = inp.own_cost
    linked = gemeente >= 0
    option = best[inp.hh_unit[linked], gemeente[linked]]
    if (option < 0).any():
        raise ValueError("a household is linked to a gemeente it may not go to")
    out = {}
    for t in HOUSEHOLD_TERMS:
        values = np.zeros(len(gemeente))
        values[linked] = inp.opt_terms[t][option]
        out[t] = values
    return out


def unplaced_terms(inp: KoppelingInputs, gemeente: np.ndarray) -> dict[str, np.ndarray]:
    """Raw unplaced terms (one household, months waited) of each household left unplaced."""
    return {t: np.where(gemeente < 0, inp.hh_terms[t], 0.0) for t in UNPLACED_TERMS}


def deviation(inp: KoppelingInputs, persons: np.ndarray, g=slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """Over- and under-shoot of the targets of gemeenten ``g`` (default all) at ``persons``."""
    target = inp.target[g]
    return np.maximum(persons - target, 0.0), np.maximum(target - persons, 0.0)


def relative_deviation(inp: KoppelingInputs, persons: np.ndarray, g=slice(None)) -> np.ndarray:
    """|persons - target| / scale of gemeenten ``g`` (default all): the raw quota term."""
    over, under = deviation(inp, persons, g)
    return (over + under) / inp.scale[g]


def band_penalty(inp: KoppelingInputs, persons_off: np.ndarray, g=slice(None)) -> np.ndarray:
    """Convex form: sigma_g * f(persons_off / sigma_g) of gemeenten ``g``, f piecewise linear in
    the relative deviation with slope ``band_slopes[k]`` between ``band_ends[k-1]`` and
    ``band_ends[k]`` (weighted persons; ``models.koppeling.add_quota_bands``)."""
    scale = inp.scale[g]
    ends = np.array((0.0, *inp.band_ends, np.inf))
    off = np.asarray(persons_off, dtype=float)
    out = np.zeros(np.broadcast(off, scale).shape)
    for k, slope in enumerate(inp.band_slopes):
        lo, hi = ends[k] * scale, ends[k + 1] * scale
        out = out + slope * np.clip(off - lo, 0.0, hi - lo)
    return out


def quota_terms(inp: KoppelingInputs, persons: np.ndarray, g=slice(None)) -> tuple[np.ndarray, np.ndarray]:
    """Raw quota and pressure terms of gemeenten ``g`` (default all) at ``persons``: convex form
    sigma (f(over / sigma) + f(under / sigma)) and pressure * sigma f(over / sigma) (weighted
    persons); linear form (over + under) / sigma and pressure * over / sigma."""
    over, under = deviation(inp, persons, g)
    if inp.quota_form == "convex":
        above = band_penalty(inp, over, g)
        return above + band_penalty(inp, under, g), inp.pressure[g] * above
    return (over + under) / inp.scale[g], inp.pressure[g] * over / inp.scale[g]


def _gemeente_cost(inp: KoppelingInputs, persons: np.ndarray, g=slice(None)) -> np.ndarray:
    """:func:`gemeente_cost` computed from :func:`quota_terms`."""
    quota, pressure = quota_terms(inp, persons, g)
    return inp.weights.get("quota", 0.0) * quota + inp.weights.get("pressure", 0.0) * pressure


#: Most cells of the table of :func:`gemeente_cost` per whole number of persons (gemeenten x
#: persons; 4 million doubles = 32 MB); beyond it the cost is computed.
COST_TABLE_CELLS = 4_000_000


def cost_table(inp: KoppelingInputs) -> np.ndarray:
    """(gemeenten, W): :func:`gemeente_cost` of every gemeente at 0, 1, ..., W - 1 persons, W twice
    the persons of all decision households + 1 (a trial move may count a household twice; at
    most :data:`COST_TABLE_CELLS` cells). Computed
    once per inputs (the same arithmetic, so a lookup equals the computation bit for bit): the
    heuristic and the explanations evaluate the cost tens of thousands of times."""
    table = inp.__dict__.get("_gemeente_cost_table")
    if table is None:
        persons = float(np.sum(inp.size_persons[inp.unit_size[inp.hh_unit]])) if len(inp.hh_unit) else 0.0
        G = inp.n_gemeenten
        width = int(min(2 * persons + 1, COST_TABLE_CELLS // max(G, 1)))
        grid = np.broadcast_to(np.arange(width, dtype=float), (G, width))
        table = _gemeente_cost(inp, grid, (slice(None), None)) if G and width else np.zeros((G, 0))
        inp.__dict__["_gemeente_cost_table"] = table
    return table


def gemeente_cost(inp: KoppelingInputs, persons: np.ndarray, g=slice(None)) -> np.ndarray:
    """Weighted quota + pressure terms of gemeenten ``g`` (default all) at ``persons``: looked up
    in :func:`cost_table` where ``persons`` are whole and within it, computed otherwise."""
    table = cost_table(inp)
    x = np.asarray(persons, dtype=float)
    with np.errstate(invalid="ignore"):
        i = x.astype(np.int64)
    if x.size and table.shape[1] and i.min() >= 0 and i.max() < table.shape[1] and np.array_equal(i, x):
        return table[np.arange(inp.n_gemeenten)[g], i]
    return _gemeente_cost(inp, persons, g)


def minimax(inp: KoppelingInputs, relative_deviation: np.ndarray) -> float:
    """Raw minimax term: the largest relative deviation (0 when the term is switched off)."""
    on = inp.weights.get("minimax", 0.0) > 0 and len(relative_deviation)
    return float(relative_deviation.max()) if on else 0.0


def dwelling_terms(need: np.ndarray, a: Assignment) -> tuple[np.ndarray, np.ndarray]:
    """Raw size fit (classes above the class needed) and sharing (half a shared dwelling) per
    household."""
    size_fit = np.where((a.gemeente >= 0) & ~a.shared, a.dwelling_class - need, 0).astype(float)
    return size_fit, np.where(a.shared, 0.5, 0.0)


def dwelling_cost(inp: KoppelingInputs, size_steps, shared_pairs):
    """Weighted size fit and sharing of ``size_steps`` classes above need and ``shared_pairs``
    shared dwellings."""
    return inp.weights.get("size_fit", 0.0) * size_steps + inp.weights.get("sharing", 0.0) * shared_pairs


def cheapest_dwelling(inp: KoppelingInputs, need: int, free: np.ndarray, lone: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Per gemeente: the weighted dwelling cost of housing one more household of class ``need``
    and the class it gets (0: it shares a class-2 dwelling with a single living alone in one;
    -1: nothing fits, cost inf). ``free`` (gemeenten, 5) are the free dwellings, ``lone`` the
    singles alone in a class-2 dwelling per gemeente."""
    ws, wsh = inp.weights.get("size_fit", 0.0), inp.weights.get("sharing", 0.0)
    avail = free[:, need - 1:] > 0
    has = avail.any(axis=1)
    cost = np.where(has, ws * np.argmax(avail, axis=1), np.inf)
    cls = np.where(has, np.argmax(avail, axis=1) + need, -1)
    if need == 1 and inp.sharing:
        share = np.where(lone > 0, wsh - ws, np.inf)  # the lone single's size step becomes a shared pair
        cls = np.where(share < cost, 0, cls)
        cost = np.minimum(cost, share)
    return cost, cls


def min_size_steps(counts, offered) -> float:
    """Fewest dwelling-class steps above need with which ``counts[k-1]`` households needing class
    k (k = 1..5) are each housed in one dwelling of class >= k out of ``offered[d-1]`` dwellings
    of class d; inf when they do not fit.

    Greedy, largest need first, each in the smallest free class that fits. It is optimal: the
    largest need fits only in classes >= it, and giving it the smallest such class leaves every
    smaller need at least the same choice (exchange argument).
    """
    cap = [int(x) for x in offered]
    steps = 0
    for k in range(len(CLASSES), 0, -1):
        left = int(counts[k - 1])
        for d in range(k, len(CLASSES) + 1):
            if not left:
                break
            take = min(left, cap[d - 1])
            cap[d - 1] -= take
            left -= take
            steps += take * (d - k)
        if left:
            return float("inf")
    return float(steps)


def best_dwelling_cost(inp: KoppelingInputs, counts, offered) -> float:
    r"""The least weighted size-fit + sharing cost of housing ``counts`` (households per needed
    class 1..5) in one gemeente offering ``offered`` (dwellings per class); inf if impossible.

    :math:`\min_{v} w_{sharing} v + w_{size} \cdot steps(n_1 - 2v, D_2 - v)` over
    :math:`0 \le v \le \min(\lfloor n_1/2 \rfloor, D_2)` pairs of singles sharing a class-2
    dwelling (none without ``inp.sharing``), :func:`min_size_steps` for the rest: the dwelling
    part of the model (``dwelling_need``, ``dwelling_capacity``) for one gemeente, solved exactly.
    """
    ws, wsh = inp.weights.get("size_fit", 0.0), inp.weights.get("sharing", 0.0)
    n = [int(x) for x in counts]
    if min(n) < 0:
        return float("inf")
    pairs = min(n[0] // 2, int(offered[SHARED_CLASS - 1])) if inp.sharing else 0
    best = float("inf")
    for v in range(pairs + 1):
        cap = [int(x) for x in offered]
        cap[SHARED_CLASS - 1] -= v
        steps = min_size_steps([n[0] - 2 * v, *n[1:]], cap)
        if steps < float("inf"):
            best = min(best, wsh * v + ws * steps)
    return best


def needs_per_gemeente(inp: KoppelingInputs, gemeente: np.ndarray, need: np.ndarray) -> np.ndarray:
    """(gemeenten, 5): linked households per gemeente and needed dwelling class."""
    counts = np.zeros((inp.n_gemeenten, len(CLASSES)), dtype=int)
    linked = gemeente >= 0
    np.add.at(counts, (gemeente[linked], need[linked] - 1), 1)
    return counts


def dwelling_release(inp: KoppelingInputs, need, dwelling_class, shared):
    """Weighted dwelling cost change when a household leaves its dwelling: its size-fit points
    go; a sharer's partner then lives alone in the class-2 dwelling (a size step, no pair)."""
    ws, wsh = inp.weights.get("size_fit", 0.0), inp.weights.get("sharing", 0.0)
    return np.where(shared, -wsh + ws, -ws * (dwelling_class - need))


def dwellings_used(inp: KoppelingInputs, a: Assignment) -> np.ndarray:
    """Dwellings of class 1..5 used per gemeente (a shared dwelling counts once)."""
    linked = a.gemeente >= 0
    used = np.zeros((inp.n_gemeenten, len(CLASSES)), dtype=int)
    for d in CLASSES:
        sel = linked & (a.dwelling_class == d)
        count = np.bincount(a.gemeente[sel], weights=np.where(a.shared[sel], 0.5, 1.0), minlength=inp.n_gemeenten)
        used[:, d - 1] = count.round().astype(int)
    return used


# ------------------------------------------------------------------------------------------
# The evaluator
# ------------------------------------------------------------------------------------------

def evaluate(inp: KoppelingInputs, a: Assignment) -> Evaluation:
    """Every named term of assignment ``a``: raw and weighted, per household, per gemeente and
    in total (over- and under-shoot are the smallest the assignment allows)."""
    w = inp.weights
    persons, need = household_sizes(inp)
    gm = a.gemeente
    linked = gm >= 0
    size_fit, sharing = dwelling_terms(need, a)
    household = {**own_terms(inp, gm), "size_fit": size_fit, "sharing": sharing, **unplaced_terms(inp, gm)}
    G = inp.n_gemeenten
    p_g = np.bincount(gm[linked], weights=persons[linked], minlength=G)
    over, under = deviation(inp, p_g)
    quota, pressure = quota_terms(inp, p_g)
    relative = relative_deviation(inp, p_g)
    gemeente = {"quota": quota, "pressure": pressure,
                "size_fit": np.bincount(gm[linked], weights=size_fit[linked], minlength=G),
                "sharing": np.bincount(gm[linked], weights=sharing[linked], minlength=G)}
    terms = {t: float(household[t].sum()) for t in HOUSEHOLD_TERMS + UNPLACED_TERMS}
    terms.update({t: float(gemeente[t].sum()) for t in GEMEENTE_TERMS})
    terms["minimax"] = minimax(inp, relative)
    weighted = {t: w.get(t, 0.0) * terms[t] for t in TERMS}
    return Evaluation(assignment=a, weights=w, persons=persons, need=need, household=household, gemeente=gemeente,
                      gemeente_persons=p_g, gemeente_households=np.bincount(gm[linked], minlength=G),
                      over=over, under=under, relative_deviation=relative, dwellings_used=dwellings_used(inp, a),
                      terms=terms, weighted=weighted, objective=float(sum(weighted.values())))
