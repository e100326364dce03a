"""Fairness of a proposal between gemeenten, as a province reads it first (issue 12).

:func:`far_off_gemeenten` lists every gemeente far off its target (relative deviation beyond
``FAR_OFF`` = 15 %, or nobody linked against a positive target) with the reason that binds it,
checked in this order on the proposal itself (all other links as proposed):

under target (or at zero)
  * ``no_dwellings``: the gemeente offers no dwelling in this batch;
  * ``cap``: its cap (leefbaarheid) is reached: households at the household cap, or the
    smallest household that may come would exceed the persons cap;
  * ``hard_ties``: no household linked elsewhere or unplaced may go there (hard ties, medical
    region, locks or a family elsewhere);
  * ``no_fitting_dwelling``: none of those households fits a free dwelling there (every free
    dwelling is smaller than the class they need, sharing included);
over target
  * ``indivisible_household``: every household linked there is at least twice the over-shoot,
    so taking any one of them out leaves the gemeente at least as far off;
  * ``hard_ties``: the households that may go elsewhere hold fewer persons than the over-shoot;
  * ``no_room_elsewhere``: no household linked there fits a free dwelling in another allowed
    gemeente that is below its target and has room under its cap;
either side
  * ``trade_off``: none of the above binds; the other terms of the objective (labour market,
    COA region, dwelling fit) outweigh the quota term here. This is *not* a binding reason.

:func:`fairness_headline` gives the figures of the first page: the largest relative over- and
under-shoot, the gemeenten at zero, the share within ``WITHIN`` = 10 % of target, and how many
far-off gemeenten have a binding reason. Both are plain data (dict / DataFrame) for run.json,
``fairness.csv`` and the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.koppeling import SHARED_CLASS
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.report.strings import text

FAR_OFF = 0.15
WITHIN = 0.10
BINDING = ("no_dwellings", "cap", "hard_ties", "no_fitting_dwelling", "indivisible_household", "no_room_elsewhere")
COLUMNS = ("gm_code", "gm_naam", "provincie", "target", "persons", "deviation", "relative_deviation", "side",
           "reason_code", "binding", "reason")


def signed_relative_deviation(target: np.ndarray, persons: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(persons - target) / scale: > 0 above target, < 0 below."""
    return (persons - target) / scale


def _fits(free: np.ndarray, lone: int, need: np.ndarray, sharing: bool) -> np.ndarray:
    """Per household need class: does a free dwelling of that class or larger exist (or, for a
    single, a single alone in a class-2 dwelling to share with)?"""
    top = max((d for d in range(5, 0, -1) if free[d - 1] > 0), default=0)
    return (need <= top) | ((need == 1) & sharing & (lone > 0))


class _Situation:
    """The proposal's numbers the reasons are read from (one pass over the solution)."""

    def __init__(self, ctx: Context, sol: Solution) -> None:
        inp = ctx.inputs
        ev = sol.evaluation
        a = ev.assignment
        self.inp, self.gm, self.persons, self.need = inp, a.gemeente, ev.persons, ev.need
        self.allowed = np.isfinite(inp.own_cost[0])[inp.hh_unit] if len(inp.hh_unit) else np.zeros((0, inp.n_gemeenten), bool)
        if inp.open_pairs is not None and len(inp.hh_unit):
            # a pair without variables because nothing fits it there (no dwelling of its class,
            # a cap below its size): not a tie; the dwelling and cap tests below say why
            closed = ~inp.open_pairs[inp.unit_size[inp.hh_unit]]
            for i, rules in ctx.rule_allowed.items():
                closed[i] &= rules
            self.allowed |= closed
        self.free = inp.dwellings - ev.dwellings_used
        self.lone = np.zeros(inp.n_gemeenten, dtype=int)
        sel = (a.gemeente >= 0) & (ev.need == 1) & (a.dwelling_class == SHARED_CLASS) & ~a.shared
        np.add.at(self.lone, a.gemeente[sel], 1)
        self.P = ev.gemeente_persons
        self.H = ev.gemeente_households
        self.below = inp.target > self.P

    def room(self, g: int, persons: float) -> bool:
        """May one more household of ``persons`` come to g under its caps?"""
        inp = self.inp
        return not (np.isfinite(inp.cap_households[g]) and self.H[g] + 1 > inp.cap_households[g]) and \
            not (np.isfinite(inp.cap_persons[g]) and self.P[g] + persons > inp.cap_persons[g])

    def under_reason(self, g: int) -> str:
        inp = self.inp
        if inp.dwellings[g].sum() == 0:
            return "no_dwellings"
        cand = (self.gm != g) & self.allowed[:, g]
        if np.isfinite(inp.cap_households[g]) and self.H[g] >= inp.cap_households[g]:
            return "cap"
        if np.isfinite(inp.cap_persons[g]) and cand.any() and \
                self.P[g] + self.persons[cand].min() > inp.cap_persons[g]:
            return "cap"
        if not cand.any():
            return "hard_ties"
        if not _fits(self.free[g], self.lone[g], self.need[cand], inp.sharing).any():
            return "no_fitting_dwelling"
        return "trade_off"

    def over_reason(self, g: int) -> str:
        inp = self.inp
        here = self.gm == g
        over = self.P[g] - inp.target[g]
        if (self.persons[here] >= 2 * over - 1e-9).all():
            return "indivisible_household"
        elsewhere = self.allowed[here].copy()
        elsewhere[:, g] = False
        movable = elsewhere.any(axis=1)
        if self.persons[here][movable].sum() < over - 1e-9:
            return "hard_ties"
        targets = elsewhere & self.below[None, :]
        for row, need, p in zip(targets[movable], self.need[here][movable], self.persons[here][movable]):
            for g2 in np.flatnonzero(row):
                if _fits(self.free[g2], self.lone[g2], np.array([need]), inp.sharing)[0] and self.room(g2, p):
                    return "trade_off"
        return "no_room_elsewhere"


