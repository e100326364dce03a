"""What the ledger says about a period on a date, and the next batch's state derived from it.

For period P, gemeente G and date D (:func:`period_status`):

* ``target`` = taakstelling + uitruil delta + carry-over in (achterstand +, voorsprong -);
* ``linked`` = persons of the koppelingen of P to G dated on or before D;
* ``pipeline_in`` = persons linked to G in an earlier period and not housed before P began:
  they count towards P (they will be housed in P), so COA need not link them again;
* ``housed`` = persons housed in P up to D: the households recorded as housed in P on or before
  D (``housed_source = households``); when the gemeente reported a count on or before D, its
  latest count instead, plus the households recorded as housed after the count's date
  (``report``);
* ``achterstand`` = target - housed (negative: voorsprong); ``voldoet`` when housed >= target;
* ``pace_target`` = persons that should be linked by D at the linear pace
  (:func:`optimizer.rules.taakstelling.pace_target`); ``to_link`` = max(0, target - linked -
  pipeline_in); ``behind_pace`` = max(0, pace_target - linked - pipeline_in).

:func:`batch_state` gives the state of the next koppeling batch: the statutory state
(:func:`optimizer.rules.state.build_state`) with the ledger's taakstelling, uitruil and
carry-over, and ``linked`` = linked + pipeline_in so far, so that a weekly run is
``ledger -> state -> propose -> accept``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.core.runrecord import sha256_file
from optimizer.cycle.ledger import Ledger, PeriodRecord
from optimizer.data import dataset, schemas
from optimizer.rules.taakstelling import pace_target

#: Count columns of the status, summed per province.
COUNTS = ("taakstelling", "swaps_delta", "carry_in", "target", "pace_target", "linked_households", "linked",
          "pipeline_in", "to_link", "behind_pace", "housed_households", "housed", "achterstand")


def _by_gemeente(ledger: Ledger, sql: str, params: tuple, columns: tuple[str, ...], index: pd.Index) -> pd.DataFrame:
    """Integer sums of a ``SELECT gm_code, ... GROUP BY gm_code`` query, every gemeente of ``index``
    (0 where the query has no row)."""
    found = ledger.frame(sql, params)
    found.columns = ["gm_code", *columns]
    return found.set_index("gm_code").reindex(index, fill_value=0).astype("int64")


def _linked(ledger: Ledger, period: Period, day: date, index: pd.Index) -> pd.DataFrame:
    """Households and persons of the koppelingen of ``period`` dated on or before ``day``."""
    return _by_gemeente(ledger, "SELECT gm_code, count(*), sum(persons) FROM koppelingen WHERE period = ? AND "
                                "linked_on <= ? GROUP BY gm_code", (str(period), day.isoformat()),
                        ("linked_households", "linked"), index)


def _pipeline(ledger: Ledger, period: Period, index: pd.Index) -> pd.Series:
    """Persons linked in an earlier period and not housed before ``period`` began."""
    return _by_gemeente(ledger, "SELECT k.gm_code, sum(k.persons) FROM koppelingen k LEFT JOIN housed h "
                                "USING (household_id) WHERE k.period < ? AND (h.housed_on IS NULL OR "
                                "h.housed_on >= ?) GROUP BY k.gm_code", (str(period), period.start.isoformat()),
                        ("pipeline_in",), index)["pipeline_in"]


def period_status(ledger: Ledger, period: Period, day: date) -> pd.DataFrame:
    """The status of ``period`` on ``day`` per gemeente (see the module text), indexed by gm_code."""
    record = ledger.period(period)
    if record is None:
        raise InputError(Violation("--period", f"{period} is not in the ledger {ledger.path}", value=str(period)))
    if day < period.start:
        raise InputError(Violation("--date", f"must lie on or after the start of {period} ({period.start})",
                                   value=day.isoformat()))
    day = min(day, period.end)
    p, d = str(period), day.isoformat()
    out = ledger.frame("SELECT gm_code, taakstelling, swaps_delta, carry_in FROM period_targets WHERE period = ? "
                       "ORDER BY gm_code", (p,)).set_index("gm_code")
    gem = dataset.load_gemeenten().reindex(out.index)
    out.insert(0, "gm_naam", gem["gm_naam"])
    out.insert(1, "provincie", gem["provincie"])
    out["target"] = out["taakstelling"] + out["swaps_delta"] + out["carry_in"]
    out["pace_target"] = pace_target(out["target"].clip(lower=0), period, day)
    idx = out.index
    out[["linked_households", "linked"]] = _linked(ledger, period, day, idx)
    out["pipeline_in"] = _pipeline(ledger, period, idx)
    counted = out["linked"] + out["pipeline_in"]
    out["to_link"] = (out["target"] - counted).clip(lower=0)
    out["behind_pace"] = (out["pace_target"] - counted).clip(lower=0)
    records = ledger.frame("SELECT k.gm_code, k.persons, h.housed_on FROM housed h JOIN koppelingen k "
                           "USING (household_id) WHERE h.period = ? AND h.housed_on <= ?", (p, d))
    out["housed_households"] = records.groupby("gm_code")["persons"].sum().reindex(idx, fill_value=0).astype("int64")
    reports = ledger.frame("SELECT gm_code, housed, as_of FROM housing_reports WHERE period = ? AND as_of <= ? "
                           "ORDER BY gm_code, as_of", (p, d)).groupby("gm_code").last()
    out["reported_housed"] = reports["housed"].reindex(idx).astype("Int64")
    out["reported_on"] = reports["as_of"].reindex(idx).fillna("")
    report_day = records["gm_code"].map(out["reported_on"])
    after = report_day.ne("") & (records["housed_on"] > report_day)
    out["housed_after_report"] = records[after].groupby("gm_code")["persons"].sum().reindex(idx, fill_value=0)
    out["housed"] = (out["reported_housed"] + out["housed_after_report"]).fillna(out["housed_households"])
    out["housed"] = out["housed"].astype("int64")
    out["housed_source"] = out["reported_housed"].isna().map({True: "households", False: "report"})
    out["achterstand"] = out["target"] - out["housed"]
    out["voldoet"] = out["housed"] >= out["target"]
    out.insert(0, "period", p)
    out.insert(1, "date", d)
    out["carry_source"] = record.carry_source
    return out


def province_status(gemeenten: pd.DataFrame) -> pd.DataFrame:
    """The gemeente status summed per province, with the number of gemeenten that meet their target."""
    g = gemeenten.groupby("provincie", sort=True)
    out = g[list(COUNTS)].sum()
    out.insert(0, "gemeenten", g.size())
    out["voldoet"] = g["voldoet"].sum().astype("int64")
    out.insert(0, "period", gemeenten["period"].iloc[0])
    out.insert(1, "date", gemeenten["date"].iloc[0])
    return out


def realised_frame(ledger: Ledger, period: Period) -> pd.DataFrame | None:
    """The earlier half-years' housed and targets behind ``period``'s carry-over, typed as a
    ``--realised`` file (:func:`optimizer.data.schemas.load_realised`), or ``None``."""
    rows = ledger.frame("SELECT gm_code, from_period AS period, housed, target FROM realised_in WHERE period = ? "
                        "ORDER BY from_period, gm_code", (str(period),))
    return schemas.load_realised(rows, file=f"{ledger.path} (realised_in)") if len(rows) else None


def swaps_frame(ledger: Ledger, period: Period) -> pd.DataFrame | None:
    """The uitruil agreements of ``period``, typed as a ``--swaps`` file, or ``None``."""
    rows = ledger.frame("SELECT swap_id, gm_code, delta FROM swaps WHERE period = ? ORDER BY swap_id, gm_code",
                        (str(period),))
    return schemas.load_swaps(rows, file=f"{ledger.path} (swaps)") if len(rows) else None


def population_path(record: PeriodRecord) -> Path | None:
    """The population file the period was opened with, checked to be unchanged."""
    if record.population_file is None:
        return None
    path = Path(record.population_file)
    if not path.exists() or sha256_file(path) != record.population_sha256:
        raise InputError(Violation(record.population_file, f"the population file {record.period} was opened with "
                                                           "is gone or changed since (SHA-256 differs); restore it"))
    return path


def linked_so_far(ledger: Ledger, period: Period, day: date) -> pd.Series:
    """Persons counted as linked for ``period`` on ``day`` per gemeente: linked + pipeline_in
    (only pipeline_in for a day before the period: planning it ahead)."""
    index = pd.Index(dataset.gemeente_codes(), name="gm_code")
    return (_linked(ledger, period, day, index)["linked"] + _pipeline(ledger, period, index)).rename("linked")


def batch_state(ledger: Ledger, day: date, *, period: Period | None = None, housing_path: str | Path | None = None,
                batch_days: int = 7, leefbaarheid_share: float | None = None,
                whole_period: bool = False) -> pd.DataFrame:
    """The gemeente state of a koppeling batch on ``day`` (``period``: default the half-year of
    ``day``; a batch before it starts plans it ahead) from the ledger: targets = taakstelling +
    uitruil + carry-over - linked so far, by the rule for the date (pace, catch-up after the
    koppel deadline, before-start; or ``whole_period``) of :func:`optimizer.rules.state.build_state`.
    The rule is in ``attrs["target_rule"]``."""
    from optimizer.rules.state import build_state

    period = period or Period.of(day)
    record = ledger.require_open(period, "--date", day.isoformat())
    state = build_state(period, day, national=record.national, rounding=record.rounding,  # type: ignore[arg-type]
                        population_path=population_path(record), population_year=record.population_year,
                        realised=realised_frame(ledger, period), swaps=swaps_frame(ledger, period),
                        linked=linked_so_far(ledger, period, day), housing_path=housing_path, batch_days=batch_days,
                        leefbaarheid_share=leefbaarheid_share, whole_period=whole_period)
    stored = ledger.frame("SELECT gm_code, taakstelling FROM period_targets WHERE period = ?", (str(period),))
    stored = stored.set_index("gm_code")["taakstelling"]
    now = state.set_index("gm_code")["taakstelling"].reindex(stored.index)
    if not now.astype("int64").equals(stored.astype("int64")):
        raise InputError(Violation(str(ledger.path), f"the taakstelling of {period} computed now differs from the one "
                                                     "recorded when the period was opened (changed population or "
                                                     "national data); the ledger keeps the recorded one"))
    return state
