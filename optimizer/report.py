"""Output tables of a koppeling proposal: per household and per gemeente.

``proposal`` has one row for *every* household of the input file, with a ``status``:
``linked``, ``unplaced`` (with the reason), ``excluded`` (incomplete dossier, with the
reason) or ``context`` (already linked earlier; not decided here). Nothing is dropped.
Term columns (``term_*``) are weighted contributions in objective points: the household
``term_*`` columns of ``proposal`` (own terms, dwelling fit, sharing, unplaced, waiting) plus the
gemeente ``term_*`` columns of ``gemeenten`` (quota, pressure) plus ``minimax`` in ``run.json``
add up to the objective.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.koppeling import HOUSEHOLD_TERMS, UNPLACED_TERMS
from optimizer.explain import METHOD, N_ALTERNATIVES, alternatives, reasons
from optimizer.koppeling import Solution
from optimizer.koppeling_inputs import Context
from optimizer.schemas import split_list

AGE_BANDS = ((0, 3), (4, 11), (12, 17))


def proposal_table(ctx: Context, sol: Solution, households: pd.DataFrame) -> pd.DataFrame:
    """One row per input household (same order as the input file)."""
    inp = ctx.inputs
    w = inp.weights
    gem = ctx.gemeenten
    hh = sol.households.set_index("household_id")
    alts = alternatives(ctx, sol)
    why = reasons(ctx, sol, alts)
    alts = alts.set_index("household_id")
    codes = np.array(inp.gemeenten)
    rows = []
    decided = dict(zip(hh.index, range(len(hh))))
    excluded = dict(zip(ctx.excluded["household_id"], ctx.excluded["reason"]))
    for hid, src in households.iterrows():
        base = {"household_id": hid, "persons": int(src["persons"]), "adults": int(src["adults"]),
                "children": int(src["children"])}
        if hid in decided:
            i = decided[hid]
            r = hh.iloc[i]
            g = int(r["gm_index"])
            code = codes[g] if g >= 0 else ""
            row = {**base, "status": "linked" if g >= 0 else "unplaced", "gm_code": code,
                   "gm_naam": gem.loc[code, "gm_naam"] if code else "",
                   "provincie": gem.loc[code, "provincie"] if code else "",
                   "coa_region": gem.loc[code, "coa_region"] if code else "",
                   "amr_code": gem.loc[code, "amr_code"] if code else "",
                   "needed_class": int(r["needed_class"]),
                   "dwelling_class": int(r["dwelling_class"]) if g >= 0 else "",
                   "shared_dwelling": bool(r["shared"]) if g >= 0 else ""}
            for t in HOUSEHOLD_TERMS + ("size_fit", "sharing") + UNPLACED_TERMS:
                row[f"term_{t}"] = round(w.get(t, 0.0) * float(r[t]), 6)
            row["employment_score_here"] = round(float(ctx.scores.loc[hid, row["amr_code"]]), 4) if code else ""
            row["employment_score_best"] = round(float(ctx.scores.loc[hid].max()), 4)
            row["best_amr"] = ctx.best_amr.loc[hid]
            a = alts.loc[hid]
            for k in range(1, N_ALTERNATIVES + 1):
                row[f"alt{k}_gm_code"] = a[f"alt{k}_gm_code"]
                row[f"alt{k}_delta"] = a[f"alt{k}_delta"]
            row["reason"] = why[i]
        elif hid in excluded:
            row = {**base, "status": "excluded", "gm_code": "", "reason": excluded[hid]}
        else:
            row = {**base, "status": "context", "gm_code": src["linked_gm"],
                   "reason": "already linked earlier (context row, not decided in this run)"}
        rows.append(row)
    out = pd.DataFrame(rows)
    order = ["household_id", "status", "gm_code", "gm_naam", "provincie", "coa_region", "amr_code", "persons",
             "adults", "children", "needed_class", "dwelling_class", "shared_dwelling"]
    order += [f"term_{t}" for t in HOUSEHOLD_TERMS + ("size_fit", "sharing") + UNPLACED_TERMS]
    order += ["employment_score_here", "employment_score_best", "best_amr"]
    order += [c for k in range(1, N_ALTERNATIVES + 1) for c in (f"alt{k}_gm_code", f"alt{k}_delta")]
    order += ["reason"]
    for c in order:
        if c not in out:
            out[c] = ""
    for c in ("persons", "adults", "children", "needed_class", "dwelling_class"):
        out[c] = pd.to_numeric(out[c].replace("", np.nan)).astype("Int64")
    out["alternatives_method"] = METHOD
    return out[order + ["alternatives_method"]]


def gemeenten_table(ctx: Context, sol: Solution, households: pd.DataFrame, state: pd.DataFrame) -> pd.DataFrame:
    """One row per gemeente: target, result, deviation, terms, dwellings, children by age band."""
    inp = ctx.inputs
    w = inp.weights
    gem = ctx.gemeenten
    g = sol.gemeenten
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
        out[f"term_{t}"] = (w.get(t, 0.0) * g[t]).round(6).to_numpy()
    for t in ("size_fit", "sharing"):
        out[f"{t}_points_of_households"] = (w.get(t, 0.0) * g[t]).round(6).to_numpy()
    for d in range(1, 6):
        out[f"dwellings_used_c{d}"] = g[f"used_c{d}"].to_numpy()
        out[f"dwellings_offered_c{d}"] = g[f"offered_c{d}"].to_numpy()
    # children per age band (for schools), from the linked households
    hh = sol.households
    linked = hh[hh["gm_index"] >= 0]
    bands = np.zeros((inp.n_gemeenten, len(AGE_BANDS)), dtype=int)
    ages = households.loc[linked["household_id"], "child_ages"]
    for gi, text in zip(linked["gm_index"], ages):
        for a in split_list(text):
            for b, (lo, hi) in enumerate(AGE_BANDS):
                if lo <= int(a) <= hi:
                    bands[gi, b] += 1
    for b, (lo, hi) in enumerate(AGE_BANDS):
        out[f"children_{lo}_{hi}"] = bands[:, b]
    out["cap_persons"] = state["cap_persons"].to_numpy()
    out["cap_households"] = state["cap_households"].to_numpy()
    return out
