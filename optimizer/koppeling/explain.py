"""Explanations: why each household goes where it goes, and what the alternatives would cost.

**Alternatives** are the exact objective change of a *one-household move* (a referent and its
nareizigers in the same batch move together): the solution that differs from the proposal
only in this household's gemeente (g0 -> g) and in the dwellings of g0 and g, which are
re-assigned optimally among the households living there (so a dwelling the household frees
may go to another household of g0, and the household may take a dwelling another household
of g gives up for a better-fitting one). Own terms, quota, pressure, minimax, caps and the
dwelling cost of both gemeenten are accounted for; every other household keeps its gemeente
and dwelling. The reported ``delta`` is that solution's objective minus the proposal's
(points); for a proven-optimal solution it is never below ``-(objective - bound)``. It is not
a re-optimisation: moving several households at once could cost less (``spreiding what-if``
re-optimises). For an unplaced household the delta is the cost of linking it there minus the
cost of leaving it unplaced.

**Reasons** are clauses, each a code and its values (:mod:`optimizer.koppeling.clauses`), built
from the same numbers: ties, dwelling fit, the gemeente's target, labour-market score, COA
region, the next best gemeente; they are rendered in Dutch or English only when written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.koppeling import KoppelingInputs
from optimizer.koppeling.clauses import Clause, clause
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.objective import (
    CLASSES,
    best_dwelling_cost,
    gemeente_cost,
    needs_per_gemeente,
    relative_deviation,
)

N_ALTERNATIVES = 3
#: Households that move alone whose alternatives are computed together (arrays of CHUNK x gemeenten).
CHUNK = 2048
METHOD = ("one-household move, all other links fixed, dwellings of the two gemeenten involved re-assigned "
          "optimally (exact objective change of that solution)")


class _DwellingChange:
    """The exact change in weighted dwelling cost (size fit + sharing) of a gemeente when
    households join or leave it, every household there re-housed optimally
    (:func:`optimizer.koppeling.objective.best_dwelling_cost`); cached per set of needs."""

    def __init__(self, inp: KoppelingInputs, counts: np.ndarray, current: np.ndarray) -> None:
        self.inp, self.counts, self.current = inp, counts, current
        self._added: dict[tuple[int, ...], np.ndarray] = {}
        self._removed: dict[tuple[int, tuple[int, ...]], float] = {}

    def _vector(self, needs: tuple[int, ...]) -> np.ndarray:
        return np.bincount(np.asarray(needs, dtype=int) - 1, minlength=len(CLASSES))

    def _change(self, g: int, counts: np.ndarray) -> float:
        return best_dwelling_cost(self.inp, counts, self.inp.dwellings[g]) - float(self.current[g])

    def added(self, needs: tuple[int, ...]) -> np.ndarray:
        """Per gemeente: the change when households with these needs join it (inf: no room)."""
        if needs not in self._added:
            vec = self._vector(needs)
            self._added[needs] = np.array([self._change(g, self.counts[g] + vec)
                                           for g in range(self.inp.n_gemeenten)])
        return self._added[needs]

    def removed(self, g: int, needs: tuple[int, ...]) -> float:
        """The change at ``g`` when households with these needs leave it."""
        if (g, needs) not in self._removed:
            self._removed[g, needs] = self._change(g, self.counts[g] - self._vector(needs))
        return self._removed[g, needs]


def alternatives(ctx: Context, sol: Solution, k: int = N_ALTERNATIVES) -> pd.DataFrame:
    """Top-k alternative gemeenten per decision household with the objective change of moving there.

    The change is exact for the solution that differs from the proposal only in this
    household's gemeente (g0 -> g) and in the dwellings of g0 and g, which are re-assigned
    optimally among the households there (a freed dwelling may go to another household of g0):
    own terms, quota and pressure of g0 and g, the dwelling cost of g0 and g
    (:class:`_DwellingChange`), minimax, caps. A referent and all its nareizigers in the same
    batch move *together* (their alternatives are joint moves of the whole family); every
    other household moves alone. Every term change comes from the term families of
    :mod:`optimizer.koppeling.objective`.

    The changes of a move depend only on the group's *signature* (:class:`_Moves`): households
    with the same signature (same units, gemeente, needs and persons) share one computation, and
    households that move alone are computed :data:`CHUNK` at a time as (households x gemeenten)
    arrays with the same arithmetic (identical deltas).
    """
    moves = _Moves(ctx, sol)
    ids = ctx.households.index
    link_group = ctx.inputs.link_groups()
    columns = ["household_id"] + [c for i in range(1, k + 1) for c in (f"alt{i}_gm_code", f"alt{i}_delta")]
    columns += ["_moves_with", "_allowed_somewhere", "_dwelling_somewhere", "_placeable_somewhere"]
    n = len(moves.gm_of)
    codes = np.empty((n, k), dtype=object)
    deltas = np.full((n, k), np.nan)
    flags = np.zeros((n, 3), dtype=bool)
    moves_with = []
    alone = []
    for h in range(n):
        group = [h] + [x for x in link_group.get(h, []) if x != h]
        moves_with.append(", ".join(ids[x] for x in group[1:]))
        if len(group) == 1 and not moves.by_resources:
            alone.append(h)
        else:
            codes[h], deltas[h], flags[h] = moves.top(group, k)
    alone_at = np.asarray(alone, dtype=int)
    for start in range(0, len(alone_at), CHUNK):
        part = alone_at[start:start + CHUNK]
        codes[part], deltas[part], flags[part] = moves.top_alone(part, k)
    data: dict[str, object] = {"household_id": ids[:n]}
    for i in range(k):
        data[f"alt{i + 1}_gm_code"] = codes[:, i]
        data[f"alt{i + 1}_delta"] = deltas[:, i]
    data.update(_moves_with=moves_with, _allowed_somewhere=flags[:, 0], _dwelling_somewhere=flags[:, 1],
                _placeable_somewhere=flags[:, 2])
    return pd.DataFrame(data, columns=columns)


class _Moves:
    """The objective change of moving a group of households (a household alone, or a referent
    with its nareizigers) from its gemeente g0 to every gemeente g (:func:`alternatives`).

    The change is a function of the group's signature: its gemeente g0, the units of its
    members (own terms), their needed dwelling classes, their persons, its size and, when
    unplaced, its unplaced cost (and its members themselves when named resources are capped).
    It is computed once per signature; the arithmetic per signature is the same as one
    household at a time, so the deltas are identical bit for bit."""

    def __init__(self, ctx: Context, sol: Solution) -> None:
        inp = ctx.inputs
        ev = sol.evaluation
        self.inp = inp
        self.wmm = inp.weights.get("minimax", 0.0)
        self.gm_of = ev.assignment.gemeente
        self.persons = ev.persons.astype(float)
        self.need = ev.need
        self.cost, _ = inp.own_cost
        self.P = ev.gemeente_persons.astype(float)
        self.Hn = ev.gemeente_households.astype(float)
        wg = ev.weighted_gemeente()
        self.dwellings = _DwellingChange(inp, needs_per_gemeente(inp, self.gm_of, self.need),
                                         wg["size_fit"] + wg["sharing"])
        self.base_g = gemeente_cost(inp, self.P)
        self.rel = ev.relative_deviation
        self.top3 = np.argsort(-self.rel, kind="stable")[:3]
        self.cap_p = np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf)
        self.cap_h = np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf)
        self.room = resource_room(inp, self.gm_of)
        self.by_resources = bool(inp.resources) and inp.size_usage is not None and inp.resource_cap is not None
        self.unplaced_cost = inp.unplaced_cost
        self.codes = np.array(inp.gemeenten, dtype=object)
        self._mm: dict[tuple[int, ...], np.ndarray] = {}
        self._at: dict[float, tuple[np.ndarray, np.ndarray]] = {}
        self._top: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._left: dict[tuple[int, float, int], float] = {}

    def _max_rel_without(self, excl: tuple[int, ...]) -> np.ndarray:
        """Per candidate g: the largest relative deviation over gemeenten not in excl + (g,)."""
        if excl not in self._mm:
            out = np.zeros(self.inp.n_gemeenten)
            for g in range(self.inp.n_gemeenten):
                out[g] = next((self.rel[t] for t in self.top3 if t != g and t not in excl), 0.0)
            self._mm[excl] = out
        return self._mm[excl]

    def _arriving(self, p: float) -> tuple[np.ndarray, np.ndarray]:
        """Per gemeente g: its relative deviation and its cost change when p persons arrive."""
        if p not in self._at:
            self._at[p] = (relative_deviation(self.inp, self.P + p), gemeente_cost(self.inp, self.P + p) - self.base_g)
        return self._at[p]

    def top(self, group: list[int], k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The k best gemeenten of the group's move (code, delta; ``""`` and NaN where fewer are
        allowed) and whether any gemeente is allowed, allowed with a fitting dwelling, and
        also under every cap."""
        inp = self.inp
        g0 = int(self.gm_of[group[0]])
        units = tuple(int(inp.hh_unit[x]) for x in group)
        needs = tuple(sorted(int(self.need[x]) for x in group))
        p = float(self.persons[group].sum())
        key = (g0, units, needs, p, sum(self.unplaced_cost[x] for x in group) if g0 < 0 else 0.0,
               tuple(group) if self.by_resources else ())
        if key not in self._top:
            self._top[key] = self._compute(group, g0, needs, p, k)
        return self._top[key]

    def _leaving(self, g0: int, p: float, need: int) -> float:
        """The cost change at g0 (quota, pressure, dwellings) when one household of p persons
        needing class ``need`` leaves it."""
        key = (g0, p, need)
        if key not in self._left:
            self._left[key] = (gemeente_cost(self.inp, self.P[g0] - p, g0) - self.base_g[g0]
                               + self.dwellings.removed(g0, (need,)))
        return self._left[key]

    def top_alone(self, hh: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`top` of many households that move alone, as arrays (households x gemeenten)
        evaluated in the same order of operations as :meth:`_compute` (identical deltas)."""
        inp, wmm, P = self.inp, self.wmm, self.P
        rows = np.arange(len(hh))
        g0, p, need = self.gm_of[hh], self.persons[hh], self.need[hh]
        own = 0.0 + self.cost[inp.hh_unit[hh]]  # sum() over a group of one: 0 + its cost
        dwell = np.stack([self.dwellings.added((int(x),)) for x in need]) if len(hh) else own
        under_cap = (P + p[:, None] <= self.cap_p) & (self.Hn + 1 <= self.cap_h)
        ok = under_cap & np.isfinite(own)
        arriving = [self._arriving(float(x)) for x in p]
        new_rel_g = np.stack([a[0] for a in arriving]) if len(hh) else own
        add_g = np.stack([a[1] for a in arriving]) if len(hh) else own
        delta = np.empty_like(own)
        placed = g0 >= 0
        at, g = rows[placed], g0[placed]
        if len(at):
            rem = np.array([self._leaving(x, q, c) for x, q, c in zip(g.tolist(), p[placed].tolist(),
                                                                     need[placed].tolist())])
            d = own[at] - own[at, g][:, None] + add_g[at] + dwell[at] + rem[:, None]
            if wmm > 0:
                new_rel_g0 = np.array([relative_deviation(inp, P[x] - q, x) for x, q in zip(g.tolist(),
                                                                                          p[placed].tolist())])
                mm = np.stack([self._max_rel_without((x,)) for x in g.tolist()])
                d = d + wmm * (np.maximum(np.maximum(mm, new_rel_g0[:, None]), new_rel_g[at]) - self.rel.max())
            delta[at] = d
            ok[at, g] = False
        at = rows[~placed]
        if len(at):
            d = own[at] + add_g[at] + dwell[at] - (0.0 + self.unplaced_cost[hh[at]])[:, None]
            if wmm > 0:
                d = d + wmm * (np.maximum(self._max_rel_without(()), new_rel_g[at]) - self.rel.max())
            delta[at] = d
        delta = np.where(ok & np.isfinite(delta), delta, np.inf)
        best = np.argsort(delta, axis=1, kind="stable")[:, :k]
        values = np.take_along_axis(delta, best, axis=1)
        found = np.isfinite(values)
        codes = np.where(found, self.codes[best], "").astype(object)
        deltas = np.full(values.shape, np.nan)
        deltas[found] = [round(x, 4) for x in values[found].tolist()]
        allowed = np.isfinite(own)
        housable = np.isfinite(dwell)
        flags = np.stack([allowed.any(axis=1), (allowed & housable).any(axis=1),
                          (allowed & housable & under_cap).any(axis=1)], axis=1)
        return codes, deltas, flags

    def _compute(self, group: list[int], g0: int, needs: tuple[int, ...], p: float,
                 k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        inp, wmm, P = self.inp, self.wmm, self.P
        own = sum(self.cost[int(inp.hh_unit[x])] for x in group)
        dwell = self.dwellings.added(needs)
        under_cap = (P + p <= self.cap_p) & (self.Hn + len(group) <= self.cap_h) & self.room(group)
        ok = under_cap & np.isfinite(own)
        new_rel_g, add_g = self._arriving(p)
        if g0 >= 0:
            rem = gemeente_cost(inp, P[g0] - p, g0) - self.base_g[g0] + self.dwellings.removed(g0, needs)
            delta = own - own[g0] + add_g + dwell + rem
            if wmm > 0:
                new_rel_g0 = relative_deviation(inp, P[g0] - p, g0)
                delta = delta + wmm * (np.maximum(np.maximum(self._max_rel_without((g0,)), new_rel_g0), new_rel_g)
                                       - self.rel.max())
            ok[g0] = False
        else:
            delta = own + add_g + dwell - sum(self.unplaced_cost[x] for x in group)
            if wmm > 0:
                delta = delta + wmm * (np.maximum(self._max_rel_without(()), new_rel_g) - self.rel.max())
        delta = np.where(ok & np.isfinite(delta), delta, np.inf)
        best = np.argsort(delta, kind="stable")[:k]
        codes = np.full(k, "", dtype=object)
        deltas = np.full(k, np.nan)
        found = best[np.isfinite(delta[best])]
        codes[:len(found)] = self.codes[found]
        deltas[:len(found)] = [round(float(x), 4) for x in delta[found]]
        allowed = np.isfinite(own)
        housable = np.isfinite(dwell)
        flags = np.array([allowed.any(), (allowed & housable).any(), (allowed & housable & under_cap).any()])
        return codes, deltas, flags


def resource_room(inp, gemeente: np.ndarray):
    """A function of a group of households (positions) -> per gemeente, whether the group fits
    under every named resource capacity (``cap_resource``) there, besides what the other linked
    households use; a group's own gemeente counts without the group."""
    if not inp.resources or inp.size_usage is None or inp.resource_cap is None:
        return lambda group: True
    use, cap = inp.household_usage, inp.resource_capacity
    used = np.zeros_like(inp.resource_cap)
    linked = gemeente >= 0
    np.add.at(used, gemeente[linked], use[linked])

    def fits(group: list[int]) -> np.ndarray:
        extra = use[group].sum(axis=0)
        here = used.copy()
        for x in group:
            if gemeente[x] >= 0:
                here[gemeente[x]] -= use[x]
        return (here + extra <= cap + 1e-9).all(axis=1)
    return fits


def labour_scores(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Employment scores (decision households x AMR, or x gemeente with gemeente scores; NaN =
    none), the column of each gemeente (model order), and where each household scores best."""
    scores = ctx.scores.to_numpy(dtype=float)
    if ctx.score_column is not None:
        column = ctx.score_column
    else:
        position = {a: j for j, a in enumerate(ctx.scores.columns)}
        column = np.array([position[a] for a in ctx.gemeenten["amr_code"]], dtype=int)
    return scores, column, ctx.best_amr.to_numpy()


def best_score(scores: np.ndarray, h: int) -> float:
    """Household h's best score (NaN when it has none)."""
    row = scores[h]
    return float(np.max(row[~np.isnan(row)])) if (~np.isnan(row)).any() else float("nan")


def best_scores(scores: np.ndarray) -> np.ndarray:
    """Every household's best score (NaN when it has none): :func:`best_score` of each row."""
    valid = ~np.isnan(scores)
    has = valid.any(axis=1) if scores.ndim == 2 and scores.shape[1] else np.zeros(len(scores), dtype=bool)
    best = np.max(np.where(valid, scores, -np.inf), axis=1, initial=-np.inf) if len(scores) else np.zeros(0)
    return np.where(has, best, np.nan)


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """``frame[columns].to_dict("records")`` (plain Python values), a column at a time: much
    faster for text columns than pandas' row-wise boxing."""
    return [dict(zip(columns, values)) for values in zip(*(frame[c].tolist() for c in columns))] \
        if columns else [{} for _ in range(len(frame))]


def _lock_clauses(ctx: Context, hid: str, linked: bool) -> list[Clause]:
    """What the planner's locks said about this household (none when nothing)."""
    out = []
    if hid in ctx.fixed:
        out.append(clause("lock_fixed_here") if linked else clause("lock_not_honoured", gm_code=ctx.fixed[hid]))
    if hid in ctx.forbidden:
        out.append(clause("lock_forbids", gm_codes=list(ctx.forbidden[hid])))
    return out


def _unplaced_why(ctx: Context, sol: Solution, hid: str, alt: dict, need: int, names: dict) -> Clause:
    """Why a household is not linked, true of it: no gemeente allowed at all; no fitting free
    dwelling in any allowed gemeente; caps; a one-household link that would lower the objective
    (the solver stopped before finding it); or every link costing more than waiting."""
    if not alt["_allowed_somewhere"] and hid in ctx.no_gemeente:
        return ctx.no_gemeente[hid]
    family = [hid, *filter(None, alt["_moves_with"].split(", "))]
    closed = {ctx.closed[x] for x in family if x in ctx.closed}  # its gemeenten closed to a member
    cap = closed == {"cap"}
    if not alt["_allowed_somewhere"] and not closed:
        return clause("nothing_allowed")
    if not alt["_dwelling_somewhere"] and not cap:
        return clause("no_free_dwelling", needed_class=need)
    if not alt["_placeable_somewhere"]:
        return clause("caps_reached")
    delta, code = float(alt["alt1_delta"]), alt["alt1_gm_code"]
    if delta < 0:
        r = sol.result
        stop = (r.limit or r.status.value) if r is not None else "early"
        return clause("solver_stopped", stop=stop, gm_code=code, gm_naam=names[code], points=round(-delta, 6))
    return clause("costs_more_than_waiting", gm_code=code, gm_naam=names[code], points=round(delta, 6))


def _tie_clause(ctx: Context, row: dict, code: str) -> Clause | None:
    """The household's family/work/study ties (None when it has none)."""
    ties = [kind for col, kind in (("tie_family_gm", "family"), ("tie_work_gm", "work"), ("tie_study_gm", "study"))
            if row[col] == code]
    if ties:
        return clause("tie_there", ties=ties)
    if not any(row[c] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm")):
        return None
    hid = row["household_id"]
    if hid in ctx.fixed:
        return clause("tie_overridden_by_lock")
    if hid in ctx.tie_overridden:
        return ctx.tie_overridden[hid]
    return clause("tie_not_honoured_soft")


def _dwelling_clause(free: np.ndarray, need: int, d: int, shared: bool) -> Clause:
    """The dwelling the household gets; "none smaller free" only when true."""
    if shared:
        return clause("dwelling_shared")
    if d == need:
        return clause("dwelling_as_needed", dwelling_class=d)
    smaller_free = bool((free[need - 1:d - 1] > 0).any())
    return clause("dwelling_larger_smaller_free" if smaller_free else "dwelling_larger_none_smaller",
                  dwelling_class=d, needed_class=need)


def _labour_clause(here: float, best: float, best_amr: str, maximise: bool) -> Clause:
    """The labour-market score here against the household's best (4 digits where 2 would
    print two different scores alike: never "0.18 here vs 0.18")."""
    digits = 2 if f"{here:.2f}" != f"{best:.2f}" else 4
    if maximise:
        return clause("labour_score", here=round(here, 6), best=round(best, 6), best_amr=best_amr, digits=digits)
    if here >= best - 1e-9:
        return clause("labour_best", here=round(here, 6))
    return clause("labour_worse", here=round(here, 6), best=round(best, 6), best_amr=best_amr, digits=digits)


def _number(x: float) -> int | float:
    """A count as a plain int when whole, else a float (rounded to 6 decimals)."""
    return int(round(x)) if abs(x - round(x)) < 1e-9 else round(float(x), 6)


def reasons(ctx: Context, sol: Solution, alts: pd.DataFrame) -> list[list[Clause]]:
    """The reason of every decision household as clauses (:mod:`optimizer.koppeling.clauses`),
    every clause true of that household (``tests/support/reasons.py`` checks each code against
    its values)."""
    inp = ctx.inputs
    gem = ctx.gemeenten
    names = dict(zip(inp.gemeenten, gem["gm_naam"]))
    coa_of = dict(zip(inp.gemeenten, gem["coa_region"]))
    ev = sol.evaluation
    P = ev.gemeente_persons.astype(float)
    free = inp.dwellings - ev.dwellings_used
    amr_of = gem["amr_code"].to_numpy()  # medical region
    # plain Python rows and arrays, read once (per-row pandas access is slow at national scale)
    rows = records(ctx.households, ["household_id", "referent_id", "tie_family_gm", "tie_work_gm", "tie_study_gm",
                                    "tie_medical_amr", "coa_location_gm"])
    alt_rows = records(alts, list(alts.columns))
    gm_index, dwelling, shared = ev.assignment.gemeente, ev.assignment.dwelling_class, ev.assignment.shared
    persons, needed = ev.persons, ev.need
    scores, score_col, best_amrs = labour_scores(ctx)
    maximise = ctx.labour_mode == "maximise"
    best = best_scores(scores)
    out = []
    for h in range(len(gm_index)):
        row = rows[h]
        hid = row["household_id"]
        g = int(gm_index[h])
        alt = alt_rows[h]
        if g < 0:
            parts = [clause("not_linked"), _unplaced_why(ctx, sol, hid, alt, int(needed[h]), names)]
            if alt["_moves_with"]:
                parts.append(clause("moves_together", household_ids=alt["_moves_with"].split(", ")))
            out.append(parts + _lock_clauses(ctx, hid, linked=False))
            continue
        code = inp.gemeenten[g]
        parts = [clause("linked", gm_code=code, gm_naam=names[code]), *_lock_clauses(ctx, hid, linked=True)]
        if row["referent_id"]:
            parts.append(clause("joins_referent", referent_id=row["referent_id"]))
        elif tie := _tie_clause(ctx, row, code):
            parts.append(tie)
        if med := row["tie_medical_amr"]:
            parts.append(clause("medical_inside" if amr_of[g] == med else "medical_outside_soft", amr_code=med))
        p = float(persons[h])
        parts.append(clause("target_progress", gm_code=code, gm_naam=names[code], persons=_number(p),
                            before=_number(P[g] - p), after=_number(P[g]), target=_number(float(inp.target[g]))))
        parts.append(_dwelling_clause(free[g], int(needed[h]), int(dwelling[h]), bool(shared[h])))
        parts.append(_labour_clause(float(scores[h, score_col[g]]), float(best[h]), best_amrs[h], maximise))
        cur = coa_of.get(row["coa_location_gm"], "")
        if cur:
            parts.append(clause("coa_stays", coa_region=cur) if coa_of[code] == cur
                         else clause("coa_moves", coa_from=cur, coa_to=coa_of[code]))
        if isinstance(alt["alt1_gm_code"], str) and alt["alt1_gm_code"]:
            nxt = alt["alt1_gm_code"]
            parts.append(clause("next_best", gm_code=nxt, gm_naam=names[nxt], points=float(alt["alt1_delta"])))
        out.append(parts)
    return out
