"""Explanations: why each household goes where it goes, and what the alternatives would cost.

**Alternatives** are computed by exact re-evaluation of the objective for a *one-household
move* (a referent and its nareizigers in the same batch move together): the household is taken out of its gemeente and put into another allowed gemeente,
all other links unchanged; the dwelling it frees and the cheapest free dwelling it would get
(or sharing a class-2 dwelling with a single living alone in one) are accounted for, as are
caps and the change in quota, pressure and minimax terms. The reported ``delta`` is the
change in the objective (points); for a proven-optimal solution it is never below
``-(objective - bound)``. It is not a re-optimisation: moving several households at once
could cost less. For an unplaced household the delta is the cost of linking it there minus
the cost of leaving it unplaced.

**Reasons** are one line in plain words built from the same numbers: ties, dwelling fit,
the gemeente's target, labour-market score, COA region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.koppeling import SHARED_CLASS
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.objective import cheapest_dwelling, dwelling_release, gemeente_cost, relative_deviation

N_ALTERNATIVES = 3
METHOD = "one-household move, all other links fixed (exact objective re-evaluation)"


def alternatives(ctx: Context, sol: Solution, k: int = N_ALTERNATIVES) -> pd.DataFrame:
    """Top-k alternative gemeenten per decision household with the objective change of moving there.

    A referent and all its nareizigers in the same batch move *together* (their alternatives
    are joint moves of the whole family); every other household moves alone. Every term
    change comes from the term families of :mod:`optimizer.koppeling.objective`.
    """
    inp = ctx.inputs
    wmm = inp.weights.get("minimax", 0.0)
    ev = sol.evaluation
    a = ev.assignment
    gm_of, dcls, shared = a.gemeente, a.dwelling_class, a.shared
    persons = ev.persons.astype(float)
    need = ev.need
    G = inp.n_gemeenten
    cost, _ = inp.own_cost
    P = ev.gemeente_persons.astype(float)
    Hn = ev.gemeente_households.astype(float)
    free = inp.dwellings - ev.dwellings_used
    lone = np.zeros(G, dtype=int)  # singles alone in a class-2 dwelling (could take a sharer)
    sel = (gm_of >= 0) & (need == 1) & (dcls == SHARED_CLASS) & ~shared
    np.add.at(lone, gm_of[sel], 1)
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
        # dwellings for every member, taken one after the other
        free_, lone_ = free.copy(), lone.copy()
        dwell = np.zeros(G)
        for i, x in enumerate(group):
            c, d = cheapest_dwelling(inp, int(need[x]), free_, lone_)
            dwell = dwell + c
            if i == len(group) - 1:
                break
            for g in np.flatnonzero(np.isfinite(c)):
                if d[g] == 0:
                    lone_[g] -= 1
                else:
                    free_[g, d[g] - 1] -= 1
        under_cap = (P + p <= cap_p) & (Hn + len(group) <= cap_h) & room(group)
        ok = under_cap & np.isfinite(own)
        new_rel_g = relative_deviation(inp, P + p)
        add_g = gemeente_cost(inp, P + p) - base_g
        if g0 >= 0:
            released = sum(dwelling_release(inp, need[x], dcls[x], shared[x]) for x in group)
            rem = gemeente_cost(inp, P[g0] - p, g0) - base_g[g0] + released
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
        row["_open_somewhere"] = bool(allowed.any())
        row["_dwelling_somewhere"] = bool((allowed & housable).any())
        row["_placeable_somewhere"] = bool((allowed & housable & under_cap).any())
        rows.append(row)
    columns = ["household_id"] + [c for i in range(1, k + 1) for c in (f"alt{i}_gm_code", f"alt{i}_delta")]
    columns += ["_moves_with", "_open_somewhere", "_dwelling_somewhere", "_placeable_somewhere"]
    return pd.DataFrame(rows, columns=columns)


def resource_room(inp, gemeente: np.ndarray):
    """A function of a group of households (positions) -> per gemeente, whether the group fits
    under every named resource capacity (``cap_resource``) there, besides what the other linked
    households use; a group's own gemeente counts without the group."""
    if not inp.resources or inp.size_usage is None or inp.resource_cap is None:
        return lambda group: True
    use = inp.size_usage[inp.unit_size[inp.hh_unit]]  # (households, resources)
    used = np.zeros_like(inp.resource_cap)
    linked = gemeente >= 0
    np.add.at(used, gemeente[linked], use[linked])
    cap = np.where(np.isnan(inp.resource_cap), np.inf, inp.resource_cap)

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
    return f" ({'; '.join(words)})" if words else ""


