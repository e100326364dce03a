"""What a policy's half-year achieved (``docs/simulation.md``, "Metrics").

From the links (household, gemeente, dwelling, batch day) and the world:

* **labour**: expected employed adults of the linked households (the engine's employment
  score in the gemeente's arbeidsmarktregio); its ratio to hindsight is added by the runner;
* **hindsight_objective**: the links' objective in the hindsight model (never below the
  hindsight bound);
* **taakstelling**: per gemeente persons linked and persons *housed* by the peildatum (the last
  day of the half-year; housed = link day + housing delay); share of gemeenten with linked
  (housed) >= target, persons short :math:`\\sum_g \\max(0, T_g - x_g)`;
* **pace**: persons linked by the koppel deadline (1 April / 1 October) against the pace there
  (the whole target);
* **waiting** in reception, permit to housed, in weeks, over linked households: mean, 90th
  percentile, share over 14 weeks; weeks from permit to link;
* **dwellings unused** at the end (released minus used), **moves out of the COA region**
  (gemeente in another COA region than the household's COA location);
* **by household type** (composition only: persons, adults, children).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from optimizer.data import dataset
from optimizer.koppeling.inputs import Context
from optimizer.rules.taakstelling import pace_target
from optimizer.simulation.hindsight import evaluate_links, labour_score
from optimizer.simulation.scenario import World
from optimizer.simulation.weekly import dwellings_used

HOUSEHOLD_TYPES = ("single_adult", "adults_no_children", "single_parent", "family_with_children")


def household_type(adults: pd.Series, children: pd.Series) -> pd.Series:
    """Composition type: single adult, adults without children, single parent, two or more
    adults with children."""
    t = np.where(children > 0, np.where(adults == 1, "single_parent", "family_with_children"),
                 np.where(adults == 1, "single_adult", "adults_no_children"))
    return pd.Series(t, index=adults.index)


def link_frame(world: World, links: pd.DataFrame) -> pd.DataFrame:
    """Links with persons, permit date, housed date, waiting weeks and regions."""
    hh = world.households
    gem = dataset.load_gemeenten()
    f = links.copy()
    ids = f["household_id"]
    f["persons"] = hh["persons"].reindex(ids).to_numpy()
    f["permit_date"] = hh["permit_date"].reindex(ids).to_numpy()
    if "link_day" in f:
        delay = world.housing_days.reindex(ids).to_numpy()
        f["housed_day"] = [d + timedelta(days=int(x)) for d, x in zip(f["link_day"], delay)]
        f["wait_link_weeks"] = [(d - p).days / 7 for d, p in zip(f["link_day"], f["permit_date"])]
        f["reception_weeks"] = [(d - p).days / 7 for d, p in zip(f["housed_day"], f["permit_date"])]
    region = gem["coa_region"]
    f["out_of_region"] = (region.reindex(f["gm_code"]).to_numpy()
                          != region.reindex(hh["coa_location_gm"].reindex(ids)).to_numpy())
    return f


def gemeenten_end(world: World, f: pd.DataFrame) -> pd.DataFrame:
    """Per gemeente at the peildatum: target, households and persons linked, persons housed,
    persons short (linked and housed)."""
    out = pd.DataFrame({"target": world.target.reindex(world.gemeenten)})
    out.index.name = "gm_code"
    out["households_linked"] = f.groupby("gm_code").size().reindex(out.index, fill_value=0)
    out["persons_linked"] = f.groupby("gm_code")["persons"].sum().reindex(out.index, fill_value=0)
    if "housed_day" in f:
        housed = f[f["housed_day"] <= world.period.end]
        out["persons_housed"] = housed.groupby("gm_code")["persons"].sum().reindex(out.index, fill_value=0)
    else:
        out["persons_housed"] = np.nan
    out["short_linked"] = (out["target"] - out["persons_linked"]).clip(lower=0)
    out["short_housed"] = (out["target"] - out["persons_housed"]).clip(lower=0)
    return out.reset_index()


def weekly_series(world: World, f: pd.DataFrame) -> pd.DataFrame:
    """Per batch: persons linked so far, the pace by then, persons housed so far, households
    waiting (arrived, not linked)."""
    rows = []
    for w, day in enumerate(world.days):
        done = f[f["link_day"] <= day] if "link_day" in f else f.iloc[:0]
        housed = done[done["housed_day"] <= day] if "housed_day" in done else done.iloc[:0]
        arrived = int((world.arrival <= w).sum())
        rows.append({"week": w, "day": day.isoformat(), "persons_linked": int(done["persons"].sum()),
                     "pace": int(pace_target(world.target, world.period, day).sum()),
                     "persons_housed": int(housed["persons"].sum()),
                     "households_waiting": arrived - len(done)})
    return pd.DataFrame(rows)


def by_type(world: World, f: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Per household type: households, share linked, mean weeks in reception, expected employed
    adults per linked household."""
    aw = world.awaiting
    types = household_type(aw["adults"], aw["children"])
    ft = types.reindex(f["household_id"]).to_numpy()
    rows = []
    for t in HOUSEHOLD_TYPES:
        mine = f[ft == t]
        n = int((types == t).sum())
        rows.append({"household_type": t, "households": n,
                     "linked_share": len(mine) / n if n else np.nan,
                     "reception_weeks_mean": float(mine["reception_weeks"].mean()) if "reception_weeks" in mine
                     and len(mine) else np.nan,
                     "labour_per_household": labour_score(ctx, mine) / len(mine) if len(mine) else np.nan})
    return pd.DataFrame(rows)


