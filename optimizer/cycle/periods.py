"""Opening a half-year in the ledger (the taakstelling used) and closing it (the carry-over).

* :func:`open_period` records the taakstelling of every gemeente as
  :func:`optimizer.rules.taakstelling.build_targets` computes it (national total, rounding,
  population figures used: their date, a fallback year if asked for, a user file; uitruil), with the carry-over in: from the previous
  period when the ledger holds it, else from a ``--realised`` file (earlier half-years' housed
  and targets), else none. Periods are opened in order, one after the other. The next period
  may be opened before the current one is closed (planning ahead): its carry-over is then
  ``pending`` until that close fills it in.
* :func:`close_period` measures the period on its last day (:func:`optimizer.cycle.status.period_status`)
  and records per gemeente the persons housed and the carry-over into the next period::

      carry_out = taakstelling + swaps_delta + carry_in - housed     (achterstand +, voorsprong -)

  A closed period takes no more changes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.core.runrecord import sha256_file
from optimizer.cycle.ledger import Change, Ledger, PeriodRecord
from optimizer.cycle.status import period_status
from optimizer.data import schemas
from optimizer.rules.taakstelling import Rounding, build_targets

Source = str | Path | pd.DataFrame


def _carry_source(ledger: Ledger, period: Period, realised: Source | None) -> tuple[str, pd.DataFrame | None]:
    """Where ``period``'s carry-over comes from, and the realised rows behind it (typed)."""
    prev = ledger.period(period.previous())
    if prev is not None and realised is not None:
        raise InputError(Violation("--realised", f"the ledger holds {prev.period}: the carry-over into {period} comes "
                                                 "from the ledger; leave out --realised"))
    if prev is None:
        return ("file", schemas.load_realised(realised)) if realised is not None else ("none", None)
    if not prev.closed:
        return "pending", None
    rows = ledger.frame("SELECT gm_code, period, housed, taakstelling + swaps_delta + carry_in AS target "
                        "FROM period_targets WHERE period = ? ORDER BY gm_code", (str(prev.period),))
    return "ledger", schemas.load_realised(rows, file=f"{ledger.path} ({prev.period})")


def _check_order(ledger: Ledger, period: Period) -> None:
    periods = ledger.periods()
    if periods and period != periods[-1].next():
        raise InputError(Violation("--period", f"periods are opened one after the other; the ledger's last is "
                                               f"{periods[-1]}, so the next is {periods[-1].next()}",
                                   value=str(period)))


def open_period(ledger: Ledger, period: Period, *, national: int | None = None, rounding: Rounding = "up",
                population_path: str | Path | None = None, population_year: int | None = None,
                swaps: Source | None = None, realised: Source | None = None) -> Change:
    """Record ``period``'s taakstelling. Opening an opened period again with the same numbers
    changes nothing; with other numbers it is refused (the ledger keeps what was used)."""
    existing = ledger.period(period)
    if existing is None:
        _check_order(ledger, period)
        source, realised_rows = _carry_source(ledger, period, realised)
    else:  # only to compare: the carry-over recorded stays as it is
        source, realised_rows = existing.carry_source, (schemas.load_realised(realised) if realised is not None
                                                        else None)
    swap_rows = schemas.load_swaps(swaps) if swaps is not None else None
    pop = Path(population_path).resolve() if population_path is not None else None
    t = build_targets(period, national=national, rounding=rounding, population_path=pop,
                      population_year=population_year, realised=realised_rows, swaps=swap_rows)
    national_used = int(t["national"].iloc[0])
    with ledger.transaction("open", period) as change:
        change.summary = {"national": national_used, "rounding": rounding, "taakstelling": int(t["taakstelling"].sum()),
                          "population_of": str(t["reference_date"].iloc[0]), "carry_source": source,
                          "carry_in": int(t["carry_over"].sum()), "gemeenten": len(t)}
        if "population_fallback" in t:
            change.summary["population_fallback"] = str(t["population_fallback"].iloc[0])
        if existing is not None:
            _same_as_recorded(ledger, existing.period, t, pop, realised is not None)
            change.unchanged = True
            return change
        ledger.conn.execute(
            "INSERT INTO periods (period, national, rounding, reference_date, population_year, population_file, "
            "population_sha256, carry_source, opened_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(period), national_used, rounding, str(t["reference_date"].iloc[0]), population_year,
             str(pop) if pop else None, sha256_file(pop) if pop else None, source, change.id))
        ledger.conn.executemany(
            "INSERT INTO period_targets (period, gm_code, taakstelling, swaps_delta, carry_in) VALUES (?, ?, ?, ?, ?)",
            [(str(period), gm, int(r.taakstelling), int(r.swaps_delta), int(r.carry_over))
             for gm, r in t.iterrows()])
        if swap_rows is not None:
            ledger.conn.executemany("INSERT INTO swaps (period, swap_id, gm_code, delta) VALUES (?, ?, ?, ?)",
                                    [(str(period), s, g, int(d)) for s, g, d in
                                     swap_rows[["swap_id", "gm_code", "delta"]].itertuples(index=False)])
        if realised_rows is not None:
            _insert_realised(ledger, period, realised_rows)
    return change


