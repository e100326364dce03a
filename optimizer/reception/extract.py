"""Reception stage ``extract``: tables and figures from the solved model.

* places per gemeente: new places and sites per option, total places, places per 1,000
  inhabitants, deviation from the fair share (absolute and relative), site cost;
* payments re-computed from the places with :func:`optimizer.rules.bonus_malus.payments` (the
  authoritative figures; the model's own payment expression is kept as ``payment_model_eur``);
* verevening (:func:`adjust_taakstelling`) when the variant enables it;
* per province sums, the objective terms (raw, weight, weighted) and a summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from models.reception import TERMS, ReceptionInputs
from optimizer.reception.inputs import Prepared
from optimizer.reception.solve import Solution, payment_table, solution_places
from optimizer.rules import bonus_malus, keys
from optimizer.solve.highs import SolveResult

#: Payment columns of places.csv, as :func:`optimizer.rules.bonus_malus.payments` names them.
PAYMENT_COLUMNS: tuple[str, ...] = ("surplus", "shortfall", "place_bonus_eur", "surplus_bonus_eur", "bonus_eur",
                                    "malus_eur", "payment_eur")


@dataclass
class ReceptionResult:
    """Outputs of one variant: tables, objective terms, summary, the solver's record."""

    prepared: Prepared
    places: pd.DataFrame
    provinces: pd.DataFrame
    terms: dict[str, float]  # raw value per objective term
    weights: dict[str, float]  # weight per objective term
    summary: dict[str, Any]
    result: SolveResult  # the last solve
    solves: list[dict[str, Any]] = field(default_factory=list)  # every solve (budget-neutral iteration)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def objective_terms(self) -> dict[str, dict[str, float]]:
        """term -> raw, weight and weighted value."""
        return {t: {"raw": v, "weight": self.weights[t], "weighted": self.weights[t] * v} for t, v in self.terms.items()}


def adjust_taakstelling(base: pd.Series, places: pd.Series, share: pd.Series, factor: float,
                        floor_fraction: float = 0.0) -> pd.DataFrame:
    """Verevening: hosting above (below) the share lowers (raises) the housing taakstelling.

    ``raw_g = base_g - f (x_g - s_g) + f D base_g / B`` with ``D = sum (x - s)`` and
    ``B = sum base``: the national excess of places over the shares is handed back in
    proportion to the base, so ``sum raw = B``. Values below ``floor_fraction * base`` are
    raised to it and the difference is taken from the others in proportion to their room
    above their floor (one step suffices). Integers by largest remainder: the national sum
    stays exactly ``B``. Columns: taakstelling_base, verevening_delta, taakstelling_adjusted.
    """
    base = base.astype("int64")
    B = int(base.sum())
    x = places.reindex(base.index).astype(float)
    s = share.reindex(base.index).astype(float)
    d = x - s
    D = float(d.sum())
    weights = base / B if B > 0 else pd.Series(0.0, index=base.index)
    raw = base.astype(float) - factor * d + factor * D * weights
    floor = floor_fraction * base.astype(float)
    low = raw < floor
    if low.any():
        raw[low] = floor[low]
        gap = float(raw.sum()) - B  # > 0: taken from the others
        room = (raw - floor).where(~low, 0.0)
        if room.sum() > 0:
            raw = raw - gap * room / room.sum()
    raw = raw.clip(lower=0.0)
    adjusted = keys.largest_remainder(raw, B) if B > 0 else base * 0
    out = pd.DataFrame({"taakstelling_base": base, "verevening_delta": adjusted - base,
                        "taakstelling_adjusted": adjusted.astype("int64")}, index=base.index)
    assert int(out["taakstelling_adjusted"].sum()) == B
    return out


def model_payments_eur(model: pyo.ConcreteModel, inputs: ReceptionInputs) -> list[float]:
    """The model's payment expression per gemeente, in EUR (the model counts thousands)."""
    payment = model.payment
    return [float(pyo.value(payment[g])) * 1000.0 for g in inputs.gemeenten]


def add_placement(frame: pd.DataFrame, inp: ReceptionInputs, new: np.ndarray, sites: np.ndarray) -> None:
    """Columns ``new_<option>``, ``sites_<option>``, ``new_total``, ``places`` (existing + new),
    ``places_per_1000``, ``deviation`` (places - fair share), ``deviation_rel`` (deviation /
    max(share, min_scale)) and ``site_cost_eur`` (fixed cost per site + cost per place)."""
    for j, s in enumerate(inp.sites):
        frame[f"new_{s.name}"] = new[:, j]
        frame[f"sites_{s.name}"] = sites[:, j]
    frame["new_total"] = new.sum(axis=1)
    frame["places"] = frame["existing"] + frame["new_total"]
    frame["places_per_1000"] = 1000.0 * frame["places"] / frame["population"]
    frame["deviation"] = frame["places"] - frame["fair_share"]
    frame["deviation_rel"] = frame["deviation"] / np.maximum(frame["fair_share"], inp.min_scale)
    frame["site_cost_eur"] = sum(frame[f"sites_{s.name}"] * s.cost_per_site_eur
                                 + frame[f"new_{s.name}"] * s.cost_per_place_eur for s in inp.sites)