def far_off_gemeenten(ctx: Context, sol: Solution, gemeenten: pd.DataFrame, far_off: float = FAR_OFF,
                      lang: str = "nl") -> pd.DataFrame:
    """Every gemeente more than ``far_off`` above or below its target, or with a positive
    target and nobody linked, with the reason that binds it (module docstring; columns
    :data:`COLUMNS`, ``reason`` in ``lang``: section ``fairness`` of :mod:`optimizer.report.strings`).
    Sorted by relative deviation, largest shortfall first."""
    inp = ctx.inputs
    target, persons = inp.target, sol.evaluation.gemeente_persons
    rel = signed_relative_deviation(target, persons, inp.scale)
    zero = (persons == 0) & (target > 0)
    rows = []
    situation = _Situation(ctx, sol)
    names = gemeenten.set_index("gm_code")
    for g in np.flatnonzero((np.abs(rel) > far_off + 1e-12) | zero):
        side = "zero" if zero[g] else ("over" if rel[g] > 0 else "under")
        code = situation.over_reason(g) if side == "over" else situation.under_reason(g)
        gm = inp.gemeenten[g]
        rows.append({"gm_code": gm, "gm_naam": names.loc[gm, "gm_naam"], "provincie": names.loc[gm, "provincie"],
                     "target": float(target[g]), "persons": int(persons[g]), "deviation": float(persons[g] - target[g]),
                     "relative_deviation": round(float(rel[g]), 6), "side": side, "reason_code": code,
                     "binding": code in BINDING, "reason": text(lang, f"fairness.{code}")})
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return out.sort_values(["relative_deviation", "gm_code"], kind="stable").reset_index(drop=True)


def _extreme(gemeenten: pd.DataFrame, rel: pd.Series, largest: bool) -> dict | None:
    i = rel.idxmax() if largest else rel.idxmin()
    if (rel[i] <= 0) if largest else (rel[i] >= 0):
        return None
    r = gemeenten.loc[i]
    return {"gm_code": str(r["gm_code"]), "gm_naam": str(r["gm_naam"]), "target": float(r["target"]),
            "persons": int(r["persons"]), "relative_deviation": round(float(rel[i]), 6)}


def fairness_headline(ctx: Context, gemeenten: pd.DataFrame, far: pd.DataFrame) -> dict:
    """The figures a province reads first (module docstring): from the gemeenten table of the
    proposal and :func:`far_off_gemeenten`."""
    rel = pd.Series(signed_relative_deviation(gemeenten["target"].to_numpy(float), gemeenten["persons"].to_numpy(float),
                                              ctx.inputs.scale), index=gemeenten.index)
    positive = gemeenten["target"] > 0
    zero = gemeenten[positive & (gemeenten["persons"] == 0)]
    over, under = far[far["side"] == "over"], far[far["side"] != "over"]
    return {
        "largest_over": _extreme(gemeenten, rel, True),
        "largest_under": _extreme(gemeenten, rel, False),
        "gemeenten_with_target": int(positive.sum()),
        "gemeenten_at_zero": int(len(zero)),
        "gemeenten_at_zero_codes": sorted(zero["gm_code"].astype(str)),
        "share_within_10pct": round(float((rel[positive].abs() <= WITHIN + 1e-12).mean()), 4) if positive.any() else 1.0,
        "far_off_threshold": FAR_OFF,
        "far_over": int(len(over)),
        "far_under_or_zero": int(len(under)),
        "far_off_without_binding_reason": int((~far["binding"].astype(bool)).sum()),
        "reasons": {str(k): int(v) for k, v in far["reason_code"].value_counts().sort_index().items()},
        # the issue-12 rule: nobody far above while another is far below, unless a binding reason is named
        "unexplained_far_over_while_far_under": int((~over["binding"].astype(bool)).sum()) if len(under) else 0,
        "unexplained_far_under_while_far_over": int((~under["binding"].astype(bool)).sum()) if len(over) else 0,
    }


def fairness_report(ctx: Context, sol: Solution, gemeenten: pd.DataFrame,
                    lang: str = "nl") -> tuple[dict, pd.DataFrame]:
    """The headline (dict for run.json) and the far-off gemeenten with reasons in ``lang`` (``fairness.csv``)."""
    far = far_off_gemeenten(ctx, sol, gemeenten, lang=lang)
    return fairness_headline(ctx, gemeenten, far), far
