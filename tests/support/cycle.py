"""Helpers of the ledger tests: hand-made proposal folders, and a look into a ledger file with
plain ``sqlite3`` (not through the ledger code)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pandas as pd

from optimizer.core.periods import Period
from optimizer.core.runrecord import RunRecord
from optimizer.cycle.ledger import open_ledger
from optimizer.cycle.periods import open_period


def new_ledger(path: Path, period: Period = Period(2025, 1)) -> Path:
    """A ledger file at ``path`` with ``period`` opened (embedded data, rounding up)."""
    with open_ledger(path, create=True) as book:
        open_period(book, period)
    return path


def write_proposal(folder: Path, rows: Iterable[tuple[str, str, str, int]], as_of: date | None,
                   note: str = "") -> Path:
    """A proposal folder as ``spreiding propose`` writes it, reduced to what the ledger reads:
    proposal.csv (household_id, status, gm_code, persons, and a column the ledger ignores) and
    run.json (a RunRecord; ``note`` makes its run id differ)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(list(rows), columns=["household_id", "status", "gm_code", "persons"])
    table["reason"] = "hand-made"
    table.to_csv(folder / "proposal.csv", index=False)
    RunRecord(command="propose", as_of=as_of.isoformat() if as_of else None, notes=[note],
              created_at="2025-01-01T00:00:00+00:00").write(folder / "run.json")
    return folder


def dump(path: Path) -> tuple[int, list[str]]:
    """The schema version and every statement of a full SQL dump of the file (plain sqlite3)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0]), list(conn.iterdump())
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
