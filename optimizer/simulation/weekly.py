"""The weekly loop: one policy through one world, batch by batch, with the books kept.

Every batch ``w`` on day :math:`t_w`:

1. the dwellings released this week are added to those still free,
   :math:`A_{g,k} \\mathrel{+}= R_{w,g,k}`;
2. the households with a permit by :math:`t_w` that are not linked yet are *pending*; a pending
   household's dossier counts as complete once :math:`t_w \\ge` its completion date (else the
   engine excludes it and the baseline skips it);
3. the state of the week: per gemeente the batch target of the pace rule
   (:func:`optimizer.rules.taakstelling.batch_targets` with the persons linked so far: the pace
   to the koppel deadline, catch-up after it), the free dwellings :math:`A`, the housing
   pressure, no caps;
4. the policy returns links (household, gemeente, dwelling class, shared); the loop checks them
   against the week (known pending household, complete dossier, gemeente of the scope,
   dwellings free) and raises ``RuntimeError`` on a policy that breaks them;
5. the dwellings used are taken from :math:`A`, the persons added to the gemeente's linked.

A linked household is housed :math:`t_w + \\text{housing delay}` (its own draw).
:func:`week_tables` lays one week's decision out as a proposal and a gemeenten table in the
format the independent checker reads (``tests/support/checker.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd

from optimizer.rules.dwellings import DWELLING_COLUMNS
from optimizer.rules.taakstelling import batch_targets
from optimizer.simulation.scenario import World

LINK_COLUMNS = ("household_id", "gm_code", "dwelling_class", "shared")
AGE_BANDS = ((0, 3), (4, 11), (12, 17))


@dataclass
class Week:
    """What a policy knows in batch ``index``: the pending households (typed, with the referent
    rows as context), the state (index gm_code: ``target`` = batch target, free dwellings,
    ``housing_pressure``, caps, and ``half_year_target``, ``linked``, ``pace_target``)."""

    index: int
    day: date
    households: pd.DataFrame
    state: pd.DataFrame
    world: World

    @property
    def dwellings(self) -> np.ndarray:
        """Free dwellings (gemeenten, 5) this week."""
        return self.state[list(DWELLING_COLUMNS)].to_numpy(dtype=np.int64)

    @cached_property
    def decidable(self) -> pd.DataFrame:
        """Pending households with a complete dossier, in permit-date order (then id)."""
        h = self.households[(self.households["linked_gm"] == "") & self.households["has_bsn"]
                            & self.households["has_iban"]]
        return h.assign(_p=h["permit_date"], _i=h.index).sort_values(["_p", "_i"]).drop(columns=["_p", "_i"])


class Policy(Protocol):
    """A weekly decision rule: links for the week (columns :data:`LINK_COLUMNS`)."""

    name: str

    def decide(self, week: Week) -> pd.DataFrame: ...


@dataclass
class Outcome:
    """A policy's half-year: every link with its batch and day, and per batch the state seen."""

    policy: str
    links: pd.DataFrame  # LINK_COLUMNS + week, link_day
    states: list[pd.DataFrame] = field(default_factory=list)  # per batch: state before the links


def empty_links() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(LINK_COLUMNS, ("str", "str", "int64", "bool"))})


def week_state(world: World, day: date, linked: pd.Series, free: np.ndarray) -> pd.DataFrame:
    """The gemeente state of a batch on ``day`` (the columns a koppeling state has)."""
    t = batch_targets(world.target, world.period, day, linked=linked)
    state = pd.DataFrame(index=pd.Index(world.gemeenten, name="gm_code"))
    state["target"] = t["batch_target"].astype(float)
    for k, c in enumerate(DWELLING_COLUMNS):
        state[c] = free[:, k].astype(np.int64)
    state["housing_pressure"] = world.pressure.reindex(state.index).astype(float).to_numpy()
    state["cap_persons"] = pd.array([pd.NA] * len(state), dtype="Float64")
    state["cap_households"] = pd.array([pd.NA] * len(state), dtype="Int64")
    state["half_year_target"] = world.target.reindex(state.index).to_numpy()
    state["linked"] = linked.reindex(state.index).to_numpy()
    state["pace_target"] = t["pace_target"].to_numpy()
    return state


def pending_households(world: World, w: int, day: date, done: set[str]) -> pd.DataFrame:
    """Households arrived by batch ``w`` and not linked, dossier flags as of ``day``, plus the
    referent rows (context)."""
    aw = world.awaiting
    here = aw[(world.arrival.reindex(aw.index) <= w).to_numpy() & ~aw.index.isin(done)].copy()
    complete = (world.complete_day.reindex(here.index) <= day).to_numpy()
    here["has_bsn"] = here["has_bsn"] | complete
    here["has_iban"] = here["has_iban"] | complete
    return pd.concat([here, world.context])


