"""The weekly policies compared by the simulation (``docs/simulation.md``, "Policies").

* :class:`Baseline` (``baseline``), today's manual practice: households in permit-date order;
  each to the allowed gemeente of its own COA region (the region of its COA location) that is
  furthest behind its pace (largest batch target still open, in persons; then the largest
  half-year target, then the code) and has a free dwelling of the needed class or larger (the
  smallest such class); when its region has none, any allowed gemeente of the scope by the
  same order; no fitting dwelling anywhere: it waits. Allowed: the hard ties (family, work,
  study gemeenten; the medical arbeidsmarktregio), the referent's gemeente for a nareiziger.
* :class:`Weekly` (``weekly``), the engine's weekly proposal: the koppeling stages
  (``inputs`` -> ``optimise``: build, solve, extract) on the week's households and state.
* :class:`LookAhead` (``lookahead``), the weekly model priced for the rest of the half-year:
  each week, for each of ``samples`` sampled futures (households still to come, drawn from the
  same generator with a seed of the policy's own, never the world's; the dwellings still to be
  released drawn Poisson around the offer), the LP relaxation of the koppeling model of the
  rest of the half-year (pending households and the sample, target :math:`T_g -
  \\text{linked}_g`, dwellings free now and to come) gives duals (:mod:`optimizer.simulation.prices`):
  a price :math:`\\lambda_{g,d}` per dwelling of class d in g, a price :math:`\\pi_g` per person
  linked to g, and per pending household the value :math:`\\mu_h` of its unit (what it costs
  the rest of the half-year). Averaged over the samples, they make the week's model: the
  engine's weekly model with the quota, pressure and minimax weights 0, plus
  :math:`\\sum \\lambda_{g,d} \\cdot \\text{dwellings used} + \\sum_g \\pi_g \\cdot
  \\text{persons}_g`, and leaving household h for later costs :math:`\\min(c_h, \\bar\\mu_h) +
  \\text{patience}` instead of its unplaced cost :math:`c_h`. A household is linked now when a
  dwelling free now serves it about as well as the future is expected to; a dwelling the
  future's families need keeps a high price, so a single does not take it. Prices from LP duals
  of sampled futures are the approach of the dynamic refugee-placement literature (Ahani et al.,
  Annie MOORE; Bansak & Paulson, GeoMatch).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
import pandas as pd

from optimizer.data import dataset, schemas
from optimizer.data.synthetic import generate_households
from optimizer.koppeling import run as koppeling
from optimizer.koppeling.extract import Solution
from optimizer.koppeling.inputs import Context
from optimizer.koppeling.variant import Variant
from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.simulation.prices import (
    add_deferral_values,
    add_dwelling_prices,
    add_person_prices,
    average_prices,
    lp_duals,
    relax,
)
from optimizer.simulation.weekly import Week, empty_links
from optimizer.solve import highs
from optimizer.solve.highs import SolverOptions

POLICIES = ("baseline", "weekly", "lookahead")


# ------------------------------------------------------------------------------------------
# Baseline: manual practice
# ------------------------------------------------------------------------------------------

def allowed_gemeenten(row: pd.Series, codes: list[str], amr: pd.Series, family: dict[str, str]) -> list[str]:
    """Gemeenten a household may go to under the hard rules: tie gemeenten; within them (or
    alone) the medical arbeidsmarktregio; a nareiziger only to its referent's gemeente."""
    if row["referent_id"] and row["referent_id"] in family:
        return [family[row["referent_id"]]]
    allowed = [g for g in codes if g in {row["tie_family_gm"], row["tie_work_gm"], row["tie_study_gm"]}] or list(codes)
    if row["tie_medical_amr"]:
        med = [g for g in codes if amr[g] == row["tie_medical_amr"]]
        both = [g for g in allowed if g in med]
        allowed = both or med
    return allowed