def household_rows(world: World, f: pd.DataFrame) -> pd.DataFrame:
    """One row per awaiting household: type, gemeente ('' not linked), batch linked (-1),
    weeks from permit to link and to housed (NaN when not linked or no timing)."""
    aw = world.awaiting
    out = pd.DataFrame({"household_id": aw.index, "persons": aw["persons"].to_numpy(),
                        "household_type": household_type(aw["adults"], aw["children"]).to_numpy()})
    by = f.set_index("household_id")
    out["gm_code"] = by["gm_code"].reindex(aw.index).fillna("").to_numpy()
    out["week"] = by["week"].reindex(aw.index).fillna(-1).astype("int64").to_numpy() if "week" in by else -1
    for c in ("wait_link_weeks", "reception_weeks"):
        out[c] = by[c].reindex(aw.index).astype(float).to_numpy() if c in by else np.nan
    return out


def summary(world: World, links: pd.DataFrame, ctx: Context) -> dict:
    """The scalar metrics of one policy's half-year (module docstring)."""
    f = link_frame(world, links)
    gem = gemeenten_end(world, f)
    released = world.release.sum(axis=0)
    used = dwellings_used(links, world.gemeenten)
    deadline = world.period.koppel_deadline
    out = {
        "households": len(world.awaiting), "persons": int(world.awaiting["persons"].sum()),
        "target": int(world.target.sum()),
        "households_linked": len(f), "persons_linked": int(f["persons"].sum()),
        "labour": round(labour_score(ctx, links), 6),
        "hindsight_objective": round(float(evaluate_links(ctx, links).objective), 6),
        "gm_met_linked_share": float((gem["short_linked"] == 0).mean()),
        "persons_short_linked": int(gem["short_linked"].sum()),
        "gm_met_housed_share": float((gem["short_housed"] == 0).mean()) if "housed_day" in f else np.nan,
        "persons_short_housed": float(gem["short_housed"].sum()) if "housed_day" in f else np.nan,
        "linked_by_deadline": int(f.loc[f["link_day"] <= deadline, "persons"].sum()) if "link_day" in f else np.nan,
        "pace_at_deadline": int(world.target.sum()),
        "dwellings_unused": int(released.sum() - used.sum()),
        "moved_out_of_region": int(f["out_of_region"].sum()),
    }
    out["linked_by_deadline_vs_pace"] = out["linked_by_deadline"] / max(1, out["pace_at_deadline"])
    if "reception_weeks" in f and len(f):
        r = f["reception_weeks"].to_numpy(dtype=float)
        out.update(wait_link_weeks_mean=float(f["wait_link_weeks"].mean()), reception_weeks_mean=float(r.mean()),
                   reception_weeks_p90=float(np.percentile(r, 90)), reception_over_14_share=float((r > 14).mean()))
    else:
        out.update(wait_link_weeks_mean=np.nan, reception_weeks_mean=np.nan, reception_weeks_p90=np.nan,
                   reception_over_14_share=np.nan)
    return out