def dwellings_used(links: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Dwellings (gemeenten, 5) the links use: one per household, a shared class-2 dwelling
    per two households that share."""
    used = np.zeros((len(codes), 5))
    pos = {g: i for i, g in enumerate(codes)}
    for gm, d, sh in zip(links["gm_code"], links["dwelling_class"], links["shared"]):
        used[pos[gm], int(d) - 1] += 0.5 if sh else 1.0
    return np.ceil(used - 1e-9).astype(np.int64)


def check_week(week: Week, links: pd.DataFrame) -> None:
    """The loop's own bookkeeping checks of a policy's links (RuntimeError naming the policy's
    mistake); the full hard-rule check is the independent checker in the tests."""
    known = set(week.decidable.index)
    bad = [h for h in links["household_id"] if h not in known]
    dup = links["household_id"].duplicated().any()
    unknown = set(links["gm_code"]) - set(week.state.index)
    problems = []
    if bad or dup:
        problems.append(f"links households that are not pending with a complete dossier (or twice): {bad[:5]}")
    if unknown:
        problems.append(f"links to gemeenten outside the scope: {sorted(unknown)[:5]}")
    elif (dwellings_used(links, list(week.state.index)) > week.dwellings).any():
        problems.append("uses more dwellings than are free")
    if problems:
        raise RuntimeError(f"batch {week.index} ({week.day}): " + "; ".join(problems))


def simulate(world: World, policy: Policy, *, keep_states: bool = False,
             on_week: Callable[[Week, pd.DataFrame], None] | None = None) -> Outcome:
    """Run ``policy`` through every batch of ``world``; ``on_week(week, links)`` sees each
    decision (the tests run the checker there)."""
    codes = world.gemeenten
    free = np.zeros((len(codes), 5), dtype=np.int64)
    linked = pd.Series(0, index=pd.Index(codes, name="gm_code"), dtype="int64")
    persons = world.households["persons"]
    done: set[str] = set()
    parts, states = [], []
    for w, day in enumerate(world.days):
        free += world.release[w]
        week = Week(w, day, pending_households(world, w, day, done), week_state(world, day, linked, free), world)
        links = policy.decide(week)[list(LINK_COLUMNS)].reset_index(drop=True)
        check_week(week, links)
        if on_week is not None:
            on_week(week, links)
        if keep_states:
            states.append(week.state)
        free -= dwellings_used(links, codes)
        add = links.assign(persons=persons.reindex(links["household_id"]).to_numpy()).groupby("gm_code")["persons"].sum()
        linked = linked.add(add, fill_value=0).astype("int64")
        done |= set(links["household_id"])
        parts.append(links.assign(week=w, link_day=day))
    all_links = pd.concat(parts, ignore_index=True) if parts else empty_links()
    return Outcome(policy=policy.name, links=all_links, states=states)


# ------------------------------------------------------------------------------------------
# One week as checker tables
# ------------------------------------------------------------------------------------------

def week_tables(week: Week, links: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(proposal, gemeenten) of one week's decision, in the columns the koppeling proposal and
    gemeenten tables have (status linked/unplaced/excluded/context, gemeente, dwelling)."""
    hh = week.households
    by_id = links.set_index("household_id")
    rows = []
    for hid, r in hh.iterrows():
        base = {"household_id": hid, "persons": int(r["persons"]), "adults": int(r["adults"]),
                "children": int(r["children"]), "needed_class": int(r["size_class"])}
        if r["linked_gm"]:
            rows.append({**base, "status": "context", "gm_code": r["linked_gm"], "reason": "linked earlier"})
        elif not (r["has_bsn"] and r["has_iban"]):
            rows.append({**base, "status": "excluded", "gm_code": "", "reason": "incomplete dossier"})
        elif hid in by_id.index:
            x = by_id.loc[hid]
            rows.append({**base, "status": "linked", "gm_code": x["gm_code"], "dwelling_class": int(x["dwelling_class"]),
                         "shared_dwelling": bool(x["shared"]), "reason": "linked"})
        else:
            rows.append({**base, "status": "unplaced", "gm_code": "", "reason": "not linked this week"})
    proposal = pd.DataFrame(rows)
    for c, default in (("dwelling_class", 0), ("shared_dwelling", False)):
        proposal[c] = proposal[c].fillna(default) if c in proposal else default
    return proposal, gemeenten_table(week, proposal)


def gemeenten_table(week: Week, proposal: pd.DataFrame) -> pd.DataFrame:
    """Per gemeente: persons and households linked, target, deviation, dwellings offered and
    used per class (a shared dwelling counts half per household), children by age band."""
    state = week.state
    lk = proposal[proposal["status"] == "linked"]
    hh = week.households
    gem = pd.DataFrame(index=state.index)
    gem["persons"] = lk.groupby("gm_code")["persons"].sum().reindex(gem.index, fill_value=0)
    gem["households"] = lk.groupby("gm_code").size().reindex(gem.index, fill_value=0)
    gem["target"] = state["target"]
    gem["deviation"] = gem["persons"] - gem["target"]
    share = np.where(lk["shared_dwelling"].astype(bool), 0.5, 1.0)
    for k, c in enumerate(DWELLING_COLUMNS, start=1):
        gem[f"dwellings_offered_c{k}"] = state[c]
        mask = lk["dwelling_class"].astype(int).to_numpy() == k
        gem[f"dwellings_used_c{k}"] = pd.Series(share[mask], index=lk["gm_code"][mask].to_numpy()).groupby(
            level=0).sum().reindex(gem.index, fill_value=0.0)
    ages = hh["child_ages"].reindex(lk["household_id"]).to_numpy()
    for lo, hi in AGE_BANDS:
        n = [sum(1 for a in str(c).split(";") if a and lo <= int(a) <= hi) for c in ages]
        gem[f"children_{lo}_{hi}"] = pd.Series(n, index=lk["gm_code"].to_numpy(), dtype="int64").groupby(
            level=0).sum().reindex(gem.index, fill_value=0)
    return gem.reset_index()