def fitting_class(free: np.ndarray, need: int) -> int:
    """Smallest class >= ``need`` with a free dwelling (``free``: 5 counts), 0 when none."""
    for d in range(need, 6):
        if free[d - 1] > 0:
            return d
    return 0


@dataclass
class Baseline:
    """Manual practice (module docstring)."""

    name: str = "baseline"

    def decide(self, week: Week) -> pd.DataFrame:
        gem = dataset.load_gemeenten()
        codes = list(week.state.index)
        pos = {g: i for i, g in enumerate(codes)}
        free = week.dwellings.copy()
        open_target = week.state["target"].to_numpy(dtype=float).copy()
        half = week.state["half_year_target"].to_numpy(dtype=float)
        region = gem["coa_region"]
        family = {h: g for h, g in zip(week.households.index, week.households["linked_gm"]) if g}
        rows = []
        for hid, r in week.decidable.iterrows():
            allowed = allowed_gemeenten(r, codes, gem["amr_code"], family)
            own = [g for g in allowed if region[g] == region.get(r["coa_location_gm"], "")]
            for group in (own, allowed):
                fit = [(g, fitting_class(free[pos[g]], int(r["size_class"]))) for g in group]
                fit = [(g, d) for g, d in fit if d]
                if fit:
                    g, d = min(fit, key=lambda x: (-open_target[pos[x[0]]], -half[pos[x[0]]], x[0]))
                    free[pos[g], d - 1] -= 1
                    open_target[pos[g]] -= int(r["persons"])
                    rows.append((hid, g, d, False))
                    break
        return pd.DataFrame(rows, columns=["household_id", "gm_code", "dwelling_class", "shared"]) if rows \
            else empty_links()


# ------------------------------------------------------------------------------------------
# The engine's weekly proposal
# ------------------------------------------------------------------------------------------

def proposal_context(households: pd.DataFrame, state: pd.DataFrame, variant: Variant, as_of) -> Context:
    """The koppeling stage ``inputs`` on in-memory frames (no file is read)."""
    cfg = koppeling.ProposeConfig(households=households, state=state, out="-", as_of=as_of, make_map=False)
    data = koppeling.Validated(households=households, state=state, variant=variant, locks=None, previous=None,
                               scores=None, boundaries=None)
    return koppeling.inputs(cfg, data)


def engine_proposal(households: pd.DataFrame, state: pd.DataFrame, variant: Variant, as_of,
                    options: SolverOptions) -> tuple[Context, Solution | None]:
    """The koppeling stages on in-memory frames: ``inputs`` -> ``optimise`` (build, solve,
    extract); no solve when nobody is to be decided."""
    ctx = proposal_context(households, state, variant, as_of)
    if len(ctx.households) == 0:
        return ctx, None
    strategy = koppeling.choose_strategy("auto", "aggregated", ctx.inputs)
    return ctx, koppeling.optimise(ctx, options, "aggregated", strategy)


def solution_links(ctx: Context, sol: Solution | None) -> pd.DataFrame:
    """Links (household_id, gm_code, dwelling_class, shared) of a solved proposal."""
    if sol is None:
        return empty_links()
    h = sol.households[sol.households["gm_index"] >= 0]
    codes = np.asarray(ctx.inputs.gemeenten, dtype=object)
    return pd.DataFrame({"household_id": h["household_id"].astype(str).to_numpy(),
                         "gm_code": codes[h["gm_index"].to_numpy(dtype=int)].astype(str),
                         "dwelling_class": h["dwelling_class"].astype("int64").to_numpy(),
                         "shared": h["shared"].astype(bool).to_numpy()})


def engine_state(state: pd.DataFrame) -> pd.DataFrame:
    """The columns of a koppeling state (index gm_code)."""
    return state[["target", *DWELLING_COLUMNS, "housing_pressure", "cap_persons", "cap_households"]]


