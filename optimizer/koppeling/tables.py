"""Output tables of a koppeling proposal: per household and per gemeente.

``proposal`` has one row for *every* household of the input file, with a ``status``:
``linked``, ``unplaced`` (with the reason), ``excluded`` (incomplete dossier, with the
reason) or ``context`` (already linked earlier; not decided here). Nothing is dropped. The
status is a code (the same in every language); the reason is written in the run's language
(``reason``) and as clauses (``reason_codes``, ``reason_values``: :mod:`optimizer.koppeling.clauses`).
Term columns (``term_*``) are weighted contributions in objective points: the household
``term_*`` columns of ``proposal`` (own terms, dwelling fit, sharing, unplaced, waiting) plus the
gemeente ``term_*`` columns of ``gemeenten`` (quota, pressure) plus ``minimax`` in ``run.json``
add up to the objective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.data.schemas import split_list
from optimizer.koppeling import clauses
from optimizer.koppeling.clauses import clause
from optimizer.koppeling.explain import N_ALTERNATIVES, alternatives, best_scores, labour_scores, reasons, records
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.objective import PER_HOUSEHOLD
from optimizer.report.strings import text

AGE_BANDS = ((0, 3), (4, 11), (12, 17))

def points_unit(lang: str = "nl") -> str:
    """What a point is, next to every column in points (column ``points_unit``; docs/model.md, "Points")."""
    return text(lang, "points.unit")


def points_notes(columns, lang: str = "nl") -> dict[str, str]:
    """Header notes (xlsx comments) for the columns in points."""
    return {c: text(lang, "points.note") for c in columns
            if c.startswith("term_") or (c.startswith("alt") and c.endswith("_delta"))
            or c.endswith("_points_of_households")}


def _score_cell(value: float) -> float:
    """A score as written in proposal.csv: 4 decimals (the embedded score's precision), more
    when a user's score needs them (full precision kept, up to 12 significant decimals)."""
    value = float(value)
    return round(value, 4) if abs(value - round(value, 4)) < 1e-12 else round(value, 12)


def proposal_table(ctx: Context, sol: Solution, households: pd.DataFrame, lang: str = "nl") -> pd.DataFrame:
    """One row per input household (same order as the input file); reasons in ``lang``."""
    inp = ctx.inputs
    gem = ctx.gemeenten
    hh = sol.households
    points = sol.evaluation.weighted_household()
    alts = alternatives(ctx, sol)
    why = reasons(ctx, sol, alts)
    codes = np.array(inp.gemeenten)
    # plain Python rows and lookups, read once (per-row pandas access is slow at national scale)
    hh_rows = records(hh, ["gm_index", "needed_class", "dwelling_class", "shared"])
    alt_cols = [c for k in range(1, N_ALTERNATIVES + 1) for c in (f"alt{k}_gm_code", f"alt{k}_delta")]
    alt_rows = records(alts, alt_cols)
    gem_rows = gem[["gm_naam", "provincie", "coa_region", "amr_code"]].to_dict("index")
    scores, score_col, best_amrs = labour_scores(ctx)
    terms = {f"term_{t}": [round(x, 6) for x in np.asarray(points[t], dtype=float).tolist()] for t in PER_HOUSEHOLD}
    best = [_score_cell(x) for x in best_scores(scores).tolist()]
    rows, why_all = [], []
    decided = dict(zip(hh["household_id"], range(len(hh))))
    excluded = dict(zip(ctx.excluded["household_id"], ctx.excluded["reason"]))
    for hid, src in zip(households.index, records(households, ["persons", "adults", "children", "linked_gm"])):
        base = {"household_id": hid, "persons": int(src["persons"]), "adults": int(src["adults"]),
                "children": int(src["children"])}
        if hid in decided:
            i = decided[hid]
            r = hh_rows[i]
            g = int(r["gm_index"])
            code = codes[g] if g >= 0 else ""
            place = gem_rows[code] if code else {"gm_naam": "", "provincie": "", "coa_region": "", "amr_code": ""}
            row = {**base, "status": "linked" if g >= 0 else "unplaced", "gm_code": code, **place,
                   "needed_class": int(r["needed_class"]),
                   "dwelling_class": int(r["dwelling_class"]) if g >= 0 else "",
                   "shared_dwelling": bool(r["shared"]) if g >= 0 else ""}
            for t, values in terms.items():
                row[t] = values[i]
            row["employment_score_here"] = _score_cell(scores[i, score_col[g]]) if code else ""
            row["employment_score_best"] = best[i]
            row["best_amr"] = best_amrs[i]
            row.update(alt_rows[i])
            reason = why[i]
        elif hid in excluded:
            row = {**base, "status": "excluded", "gm_code": ""}
            reason = excluded[hid]
        else:
            row = {**base, "status": "context", "gm_code": src["linked_gm"]}
            reason = [clause("linked_earlier", gm_code=src["linked_gm"])]
        row.update(reason_codes=clauses.codes(reason), reason_values=clauses.to_json(reason))
        rows.append(row)
        why_all.append(reason)
    out = pd.DataFrame(rows)
    out["reason"] = clauses.render_all(why_all, lang)  # each distinct clause rendered once
    order = ["household_id", "status", "gm_code", "gm_naam", "provincie", "coa_region", "amr_code", "persons",
             "adults", "children", "needed_class", "dwelling_class", "shared_dwelling"]
    order += [f"term_{t}" for t in PER_HOUSEHOLD]
    order += ["employment_score_here", "employment_score_best", "best_amr"]
    order += [c for k in range(1, N_ALTERNATIVES + 1) for c in (f"alt{k}_gm_code", f"alt{k}_delta")]
    order += ["reason", "reason_codes", "reason_values"]
    for c in order:
        if c not in out:
            out[c] = ""
    for c in ("persons", "adults", "children", "needed_class", "dwelling_class"):
        out[c] = pd.to_numeric(out[c].replace("", np.nan)).astype("Int64")
    out["alternatives_method"] = text(lang, "points.method")
    out["points_unit"] = points_unit(lang)
    out = out[order + ["alternatives_method", "points_unit"]]
    out.attrs["notes"] = points_notes(out.columns, lang)
    return out


def gemeenten_table(ctx: Context, sol: Solution, households: pd.DataFrame, state: pd.DataFrame,
                    lang: str = "nl") -> pd.DataFrame:
    """One row per gemeente: target, result, deviation, terms, dwellings, children by age band."""
    inp = ctx.inputs
    gem = ctx.gemeenten
    g = sol.gemeenten
    points = sol.evaluation.weighted_gemeente()
    out = pd.DataFrame({"gm_code": inp.gemeenten, "gm_naam": gem["gm_naam"].to_numpy(),
                        "provincie": gem["provincie"].to_numpy(), "coa_region": gem["coa_region"].to_numpy()})
    out["target"] = g["target"].to_numpy()
    out["persons"] = g["persons"].to_numpy()
    out["households"] = g["households"].to_numpy()
    out["deviation"] = out["persons"] - out["target"]
    out["relative_deviation"] = g["relative_deviation"].round(6).to_numpy()
    out["housing_pressure"] = inp.pressure
    # gemeente-level objective terms; size_fit and sharing are attributed to households in
    # proposal.csv (term_size_fit, term_sharing) and only summed here for information
    for t in ("quota", "pressure"):
        out[f"term_{t}"] = np.round(points[t], 6)
    for t in ("size_fit", "sharing"):
        out[f"{t}_points_of_households"] = np.round(points[t], 6)
    for d in range(1, 6):
        out[f"dwellings_used_c{d}"] = g[f"used_c{d}"].to_numpy()
        out[f"dwellings_offered_c{d}"] = g[f"offered_c{d}"].to_numpy()
    # children per age band (for schools), from the linked households
    hh = sol.households
    linked = hh[hh["gm_index"] >= 0]
    bands = np.zeros((inp.n_gemeenten, len(AGE_BANDS)), dtype=int)
    ages = households.loc[linked["household_id"], "child_ages"]
    for gi, child_ages in zip(linked["gm_index"], ages):
        for a in split_list(child_ages):
            for b, (lo, hi) in enumerate(AGE_BANDS):
                if lo <= int(a) <= hi:
                    bands[gi, b] += 1
    for b, (lo, hi) in enumerate(AGE_BANDS):
        out[f"children_{lo}_{hi}"] = bands[:, b]
    out["cap_persons"] = state["cap_persons"].to_numpy()
    out["cap_households"] = state["cap_households"].to_numpy()
    for r, name in enumerate(inp.resources):  # named resources (--capacities): use and capacity
        use = inp.household_usage[linked.index.to_numpy(), r] if len(linked) else []
        used = np.zeros(inp.n_gemeenten)
        np.add.at(used, linked["gm_index"].to_numpy(dtype=int), use)
        out[f"{name}_used"] = used
        out[f"{name}_capacity"] = inp.resource_cap[:, r]
    out["points_unit"] = points_unit(lang)
    out.attrs["notes"] = points_notes(out.columns, lang)
    return out


# ------------------------------------------------------------------------------------------
# Fairness: between provinces, between gemeenten, between household types
# ------------------------------------------------------------------------------------------

SIZE_GROUPS = ((1, 1, "single"), (2, 2, "2 persons"), (3, 4, "3-4 persons"), (5, 6, "5-6 persons"),
               (7, 999, "7+ persons"))


def provinces_table(gemeenten: pd.DataFrame) -> pd.DataFrame:
    """Per province: target and persons linked, deviation, and how many gemeenten are on, under
    or over their target (on target = within half a person)."""
    g = gemeenten.copy()
    g["on_target"] = g["deviation"].abs() < 0.5
    g["under_target"] = g["deviation"] <= -0.5
    g["over_target"] = g["deviation"] >= 0.5
    out = g.groupby("provincie", sort=True).agg(
        gemeenten=("gm_code", "size"), target=("target", "sum"), persons=("persons", "sum"),
        households=("households", "sum"), gemeenten_on_target=("on_target", "sum"),
        gemeenten_under_target=("under_target", "sum"), gemeenten_over_target=("over_target", "sum"),
        worst_relative_deviation=("relative_deviation", "max"))
    out["deviation"] = out["persons"] - out["target"]
    out["fulfilment"] = (out["persons"] / out["target"].where(out["target"] > 0)).round(4)
    return out.reset_index()


def household_types_table(proposal: pd.DataFrame) -> pd.DataFrame:
    """Per household size group (and with/without ties): how each type fares.

    Only size and ties are used to group: never nationality, ethnicity, religion or gender
    (the engine does not have them)."""
    rows = []
    decided = proposal[proposal["status"].isin(["linked", "unplaced", "excluded"])].copy()
    persons = decided["persons"].astype(int)
    for lo, hi, label in SIZE_GROUPS:
        part = decided[(persons >= lo) & (persons <= hi)]
        if len(part):
            rows.append(type_row(label, part))
    if len(decided):
        rows.append(type_row("all households", decided))
    return pd.DataFrame(rows)


def type_row(label: str, part: pd.DataFrame) -> dict:
    """The outcomes of one group of decided proposal rows (shares placed, labour region, COA
    region left, dwelling fit), labelled ``label``."""
    linked = part[part["status"] == "linked"]
    n = len(part)

    def share(mask) -> float:
        return round(float(mask.sum()) / len(linked), 4) if len(linked) else float("nan")

    regret = (pd.to_numeric(linked["employment_score_best"]) - pd.to_numeric(linked["employment_score_here"]))
    return {
        "household_type": label, "households": n, "persons": int(part["persons"].astype(int).sum()),
        "linked_share": round(len(linked) / n, 4),
        "unplaced_share": round(float((part["status"] == "unplaced").sum()) / n, 4),
        "excluded_share": round(float((part["status"] == "excluded").sum()) / n, 4),
        "in_best_labour_region_share": share(regret <= 1e-9),
        "mean_labour_regret": round(float(regret.mean()), 4) if len(linked) else float("nan"),
        "left_coa_region_share": share(pd.to_numeric(linked["term_continuity"]) > 0),
        "larger_dwelling_share": share((linked["dwelling_class"].astype(int) > linked["needed_class"].astype(int))
                                       & linked["shared_dwelling"].ne(True)),
        "shared_dwelling_share": share(linked["shared_dwelling"].eq(True)),
    }


def fairness_summary(gemeenten: pd.DataFrame) -> dict:
    """Headline fairness figures of a proposal between gemeenten."""
    from optimizer.evaluation.fairness import dissimilarity

    target = gemeenten["target"].astype(float)
    persons = gemeenten["persons"].astype(float)
    out = {
        "gemeenten_on_target": int((gemeenten["deviation"].abs() < 0.5).sum()),
        "gemeenten_under_target": int((gemeenten["deviation"] <= -0.5).sum()),
        "gemeenten_over_target": int((gemeenten["deviation"] >= 0.5).sum()),
        "worst_relative_deviation": float(gemeenten["relative_deviation"].max()),
        "worst_gemeente": str(gemeenten.loc[gemeenten["relative_deviation"].idxmax(), "gm_code"]),
    }
    if target.sum() > 0 and persons.sum() > 0:
        # share of persons that would have to move for the linked distribution to match the targets
        out["dissimilarity_linked_vs_target"] = round(float(dissimilarity(persons, target)), 6)
    return out