def _insert_realised(ledger: Ledger, period: Period, rows: pd.DataFrame) -> None:
    ledger.conn.executemany(
        "INSERT INTO realised_in (period, from_period, gm_code, housed, target) VALUES (?, ?, ?, ?, ?)",
        [(str(period), str(p), g, int(h), None if pd.isna(t) else int(t))
         for g, p, h, t in rows[["gm_code", "period", "housed", "target"]].itertuples(index=False)])


def _same_as_recorded(ledger: Ledger, period: Period, t: pd.DataFrame, pop: Path | None, with_realised: bool) -> None:
    """Raise unless ``t`` (computed again) equals the taakstelling recorded for ``period``."""
    record = ledger.period(period)
    assert record is not None
    stored = ledger.frame("SELECT gm_code, taakstelling, swaps_delta, carry_in FROM period_targets WHERE period = ? "
                          "ORDER BY gm_code", (str(period),)).set_index("gm_code")
    cols = ["taakstelling", "swaps_delta"] + (["carry_in"] if with_realised else [])
    now = t.rename(columns={"carry_over": "carry_in"})[cols].reindex(stored.index).astype("int64")
    same = (record.national == int(t["national"].iloc[0]) and record.rounding == str(t["rounding"].iloc[0])
            and record.reference_date == str(t["reference_date"].iloc[0])
            and record.population_sha256 == (sha256_file(pop) if pop else None) and now.equals(stored[cols]))
    if not same:
        raise InputError(Violation("--period", f"{period} was opened with other numbers (national {record.national}, "
                                               f"rounding {record.rounding}, population of "
                                               f"{record.reference_date} {record.population_file or '(embedded)'}); "
                                               "the taakstelling of an "
                                               "opened period is not changed", value=str(period)))


def close_period(ledger: Ledger, period: Period) -> tuple[Change, pd.DataFrame]:
    """Close ``period``: record per gemeente the persons housed on its last day and the carry-over
    into the next period; fill in the next period's carry-over when it was opened already.
    Returns the change and the carry-over table (gm_code: target, housed, carry_out)."""
    record = ledger.period(period)
    if record is not None and record.closed:
        return _closed_before(ledger, record)
    ledger.require_open(period, "--period", str(period))
    prev = ledger.period(period.previous())
    if prev is not None and not prev.closed:
        raise InputError(Violation("--period", f"close {prev.period} first: periods are closed in order",
                                   value=str(period)))
    with ledger.transaction("close", period) as change:
        status = period_status(ledger, period, period.end)
        carry = status[["target", "housed"]].copy()
        carry["carry_out"] = carry["target"] - carry["housed"]
        ledger.conn.executemany("UPDATE period_targets SET housed = ?, carry_out = ? WHERE period = ? AND gm_code = ?",
                                [(int(h), int(c), str(period), g)
                                 for g, h, c in carry[["housed", "carry_out"]].itertuples()])
        ledger.conn.execute("UPDATE periods SET closed_change = ? WHERE period = ?", (change.id, str(period)))
        nxt = ledger.period(period.next())
        if nxt is not None:  # opened ahead: its carry-over was pending
            rows = carry.reset_index()[["gm_code", "housed", "target"]].assign(period=period)
            _insert_realised(ledger, nxt.period, rows)
            ledger.conn.executemany("UPDATE period_targets SET carry_in = ? WHERE period = ? AND gm_code = ?",
                                    [(int(c), str(nxt.period), g) for g, c in carry["carry_out"].items()])
            ledger.conn.execute("UPDATE periods SET carry_source = 'ledger' WHERE period = ?", (str(nxt.period),))
        change.summary = _close_summary(carry) | {"next_period_filled": nxt is not None}
    return change, carry


def _close_summary(carry: pd.DataFrame) -> dict:
    return {"target": int(carry["target"].sum()), "housed": int(carry["housed"].sum()),
            "achterstand": int(carry["carry_out"].clip(lower=0).sum()),
            "voorsprong": int((-carry["carry_out"]).clip(lower=0).sum()),
            "gemeenten_voldoet": int((carry["housed"] >= carry["target"]).sum())}


def _closed_before(ledger: Ledger, record: PeriodRecord) -> tuple[Change, pd.DataFrame]:
    """Closing a closed period again changes nothing: the carry-over as recorded."""
    carry = ledger.frame("SELECT gm_code, taakstelling + swaps_delta + carry_in AS target, housed, carry_out "
                         "FROM period_targets WHERE period = ? ORDER BY gm_code", (str(record.period),))
    carry = carry.set_index("gm_code")
    summary = _close_summary(carry) | {"closed_in_change": record.closed_change}
    return Change(0, "close", summary, unchanged=True), carry
