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

**Reasons** are one line in plain words built from the same numbers: ties, dwelling fit,
the gemeente's target, labour-market score, COA region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.koppeling import KoppelingInputs
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
    """
    inp = ctx.inputs
    wmm = inp.weights.get("minimax", 0.0)
    ev = sol.evaluation
    gm_of = ev.assignment.gemeente
    persons = ev.persons.astype(float)
    need = ev.need
    G = inp.n_gemeenten
    cost, _ = inp.own_cost
    P = ev.gemeente_persons.astype(float)
    Hn = ev.gemeente_households.astype(float)
    wg = ev.weighted_gemeente()
    dwellings = _DwellingChange(inp, needs_per_gemeente(inp, gm_of, need), wg["size_fit"] + wg["sharing"])
    base_g = gemeente_cost(inp, P)
    rel = ev.relative_deviation
    top = np.argsort(-rel, kind="stable")[:3]
    cap_p = np.where(np.isfinite(inp.cap_persons), inp.cap_persons, np.inf)
    cap_h = np.where(np.isfinite(inp.cap_households), inp.cap_households, np.inf)
    room = resource_room(inp, gm_of)
    unplaced_cost = inp.unplaced_cost
    link_group = inp.link_groups()
    ids = ctx.households.index

    def max_rel_without(excl: tuple[int, ...]) -> np.ndarray:
        """Per candidate g: the largest relative deviation over gemeenten not in excl + (g,)."""
        out = np.zeros(G)
        for g in range(G):
            out[g] = next((rel[t] for t in top if t != g and t not in excl), 0.0)
        return out

    rows = []
    mm_cache: dict[tuple[int, ...], np.ndarray] = {}
    for h in range(len(gm_of)):
        group = [h] + [x for x in link_group.get(h, []) if x != h]
        g0 = int(gm_of[h])
        p = float(persons[group].sum())
        own = sum(cost[int(inp.hh_unit[x])] for x in group)
        needs = tuple(sorted(int(need[x]) for x in group))
        dwell = dwellings.added(needs)
        under_cap = (P + p <= cap_p) & (Hn + len(group) <= cap_h) & room(group)
        ok = under_cap & np.isfinite(own)
        new_rel_g = relative_deviation(inp, P + p)
        add_g = gemeente_cost(inp, P + p) - base_g
        if g0 >= 0:
            rem = gemeente_cost(inp, P[g0] - p, g0) - base_g[g0] + dwellings.removed(g0, needs)
            delta = own - own[g0] + add_g + dwell + rem
            if wmm > 0:
                key = (g0,)
                if key not in mm_cache:
                    mm_cache[key] = max_rel_without(key)
                new_rel_g0 = relative_deviation(inp, P[g0] - p, g0)
                delta = delta + wmm * (np.maximum(np.maximum(mm_cache[key], new_rel_g0), new_rel_g) - rel.max())
            ok[g0] = False
        else:
            delta = own + add_g + dwell - sum(unplaced_cost[x] for x in group)
            if wmm > 0:
                if () not in mm_cache:
                    mm_cache[()] = max_rel_without(())
                delta = delta + wmm * (np.maximum(mm_cache[()], new_rel_g) - rel.max())
        delta = np.where(ok & np.isfinite(delta), delta, np.inf)
        best = np.argsort(delta, kind="stable")[:k]
        row = {"household_id": ids[h]}
        for i in range(k):
            if i < len(best) and np.isfinite(delta[best[i]]):
                row[f"alt{i + 1}_gm_code"] = inp.gemeenten[best[i]]
                row[f"alt{i + 1}_delta"] = round(float(delta[best[i]]), 4)
            else:
                row[f"alt{i + 1}_gm_code"] = ""
                row[f"alt{i + 1}_delta"] = np.nan
        allowed = np.isfinite(own)
        housable = np.isfinite(dwell)
        row["_moves_with"] = ", ".join(ids[x] for x in group[1:])
        row["_allowed_somewhere"] = bool(allowed.any())
        row["_dwelling_somewhere"] = bool((allowed & housable).any())
        row["_placeable_somewhere"] = bool((allowed & housable & under_cap).any())
        rows.append(row)
    columns = ["household_id"] + [c for i in range(1, k + 1) for c in (f"alt{i}_gm_code", f"alt{i}_delta")]
    columns += ["_moves_with", "_allowed_somewhere", "_dwelling_somewhere", "_placeable_somewhere"]
    return pd.DataFrame(rows, columns=columns)


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


def _fmt_persons(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def _lock_words(ctx: Context, hid: str, linked: bool) -> str:
    """What the planner's locks said about this household, in words ('' when nothing)."""
    words = []
    if hid in ctx.fixed:
        words.append("fixed here by a planner's lock" if linked else
                     f"a planner's lock fixes it to {ctx.fixed[hid]}, which could not be honoured")
    if hid in ctx.forbidden:
        words.append(f"a planner's lock forbids {', '.join(ctx.forbidden[hid])}")
    return f" ({' and '.join(words)})" if words else ""