def add_payments(frame: pd.DataFrame, prep: Prepared, new: np.ndarray, model: pyo.ConcreteModel) -> dict[str, Any]:
    """Payment columns (:data:`PAYMENT_COLUMNS`, ``payment_model_eur``) re-computed with the
    bonus-malus rule; without a scheme every payment is 0. Returns the payment summary with
    the budget-neutral bonus rate (``None`` otherwise)."""
    if prep.rule is None:
        frame["surplus"] = frame["deviation"].clip(lower=0)
        frame["shortfall"] = (-frame["deviation"]).clip(lower=0)
        for c in PAYMENT_COLUMNS[2:]:
            frame[c] = 0
        frame["payment_model_eur"] = 0.0
        return {**bonus_malus.summary(frame.assign(bonus_eur=0, malus_eur=0, payment_eur=0)),
                "neutral_bonus_rate_eur": None}
    table = payment_table(prep, new)
    for c in PAYMENT_COLUMNS:
        frame[c] = table[c]
    for c in ("surplus", "shortfall"):
        frame[c] = frame[c].round().astype("int64")
    frame["payment_model_eur"] = model_payments_eur(model, prep.inputs)
    rate = bonus_malus.neutral_bonus_rate(table) if prep.rule.budget_neutral else None
    return {**bonus_malus.summary(table), "neutral_bonus_rate_eur": rate}


def add_verevening(frame: pd.DataFrame, prep: Prepared) -> pd.DataFrame:
    """With verevening: the columns of :func:`adjust_taakstelling` joined to the frame."""
    if prep.base_taakstelling is None:
        return frame
    vv = prep.variant.verevening
    return frame.join(adjust_taakstelling(prep.base_taakstelling, frame["places"], frame["fair_share"], vv.factor,
                                          vv.floor_fraction))


def province_sums(prep: Prepared, frame: pd.DataFrame) -> pd.DataFrame:
    """The provinces table of the inputs with the solution summed per province."""
    grouped = frame.groupby("provincie_code")
    provinces = prep.provinces.copy()
    provinces["fair_share"] = grouped["fair_share"].sum()
    provinces["new_places"] = grouped["new_total"].sum()
    provinces["places"] = grouped["places"].sum()
    provinces["places_per_1000"] = 1000.0 * provinces["places"] / provinces["population"]
    for c in ("bonus_eur", "malus_eur", "payment_eur", "site_cost_eur"):
        provinces[c] = grouped[c].sum()
    for s in prep.inputs.sites:
        provinces[f"sites_{s.name}"] = grouped[f"sites_{s.name}"].sum()
    return provinces


def summarise(prep: Prepared, sol: Solution, frame: pd.DataFrame, pay: dict[str, Any]) -> dict[str, Any]:
    """National totals, new sites per option, site cost, payments, the solver's status."""
    summary = {
        "variant": prep.variant.name,
        "status": sol.result.status.value,
        "objective": sol.result.objective,
        "gap": sol.result.gap,
        "national_total": int(prep.provinces["province_total"].sum()),
        "total_places": int(frame["places"].sum()),
        "existing_places": int(frame["existing"].sum()),
        "new_places": int(frame["new_total"].sum()),
        "new_sites": {s.name: int(frame[f"sites_{s.name}"].sum()) for s in prep.inputs.sites},
        "site_cost_eur": float(frame["site_cost_eur"].sum()),
        **pay,
        "neutral_rates_model_eur": sol.neutral_rates or None,
    }
    if prep.base_taakstelling is not None:
        summary["taakstelling_national"] = int(prep.base_taakstelling.sum())
        summary["taakstelling_adjusted_national"] = int(frame["taakstelling_adjusted"].sum())
    return summary


def extract(prep: Prepared, sol: Solution) -> ReceptionResult:
    """Stage ``extract``: tables and figures from the solved model."""
    t0 = time.perf_counter()
    inp = prep.inputs
    frame = prep.frame.copy()
    new, sites = solution_places(sol.model, inp)
    add_placement(frame, inp, new, sites)
    pay = add_payments(frame, prep, new, sol.model)
    frame = add_verevening(frame, prep)
    terms = term_values(sol.model)
    weights = {t: float(inp.weights.get(t, 0.0)) for t in terms}
    timings = {**prep.timings, "build": sol.build_seconds,
               "compile": sum(s["compile_seconds"] for s in sol.solves),
               "solve": sum(s["solve_seconds"] for s in sol.solves)}
    res = ReceptionResult(prepared=prep, places=frame, provinces=province_sums(prep, frame), terms=terms,
                          weights=weights, summary=summarise(prep, sol, frame, pay), result=sol.result,
                          solves=sol.solves, timings=timings)
    res.timings["extract"] = time.perf_counter() - t0
    return res


def term_values(m: pyo.ConcreteModel) -> dict[str, float]:
    """Raw value of each objective term (``objective_term[t]``) in the loaded solution."""
    return {t: float(pyo.value(m.objective_term[t])) for t in TERMS}