@dataclass
class Weekly:
    """The engine's weekly proposal on the week's state."""

    variant: Variant
    options: SolverOptions
    name: str = "weekly"

    def decide(self, week: Week) -> pd.DataFrame:
        ctx, sol = engine_proposal(week.households, engine_state(week.state), self.variant, week.day, self.options)
        return solution_links(ctx, sol)


# ------------------------------------------------------------------------------------------
# Look-ahead: the weekly model priced by the LP duals of sampled futures
# ------------------------------------------------------------------------------------------

#: Sampled futures per week whose LP duals are averaged into the prices.
LOOKAHEAD_SAMPLES = 3
#: Added to a household's deferral value: what one more week of waiting costs it (waiting
#: weight 20 per month x 7 / 30.4 days).
LOOKAHEAD_PATIENCE = 4.6


@dataclass
class LookAhead:
    """The weekly model priced by the LP duals of ``samples`` sampled futures: dwelling and
    person prices, deferral values (module docstring; :mod:`optimizer.simulation.prices`)."""

    variant: Variant
    options: SolverOptions
    seed: int
    samples: int = LOOKAHEAD_SAMPLES
    patience: float = LOOKAHEAD_PATIENCE
    name: str = "lookahead"

    def future(self, week: Week, sample: int = 0) -> pd.DataFrame:
        """Sample ``sample`` of the households still to arrive after this batch (expected
        persons: the share of the half-year's arrivals not yet due), IDs prefixed ``F``,
        dossiers complete; seeded by (policy seed, week, sample), never the world's seed."""
        world = week.world
        last = world.days[-1]
        left = (last - week.day).days
        span = (last - world.period.start).days + 1
        persons = int(round(float(world.target.sum()) * (1 - world.backlog_share) * left / span))
        if persons <= 0 or world.scope is None:
            return week.households.iloc[:0]
        n = max(1, int(math.ceil(persons / 2.0)))
        sample_seed = 1_000_003 * self.seed + 1_009 * sample + week.index
        households = generate_households(n, sample_seed, gemeenten=world.scope, reception=world.reception)
        rng = np.random.default_rng([self.seed, week.index, sample])
        awaiting = households["linked_gm"] == ""
        days = rng.integers(1, max(2, left + 1), size=len(households))
        households.loc[awaiting, "permit_date"] = [(week.day + timedelta(days=int(d))).isoformat()
                                                   for d in days[awaiting]]
        households["has_bsn"] = "true"
        households["has_iban"] = "true"
        for c in ("household_id", "referent_id"):
            households[c] = households[c].map(lambda x: f"F{x[1:]}" if x else x)
        return schemas.load_households(households)

    def rest_state(self, week: Week, sample: int = 0) -> pd.DataFrame:
        """Sample ``sample`` of the state of the rest of the half-year: target :math:`T_g -
        \\text{linked}_g`; the dwellings free now plus a draw of those still to be released,
        :math:`\\text{Poisson}(\\text{offer}_{g,k} \\cdot \\text{batches left} / \\text{batches})`
        (the world releases Poisson(offer) dwellings uniformly over the batches, so the number
        still to come is Poisson with that mean), seeded by (policy seed, week, sample)."""
        world = week.world
        state = engine_state(week.state).copy()
        state["target"] = (week.state["half_year_target"] - week.state["linked"]).clip(lower=0).astype(float)
        weeks_left = len(world.days) - 1 - week.index
        rng = np.random.default_rng([self.seed, week.index, sample, 1])
        expected = rng.poisson(world.offer * weeks_left / len(world.days)).astype(np.int64)
        state[list(DWELLING_COLUMNS)] = week.dwellings + expected
        return state

    def prices(self, week: Week) -> Prices:
        """The prices of the week: the means over the samples of the LP duals
        (:class:`optimizer.simulation.prices.LPDuals`) of each sample's rest-of-period model."""
        lp_options = replace(self.options, mip_rel_gap=0.0)
        dwelling, person, values = [], [], []
        for s in range(self.samples):
            frame = pd.concat([week.households, self.future(week, s)])
            ctx = proposal_context(frame, self.rest_state(week, s), self.variant, week.day)
            if len(ctx.households) == 0:
                continue
            # the plain LP (no quota secant rows): the person price is the quota_deviation row's dual
            duals = lp_duals(relax(koppeling.build(ctx, quota_secants=False).model), lp_options)
            codes = list(ctx.inputs.gemeenten)
            dwelling.append(pd.DataFrame(duals.dwelling, index=codes).reindex(week.state.index).fillna(0.0).to_numpy())
            person.append(pd.Series(duals.person, index=codes).reindex(week.state.index).fillna(0.0).to_numpy())
            values.append(pd.Series([duals.unit.get(int(u), np.nan) for u in ctx.inputs.hh_unit],
                                    index=ctx.households.index))
        lam = average_prices(dwelling) if dwelling else np.zeros((len(week.state), 5))
        value = pd.concat(values, axis=1).mean(axis=1) if values else pd.Series(dtype=float)
        return Prices(dwelling=pd.DataFrame(lam, index=week.state.index, columns=list(range(1, 6))),
                      person=pd.Series(np.mean(person, axis=0) if person else 0.0, index=week.state.index),
                      value=value.reindex(week.decidable.index), patience=self.patience)

    def decide(self, week: Week) -> pd.DataFrame:
        ctx = proposal_context(week.households, engine_state(week.state), self.variant, week.day)
        if len(ctx.households) == 0:
            return empty_links()
        return solution_links(ctx, priced_proposal(ctx, self.prices(week), self.options))


