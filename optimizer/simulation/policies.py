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
* :class:`LookAhead` (``lookahead``), the engine with a sampled future: each week the same model
  over the pending households *and* a sample of the households still to come (drawn from the
  same generator with a seed of its own, never the world's), against the half-year targets
  still open (:math:`T_g - \\text{linked}_g`) and the dwellings free now plus those expected
  over the rest of the half-year; only the real households' links are kept, each if a
  dwelling of its class (or the smallest larger one) is free in its gemeente now, longest
  waiting first. The sample stands in for the future, so a household is not sent this week
  where a better-suited household is expected to need the place (one-sample consensus /
  model-predictive control).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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
from optimizer.simulation.weekly import Week, empty_links
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

def engine_proposal(households: pd.DataFrame, state: pd.DataFrame, variant: Variant, as_of,
                    options: SolverOptions) -> tuple[Context, Solution | None]:
    """The koppeling stages on in-memory frames: ``inputs`` -> ``optimise`` (build, solve,
    extract); no solve when nobody is to be decided."""
    cfg = koppeling.ProposeConfig(households=households, state=state, out="-", as_of=as_of, make_map=False)
    data = koppeling.Validated(households=households, state=state, variant=variant, locks=None, previous=None,
                               scores=None, boundaries=None)
    ctx = koppeling.inputs(cfg, data)
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
# Look-ahead: the engine with a sampled future
# ------------------------------------------------------------------------------------------

@dataclass
class LookAhead:
    """The weekly model over the pending households and a sampled future (module docstring)."""

    variant: Variant
    options: SolverOptions
    seed: int
    name: str = "lookahead"
    _scope_cache: dict = field(default_factory=dict, repr=False)

    def future(self, week: Week) -> pd.DataFrame:
        """A sample of the households still to arrive after this batch (expected persons:
        the share of the half-year's arrivals not yet due), IDs prefixed ``F``, dossiers complete."""
        world = week.world
        last = world.days[-1]
        left = (last - week.day).days
        span = (last - world.period.start).days + 1
        persons = int(round(float(world.target.sum()) * (1 - world.backlog_share) * left / span))
        if persons <= 0 or world.scope is None:
            return week.households.iloc[:0]
        n = max(1, int(math.ceil(persons / 2.0)))
        sample = generate_households(n, 1_000_003 * self.seed + week.index, gemeenten=world.scope,
                                     reception=world.reception)
        rng = np.random.default_rng([self.seed, week.index])
        awaiting = sample["linked_gm"] == ""
        days = rng.integers(1, max(2, left + 1), size=len(sample))
        sample.loc[awaiting, "permit_date"] = [(week.day + timedelta(days=int(d))).isoformat() for d in days[awaiting]]
        sample["has_bsn"] = "true"
        sample["has_iban"] = "true"
        for c in ("household_id", "referent_id"):
            sample[c] = sample[c].map(lambda x: f"F{x[1:]}" if x else x)
        return schemas.load_households(sample)

    def decide(self, week: Week) -> pd.DataFrame:
        world = week.world
        state = engine_state(week.state).copy()
        state["target"] = (week.state["half_year_target"] - week.state["linked"]).clip(lower=0).astype(float)
        weeks_left = len(world.days) - 1 - week.index
        expected = np.floor(world.offer * weeks_left / len(world.days)).astype(np.int64)
        state[list(DWELLING_COLUMNS)] = week.dwellings + expected
        frame = pd.concat([week.households, self.future(week)])
        ctx, sol = engine_proposal(frame, state, self.variant, week.day, self.options)
        links = solution_links(ctx, sol)
        real = links[links["household_id"].isin(set(week.decidable.index))]
        return fit_to_free(real, week)


def fit_to_free(links: pd.DataFrame, week: Week) -> pd.DataFrame:
    """Keep the links that a dwelling free now can take, longest waiting first: two single
    households the model lets share go to one free class-2 dwelling; any other keeps its model
    class if free, else the smallest larger free class; the others wait."""
    free = week.dwellings.copy()
    pos = {g: i for i, g in enumerate(week.state.index)}
    need = week.decidable["size_class"]
    rank = {h: i for i, h in enumerate(week.decidable.index)}
    ordered = sorted(zip(links["household_id"], links["gm_code"], links["dwelling_class"], links["shared"]),
                     key=lambda x: rank[x[0]])
    rows = []
    waiting_partner: dict[str, str] = {}
    for hid, gm, d, shared in ordered:
        g = pos[gm]
        if shared:
            mate = waiting_partner.pop(gm, None)
            if mate is None:
                waiting_partner[gm] = hid
            elif free[g, 1] > 0:
                free[g, 1] -= 1
                rows += [(mate, gm, 2, True), (hid, gm, 2, True)]
            continue
        cls = int(d) if free[g, int(d) - 1] > 0 and int(d) >= int(need[hid]) else fitting_class(free[g], int(need[hid]))
        if cls:
            free[g, cls - 1] -= 1
            rows.append((hid, gm, cls, False))
    for gm, hid in waiting_partner.items():  # a single whose partner was not kept: a dwelling of its own
        cls = fitting_class(free[pos[gm]], int(need[hid]))
        if cls:
            free[pos[gm], cls - 1] -= 1
            rows.append((hid, gm, cls, False))
    return pd.DataFrame(rows, columns=["household_id", "gm_code", "dwelling_class", "shared"]) if rows \
        else empty_links()


def make_policy(name: str, variant: Variant, options: SolverOptions, seed: int):
    """The policy called ``name`` (:data:`POLICIES`)."""
    if name == "baseline":
        return Baseline()
    if name == "weekly":
        return Weekly(variant, options)
    if name == "lookahead":
        return LookAhead(variant, options, seed)
    raise ValueError(f"unknown policy {name!r}; expected one of {POLICIES}")