def reasons(ctx: Context, sol: Solution, alts: pd.DataFrame) -> list[str]:
    """One plain-language line per decision household."""
    inp = ctx.inputs
    gem = ctx.gemeenten
    names = dict(zip(inp.gemeenten, gem["gm_naam"]))
    coa_of = dict(zip(inp.gemeenten, gem["coa_region"]))
    ev = sol.evaluation
    P = ev.gemeente_persons.astype(float)
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
        g = int(gm_index[h])
        alt = alt_rows[h]
        if g < 0:
            if not alt["_open_somewhere"]:
                why = (f"no allowed gemeente can take it: none has both a dwelling of class {needed[h]} or larger "
                       "and room under its caps (households, persons, named resources)")
            elif not alt["_dwelling_somewhere"]:
                why = f"no free dwelling of class {needed[h]} or larger in any allowed gemeente"
            elif not alt["_placeable_somewhere"]:
                why = "every allowed gemeente with a fitting free dwelling has reached its cap"
            else:
                why = "linking it would cost more than waiting for the next batch (see alternatives)"
            if alt["_moves_with"]:
                why += f" (it moves together with {alt['_moves_with']})"
            out.append(f"Not linked: {why}{_lock_words(ctx, row['household_id'], linked=False)}.")
            continue
        code = inp.gemeenten[g]
        parts = [f"Linked to {names[code]} ({code}){_lock_words(ctx, row['household_id'], linked=True)}"]
        ties = [label for col, label in (("tie_family_gm", "family"), ("tie_work_gm", "work"), ("tie_study_gm", "study"))
                if row[col] == code]
        if row["referent_id"]:
            parts.append(f"joins referent {row['referent_id']}")
        elif ties:
            parts.append(f"{' and '.join(ties)} tie there")
        elif any(row[c] for c in ("tie_family_gm", "tie_work_gm", "tie_study_gm")):
            parts.append("tie elsewhere overridden by a lock" if row["household_id"] in ctx.fixed
                         else "tie elsewhere not honoured (soft tie)")
        if row["tie_medical_amr"]:
            inside = amr_of[g] == row["tie_medical_amr"]
            parts.append("within its medical region" if inside else "outside its medical region (soft)")
        p = float(persons[h])
        before, after, target = P[g] - p, P[g], inp.target[g]
        parts.append(f"{_fmt_persons(p)} person(s) bring {names[code]} from {_fmt_persons(before)} to "
                     f"{_fmt_persons(after)} of its batch target {_fmt_persons(target)}")
        need, d = int(needed[h]), int(dwelling[h])
        if shared[h]:
            parts.append("shares a class-2 dwelling with another single adult")
        elif d == need:
            parts.append(f"class-{d} dwelling as needed")
        else:
            parts.append(f"class-{d} dwelling (needs class {need}; none smaller free)")
        here, best = float(scores[h, score_col[g]]), best_score(scores, h)
        if maximise:
            parts.append(f"score {here:.2f} here (best {best:.2f} in {best_amrs[h]})")
        elif here >= best - 1e-9:
            parts.append(f"best labour region for this household ({here:.2f} expected employed adults)")
        else:
            parts.append(f"labour score {here:.2f} here vs {best:.2f} in {best_amrs[h]}")
        cur = coa_of.get(row["coa_location_gm"], "")
        if cur:
            parts.append(f"stays in COA region {cur}" if coa_of[code] == cur
                         else f"moves from COA region {cur} to {coa_of[code]}")
        if isinstance(alt["alt1_gm_code"], str) and alt["alt1_gm_code"]:
            parts.append(f"next best {names[alt['alt1_gm_code']]} ({alt['alt1_delta']:+.1f} points)")
        out.append("; ".join(parts) + ".")
    return out