@dataclass
class Prices:
    """A week's look-ahead prices: per dwelling (index gm_code, columns classes 1..5), per
    person linked (index gm_code), per decidable household its value to the rest of the
    half-year :math:`\\bar\\mu_h` (index household_id: the mean over the samples of its unit's
    balance dual), and what one more week of waiting costs a household (the patience)."""

    dwelling: pd.DataFrame
    person: pd.Series
    value: pd.Series
    patience: float


#: Weights the priced weekly model sets to 0: the quota is priced by the person prices instead.
PRICED_OFF = ("quota", "pressure", "minimax")


def priced_proposal(ctx: Context, prices: Prices, options: SolverOptions) -> Solution:
    """The weekly model of ``ctx`` priced for the rest of the half-year: the quota, pressure and
    minimax weights 0 (:data:`PRICED_OFF`), plus the dwelling prices, the person prices and the
    deferral values (:mod:`optimizer.simulation.prices`); solved by HiGHS (no heuristic start:
    the engine's heuristic knows no prices, and a weekly model is small)."""
    codes = list(ctx.inputs.gemeenten)
    weights = {**ctx.inputs.weights, **{t: 0.0 for t in PRICED_OFF}}
    priced = dataclasses.replace(ctx, inputs=dataclasses.replace(ctx.inputs, weights=weights))
    built = koppeling.build(priced)
    lam, pi = prices.dwelling.reindex(codes).to_numpy(), prices.person.reindex(codes).to_numpy()
    add_dwelling_prices(built.model, lam)
    add_person_prices(built.model, pi)
    c = priced.inputs.unplaced_cost
    value = prices.value.reindex(ctx.households.index).to_numpy(dtype=float)
    add_deferral_values(built.model, c, np.fmin(c, value) + prices.patience)
    result = highs.solve(built.model, options)
    if not result.has_solution:
        raise RuntimeError(f"priced weekly model: no solution (status {result.solver_status})")
    return koppeling.extract(ctx, built, result)


def make_policy(name: str, variant: Variant, options: SolverOptions, seed: int):
    """The policy called ``name`` (:data:`POLICIES`)."""
    if name == "baseline":
        return Baseline()
    if name == "weekly":
        return Weekly(variant, options)
    if name == "lookahead":
        return LookAhead(variant, options, seed)
    raise ValueError(f"unknown policy {name!r}; expected one of {POLICIES}")