def _unplaced_why(ctx: Context, sol: Solution, hid: str, alt: dict, need: int, names: dict) -> str:
    """Why a household is not linked, true of it: no gemeente allowed at all; no fitting free
    dwelling in any allowed gemeente; caps; a one-household link that would lower the objective
    (the solver stopped before finding it); or every link costing more than waiting."""
    if not alt["_allowed_somewhere"] and hid in ctx.no_gemeente:
        return ctx.no_gemeente[hid]
    family = [hid, *filter(None, alt["_moves_with"].split(", "))]
    closed = {ctx.closed[x] for x in family if x in ctx.closed}  # its gemeenten closed to a member
    cap = closed == {"cap"}
    if not alt["_allowed_somewhere"] and not closed:
        return "no gemeente is allowed for it"
    if not alt["_dwelling_somewhere"] and not cap:
        return f"no free dwelling of class {need} or larger in any allowed gemeente"
    if not alt["_placeable_somewhere"]:
        return "every allowed gemeente with a fitting free dwelling has reached its cap (persons, households or a named resource)"
    delta, code = alt["alt1_delta"], alt["alt1_gm_code"]
    if delta < 0:
        r = sol.result
        stop = (r.limit or r.status.value).replace("_", " ") if r is not None else "early"
        return (f"the solver stopped ({stop}) before linking it: linking it to {names[code]} ({code}) would "
                f"lower the objective by {-delta:.1f} points; a longer run would link it")
    return (f"linking it anywhere, all other links unchanged, would cost more than waiting for the next batch "
            f"(cheapest: {names[code]}, {delta:+.1f} points)")


def _tie_words(ctx: Context, row: dict, code: str) -> str:
    """The household's family/work/study ties in words ('' when it has none)."""
    ties = [label for col, label in (("tie_family_gm", "family"), ("tie_work_gm", "work"), ("tie_study_gm", "study"))
            if row[col] == code]
    if ties:
        return f"{' and '.join(ties)} tie there"
    if not any(row[c] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm")):
        return ""
    hid = row["household_id"]
    if hid in ctx.fixed:
        return "tie elsewhere overridden by a lock"
    if hid in ctx.tie_overridden:
        return f"hard tie elsewhere overridden by {ctx.tie_overridden[hid]}"
    return "tie elsewhere not honoured (soft tie)"


def _dwelling_words(free: np.ndarray, need: int, d: int, shared: bool) -> str:
    """The dwelling the household gets, in words; "none smaller free" only when true."""
    if shared:
        return "shares a class-2 dwelling with another single adult"
    if d == need:
        return f"class-{d} dwelling as needed"
    smaller = "none smaller free" if not (free[need - 1:d - 1] > 0).any() else "a smaller one is still free"
    return f"class-{d} dwelling (needs class {need}, {smaller})"


def reasons(ctx: Context, sol: Solution, alts: pd.DataFrame) -> list[str]:
    """One plain-language line per decision household, every statement in it true of that
    household (tests/models/test_reasons.py checks each kind)."""
    inp = ctx.inputs
    gem = ctx.gemeenten
    names = dict(zip(inp.gemeenten, gem["gm_naam"]))
    coa_of = dict(zip(inp.gemeenten, gem["coa_region"]))
    ev = sol.evaluation
    P = ev.gemeente_persons.astype(float)
    free = inp.dwellings - ev.dwellings_used
    amr_of = gem["amr_code"].to_numpy()  # medical region
    # plain Python rows and arrays, read once (per-row pandas access is slow at national scale)
    rows = ctx.households.to_dict("records")
    alt_rows = alts.to_dict("records")
    gm_index, dwelling, shared = ev.assignment.gemeente, ev.assignment.dwelling_class, ev.assignment.shared
    persons, needed = ev.persons, ev.need
    scores, score_col, best_amrs = labour_scores(ctx)
    maximise = ctx.labour_mode == "maximise"
    out = []
    for h in range(len(gm_index)):
        row = rows[h]
        hid = row["household_id"]
        g = int(gm_index[h])
        alt = alt_rows[h]
        if g < 0:
            why = _unplaced_why(ctx, sol, hid, alt, int(needed[h]), names)
            if alt["_moves_with"]:
                why += f" (it moves together with {alt['_moves_with']})"
            out.append(f"Not linked: {why}{_lock_words(ctx, hid, linked=False)}.")
            continue
        code = inp.gemeenten[g]
        parts = [f"Linked to {names[code]} ({code}){_lock_words(ctx, hid, linked=True)}"]
        if row["referent_id"]:
            parts.append(f"joins referent {row['referent_id']}")
        elif tie := _tie_words(ctx, row, code):
            parts.append(tie)
        if row["tie_medical_amr"]:
            inside = amr_of[g] == row["tie_medical_amr"]
            parts.append("within its medical region" if inside else "outside its medical region (soft)")
        p = float(persons[h])
        before, after, target = P[g] - p, P[g], inp.target[g]
        parts.append(f"{_fmt_persons(p)} person(s) bring {names[code]} from {_fmt_persons(before)} to "
                     f"{_fmt_persons(after)} of its batch target {_fmt_persons(target)}")
        parts.append(_dwelling_words(free[g], int(needed[h]), int(dwelling[h]), bool(shared[h])))
        here, best = float(scores[h, score_col[g]]), best_score(scores, h)
        digits = 2 if f"{here:.2f}" != f"{best:.2f}" else 4  # never "0.18 here vs 0.18"
        if maximise:
            parts.append(f"score {here:.{digits}f} here (best {best:.{digits}f} in {best_amrs[h]})")
        elif here >= best - 1e-9:
            parts.append(f"best labour region for this household ({here:.2f} expected employed adults)")
        else:
            parts.append(f"labour score {here:.{digits}f} here vs {best:.{digits}f} in {best_amrs[h]}")
        cur = coa_of.get(row["coa_location_gm"], "")
        if cur:
            parts.append(f"stays in COA region {cur}" if coa_of[code] == cur
                         else f"moves from COA region {cur} to {coa_of[code]}")
        if isinstance(alt["alt1_gm_code"], str) and alt["alt1_gm_code"]:
            parts.append(f"next best {names[alt['alt1_gm_code']]} ({alt['alt1_delta']:+.1f} points)")
        out.append("; ".join(parts) + ".")
    return out
