"""Evaluate a distribution of persons or places over gemeenten against a target.

A *distribution* is an amount per gemeente ``a_g`` (persons linked or housed, reception places);
a *target* ``t_g`` comes from a taakstelling, a key or the distribution's own target column.
With ``pop_g`` the inhabitants on the reference date:

* ``deviation_g = a_g - t_g``; ``relative_deviation_g = deviation_g / t_g`` (empty when
  ``t_g = 0``); per 1,000 inhabitants ``1000 a_g / pop_g`` (and the same for ``t_g`` and the
  deviation);
* ``within_tolerance_g``: ``|relative_deviation_g| <= tol``, or for ``t_g = 0``: ``a_g = 0``;
* overall: Gini and Theil T of the burden per inhabitant ``a_g / pop_g`` weighted by ``pop_g``
  (:mod:`optimizer.evaluation.fairness`; 0 = every inhabitant carries the same), the Lorenz
  curve (share of inhabitants against share of the amount, gemeenten sorted by burden), the
  share of gemeenten within the tolerance, the worst ``|relative_deviation|`` and the number of
  gemeenten with nothing (``a_g = 0``), of which with a target > 0;
* per province: the sums of target and amount, deviation and relative deviation of the sums.

For a koppeling proposal also the outcomes per household type (:func:`household_outcomes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.evaluation import fairness
from optimizer.koppeling.tables import SIZE_GROUPS, type_row

#: Default tolerance on the relative deviation for ``within_tolerance``.
DEFAULT_TOLERANCE = 0.10


def gemeente_table(actual: pd.Series, target: pd.Series, population: pd.Series, gemeenten: pd.DataFrame,
                   tolerance: float = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """One row per gemeente of ``population``'s index (see the module text); amounts missing from
    ``actual`` or ``target`` count as 0."""
    idx = population.index
    a = actual.reindex(idx, fill_value=0).astype(float)
    t = target.reindex(idx, fill_value=0).astype(float)
    pop = population.astype(float)
    out = pd.DataFrame({"gm_code": idx, "gm_naam": gemeenten["gm_naam"].reindex(idx).to_numpy(),
                        "provincie": gemeenten["provincie"].reindex(idx).to_numpy(),
                        "population": population.to_numpy(), "target": t.to_numpy(), "actual": a.to_numpy()})
    out["deviation"] = out["actual"] - out["target"]
    out["relative_deviation"] = (out["deviation"] / out["target"].where(out["target"] > 0)).round(6)
    per = 1000.0 / pop.to_numpy()
    out["target_per_1000"] = (out["target"] * per).round(6)
    out["actual_per_1000"] = (out["actual"] * per).round(6)
    out["deviation_per_1000"] = (out["deviation"] * per).round(6)
    zero_target = out["target"] <= 0
    out["within_tolerance"] = np.where(zero_target, out["actual"] <= 0,
                                       out["relative_deviation"].abs() <= tolerance + 1e-12)
    return out


def province_table(gem: pd.DataFrame) -> pd.DataFrame:
    """Per province: gemeenten, inhabitants, target and amount summed, deviation, relative
    deviation of the sums, per 1,000 inhabitants, and gemeenten within the tolerance."""
    g = gem.groupby("provincie", sort=True)
    out = g.agg(gemeenten=("gm_code", "size"), population=("population", "sum"), target=("target", "sum"),
                actual=("actual", "sum"), within_tolerance=("within_tolerance", "sum"))
    out["deviation"] = out["actual"] - out["target"]
    out["relative_deviation"] = (out["deviation"] / out["target"].where(out["target"] > 0)).round(6)
    out["actual_per_1000"] = (1000 * out["actual"] / out["population"]).round(6)
    out["target_per_1000"] = (1000 * out["target"] / out["population"]).round(6)
    return out.reset_index()


def overall(gem: pd.DataFrame, tolerance: float = DEFAULT_TOLERANCE) -> dict:
    """The headline figures of a distribution (module text)."""
    burden = gem["actual"].to_numpy(float) / gem["population"].to_numpy(float)
    weights = gem["population"].to_numpy(float)
    rel = gem["relative_deviation"].abs()
    worst = rel.idxmax() if rel.notna().any() else None
    nothing = gem["actual"] <= 0
    return {
        "gemeenten": len(gem), "total_target": float(gem["target"].sum()), "total_actual": float(gem["actual"].sum()),
        "gini": round(fairness.gini(burden, weights), 6), "theil": round(fairness.theil(burden, weights), 6),
        "tolerance": tolerance, "share_within_tolerance": round(float(gem["within_tolerance"].mean()), 6),
        "worst_relative_deviation": None if worst is None else round(float(rel[worst]), 6),
        "worst_gemeente": None if worst is None else str(gem.loc[worst, "gm_code"]),
        "gemeenten_with_nothing": int(nothing.sum()),
        "gemeenten_with_nothing_but_a_target": int((nothing & (gem["target"] > 0)).sum()),
    }


def lorenz_points(gem: pd.DataFrame) -> pd.DataFrame:
    """The Lorenz curve of the burden per inhabitant: ``share_population`` (X) and
    ``share_amount`` (Y) after each gemeente, sorted by burden (first point (0, 0))."""
    burden = gem["actual"].to_numpy(float) / gem["population"].to_numpy(float)
    x, y = fairness.lorenz_curve(burden, gem["population"].to_numpy(float))
    order = np.argsort(burden, kind="stable")
    codes = [""] + [str(c) for c in gem["gm_code"].to_numpy()[order]]
    return pd.DataFrame({"gm_code": codes, "share_population": x.round(6), "share_amount": y.round(6)})


# ------------------------------------------------------------------------------------------
# Household types of a koppeling proposal
# ------------------------------------------------------------------------------------------

def household_groups(decided: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """(grouping, group, mask) by household composition only: size class, with or without
    children, one adult or more. Nothing else about a household ever defines a group."""
    persons = decided["persons"].astype(int)
    children = decided["children"].astype(int)
    adults = decided["adults"].astype(int)
    groups = [("size", label, (persons >= lo) & (persons <= hi)) for lo, hi, label in SIZE_GROUPS]
    groups += [("children", "with children", children > 0), ("children", "without children", children == 0),
               ("adults", "single adult", adults == 1), ("adults", "two or more adults", adults >= 2),
               ("all", "all households", pd.Series(True, index=decided.index))]
    return groups


def household_outcomes(proposal: pd.DataFrame) -> pd.DataFrame:
    """Per household type (:func:`household_groups`) the outcomes of a proposal: share placed,
    the mean labour score where linked (and the regret against the best region), the share that
    leaves its COA region, dwelling fit (larger dwelling, shared dwelling); the columns of
    :func:`optimizer.koppeling.tables.type_row` plus ``mean_labour_score``."""
    decided = proposal[proposal["status"].isin(["linked", "unplaced", "excluded"])]
    rows = []
    for grouping, label, mask in household_groups(decided):
        part = decided[mask.to_numpy()]
        if not len(part):
            continue
        linked = part[part["status"] == "linked"]
        score = pd.to_numeric(linked["employment_score_here"], errors="coerce")
        rows.append({"grouping": grouping, **type_row(label, part),
                     "mean_labour_score": round(float(score.mean()), 4) if len(linked) else float("nan")})
    return pd.DataFrame(rows)
