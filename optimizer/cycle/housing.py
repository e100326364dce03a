"""Recording housing realised: per household (COA's records) or per gemeente (counts reported).

* Per household (:data:`HOUSED_COLUMNS`): ``household_id``, ``housed_on``. The household must be
  linked in the ledger, housed on or after the day it was linked, and the period of
  ``housed_on`` open in the ledger; the persons count for that period and for the gemeente it
  was linked to.
* Per gemeente (:data:`REPORT_COLUMNS`): ``gm_code``, ``period``, ``housed`` (persons housed in
  the period up to ``as_of``; default the period's last day), as provinces receive them. A
  reported count replaces the household records of that gemeente from its date on
  (:func:`optimizer.cycle.status.period_status`).

A record repeated with the same value changes nothing; the same household or (gemeente,
period, date) with another value is refused: what the ledger holds is not overwritten.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd

from optimizer.core.errors import Violation, raise_if
from optimizer.core.periods import Period
from optimizer.core.runrecord import sha256_file
from optimizer.cycle.ledger import Change, Ledger, read_strict
from optimizer.data.validation import Col, check_unique

HOUSED_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str", help="a household linked in the ledger"),
    Col("housed_on", "date", help="the day it moved into its dwelling"),
)

REPORT_COLUMNS: tuple[Col, ...] = (
    Col("gm_code", "gm"),
    Col("period", "period", help="the half-year the count belongs to"),
    Col("housed", "int", min=0, help="persons housed in the half-year up to as_of"),
    Col("as_of", "date", required=False, nullable=True, default=None,
        help="the day the count runs to; empty = the last day of the period"),
)

Source = str | Path | pd.DataFrame


def _open_periods(ledger: Ledger) -> set[str]:
    return {str(p) for p in ledger.periods() if not ledger.period(p).closed}  # type: ignore[union-attr]


def _period_rule(periods: pd.Series, open_periods: set[str], known: set[str]) -> pd.Series:
    """Per row the rule its period breaks ('' when it is open in the ledger)."""
    return periods.map(lambda p: "" if p in open_periods else (
        f"{p} is closed in the ledger; a closed period takes no more changes" if p in known
        else f"{p} is not opened in the ledger"))


def _row_violations(file: str, rows: pd.Series, rules: pd.Series, column: str, values: pd.Series) -> list[Violation]:
    return [Violation(file, r, row=int(i) + 2, column=column, value=str(v))
            for i, r, v in zip(rows.index, rules, values) if r]


def _check_households(ledger: Ledger, housed: pd.DataFrame, file: str) -> pd.DataFrame:
    """The new rows of a households file (repeats dropped); every broken rule raised at once."""
    links = ledger.frame("SELECT k.household_id, k.linked_on, h.housed_on AS recorded FROM koppelingen k "
                         "LEFT JOIN housed h USING (household_id)").set_index("household_id")
    day = housed["housed_on"].map(lambda d: d.isoformat())
    period = housed["housed_on"].map(lambda d: str(Period.of(d)))
    known = housed["household_id"].isin(links.index)
    linked_on = housed["household_id"].map(links["linked_on"]).astype(object)
    recorded = housed["household_id"].map(links["recorded"]).astype(object)
    rules = pd.Series("", index=housed.index)
    rules = rules.mask(known & (day < linked_on), "housed before the household was linked (" + linked_on.fillna("")
                       + ")")
    rules = rules.mask(rules.eq(""), _period_rule(period, _open_periods(ledger), {str(p) for p in ledger.periods()}))
    rules = rules.mask(recorded.notna() & recorded.ne(day), "already recorded as housed on " + recorded.fillna("")
                       + "; the ledger does not overwrite it")
    unknown = pd.Series("unknown household_id (not linked in the ledger)", index=housed.index).where(~known, "")
    raise_if(_row_violations(file, housed["household_id"], unknown, "household_id", housed["household_id"])
             + _row_violations(file, day, rules.where(known, ""), "housed_on", day))
    return housed.assign(housed_on=day, period=period)[recorded.isna()]


def _check_reports(ledger: Ledger, reports: pd.DataFrame, file: str) -> pd.DataFrame:
    """The new rows of a gemeente counts file (repeats dropped); every broken rule raised at once."""
    period = reports["period"].map(str)
    as_of = [(d or p.end) for d, p in zip(reports["as_of"], reports["period"])]
    out = reports.assign(period=period, as_of=[d.isoformat() for d in as_of])
    rules = _period_rule(period, _open_periods(ledger), {str(p) for p in ledger.periods()})
    outside = pd.Series([not p.contains(d) for d, p in zip(as_of, reports["period"])], index=reports.index)
    stored = ledger.frame("SELECT period, gm_code, as_of, housed AS recorded FROM housing_reports")
    out = out.merge(stored, on=["period", "gm_code", "as_of"], how="left").set_axis(reports.index)
    date_rules = pd.Series("", index=reports.index).mask(outside, "as_of must lie in the period")
    value_rules = pd.Series("", index=reports.index).mask(
        out["recorded"].notna() & out["recorded"].ne(out["housed"]),
        "already reported as " + out["recorded"].astype("Int64").astype(str) + " for this gemeente, period and date; "
        "the ledger does not overwrite it")
    raise_if(_row_violations(file, period, rules, "period", period)
             + _row_violations(file, out["as_of"], date_rules, "as_of", out["as_of"])
             + _row_violations(file, out["housed"], value_rules, "housed", out["housed"]))
    return out[out["recorded"].isna()]


def record_housing(ledger: Ledger, *, households: Source | None = None, gemeenten: Source | None = None) -> Change:
    """Record households housed and/or gemeente counts, in one transaction."""
    hh = hh_name = rep = rep_name = None
    if households is not None:
        hh, hh_name = read_strict(households, HOUSED_COLUMNS, checks=(partial(check_unique, columns="household_id"),))
    if gemeenten is not None:
        rep, rep_name = read_strict(gemeenten, REPORT_COLUMNS,
                                    checks=(partial(check_unique, columns=("gm_code", "period", "as_of")),))
    shas = [sha256_file(s) for s in (households, gemeenten) if isinstance(s, (str, Path))]
    with ledger.transaction("housed", input_sha256=shas[0] if len(shas) == 1 else None) as change:
        new_hh = _check_households(ledger, hh, hh_name) if hh is not None else None
        new_rep = _check_reports(ledger, rep, rep_name) if rep is not None else None
        if new_hh is not None:
            ledger.conn.executemany("INSERT INTO housed (household_id, housed_on, period, change_id) VALUES (?, ?, ?, ?)",
                                    [(h, d, p, change.id) for h, d, p in
                                     new_hh[["household_id", "housed_on", "period"]].itertuples(index=False)])
        if new_rep is not None:
            ledger.conn.executemany(
                "INSERT INTO housing_reports (period, gm_code, as_of, housed, change_id) VALUES (?, ?, ?, ?, ?)",
                [(p, g, d, int(n), change.id) for p, g, d, n in
                 new_rep[["period", "gm_code", "as_of", "housed"]].itertuples(index=False)])
        change.summary = {"households": 0 if new_hh is None else len(new_hh),
                          "households_repeated": 0 if hh is None else len(hh) - len(new_hh),
                          "reports": 0 if new_rep is None else len(new_rep),
                          "reports_repeated": 0 if rep is None else len(rep) - len(new_rep)}
        change.unchanged = not (change.summary["households"] or change.summary["reports"])
    return change
