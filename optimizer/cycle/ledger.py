"""The ledger file: opening (and migrating) it, one transaction per change, and reading it.

A :class:`Ledger` wraps one SQLite connection in autocommit mode; every change goes through
:meth:`Ledger.transaction`, which takes the write lock (``BEGIN IMMEDIATE``), journals the
change in the ``changes`` table and commits only when the whole command succeeded. Anything
raised inside rolls everything back, so a failed command, bad input or a killed process leaves
the file as it was: SQLite's rollback journal (``synchronous = FULL``) undoes a transaction that
was not committed the next time the file is opened.

Input files given to the ledger are read with :func:`read_strict`: their columns must be the
spec's columns and nothing else (household ids only: no column that the ledger does not hold
is ever read).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.periods import Period
from optimizer.cycle import schema
from optimizer.data.validation import Check, Col, read_input, validate_frame

#: How long a command waits for another writer to finish (seconds).
BUSY_TIMEOUT = 30.0


def now() -> str:
    """The time of a change, UTC, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Change:
    """The change a transaction makes: its journal id and a summary (stored as JSON).
    A command that finds nothing to do sets ``unchanged``: the transaction is rolled back and
    leaves no journal row."""

    id: int
    command: str
    summary: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False


@dataclass(frozen=True)
class PeriodRecord:
    """One row of ``periods``."""

    period: Period
    national: int
    rounding: str
    reference_date: str
    population_year: int | None
    population_file: str | None
    population_sha256: str | None
    carry_source: str
    opened_change: int
    closed_change: int | None

    @property
    def closed(self) -> bool:
        return self.closed_change is not None


class Ledger:
    """An open ledger file. Use :func:`open_ledger` (or ``with open_ledger(...) as ledger``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, migrated_from: int | None = None):
        self.path = path
        self.conn = conn
        self.migrated_from = migrated_from  # the file's version before this open migrated it

    @property
    def name(self) -> str:
        return str(self.path)

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------
    @contextmanager
    def transaction(self, command: str, period: Period | None = None,
                    input_sha256: str | None = None) -> Iterator[Change]:
        """One change, all or nothing: journalled in ``changes`` and committed on success;
        rolled back on any exception (bad input found inside, a crash) or when the command
        marks the change ``unchanged``."""
        self._execute("BEGIN IMMEDIATE")
        try:
            cur = self.conn.execute(
                "INSERT INTO changes (at, command, period, summary, input_sha256) VALUES (?, ?, ?, '{}', ?)",
                (now(), command, str(period) if period else None, input_sha256))
            change = Change(int(cur.lastrowid), command)
            yield change
            if change.unchanged:
                self.conn.execute("ROLLBACK")
                return
            self.conn.execute("UPDATE changes SET summary = ? WHERE change_id = ?",
                              (json.dumps(change.summary, sort_keys=True, default=str), change.id))
            self._commit()
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise InputError(Violation(self.name, f"the ledger refused the change ({exc}); nothing was written")) \
                    from None
            raise

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _execute(self, sql: str) -> None:
        try:
            self.conn.execute(sql)
        except sqlite3.OperationalError as exc:  # e.g. another writer holds the lock too long
            raise RuntimeError(f"ledger {self.path}: {exc}") from None

    # -- reading -----------------------------------------------------------------------------
    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """The rows of a query as a frame (column names as in the query)."""
        cur = self.conn.execute(sql, tuple(params))
        return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self.conn.execute(sql, tuple(params)).fetchone()

    def period(self, period: Period) -> PeriodRecord | None:
        """The ``periods`` row of ``period``, or ``None`` when it was never opened."""
        row = self.one("SELECT period, national, rounding, reference_date, population_year, population_file, "
                       "population_sha256, "
                       "carry_source, opened_change, closed_change FROM periods WHERE period = ?", (str(period),))
        return PeriodRecord(Period.parse(row[0]), *row[1:]) if row else None

    def periods(self) -> list[Period]:
        """Every period opened in the ledger, oldest first."""
        return [Period.parse(p) for (p,) in self.conn.execute("SELECT period FROM periods ORDER BY period")]

    def require_open(self, period: Period, where: str, value: Any = None) -> PeriodRecord:
        """The record of ``period`` if it is open in the ledger, else an :class:`InputError`
        naming ``where`` (the option or file that led here) and ``value``."""
        record = self.period(period)
        if record is None:
            known = ", ".join(map(str, self.periods())) or "none"
            raise InputError(Violation(where, f"{period} is not opened in the ledger {self.path} (opened: {known}); "
                                              f"open it first with `spreiding ledger open --period {period}`",
                                       value=value))
        if record.closed:
            raise InputError(Violation(where, f"{period} is closed in the ledger (change {record.closed_change}); "
                                              "a closed period takes no more changes", value=value))
        return record


def open_ledger(path: str | Path, *, create: bool = False) -> Ledger:
    """Open the ledger at ``path`` (with ``create``: make it when it does not exist).

    A file of an older schema version is migrated in one transaction; a newer one, or a file
    that is not a spreiding ledger, is an :class:`InputError` (``--ledger``).
    """
    path = Path(path)
    if not path.exists() and not create:
        raise InputError(Violation("--ledger", "no ledger at this path; `spreiding ledger open --period P` "
                                               "creates one", value=str(path)))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        version, app_id, tables = _identify(conn, path)
        if version == 0 and app_id == 0 and tables == 0:
            schema.create_schema(conn)
        elif app_id != schema.APPLICATION_ID:
            raise InputError(Violation("--ledger", "not a spreiding ledger (an SQLite file of another kind)",
                                       value=str(path)))
        elif version > schema.VERSION:
            raise InputError(Violation("--ledger", f"the ledger has schema version {version}, newer than this "
                                                   f"spreiding knows ({schema.VERSION}); use a newer spreiding",
                                       value=str(path)))
        for pragma in ("foreign_keys = ON", "synchronous = FULL", "journal_mode = DELETE"):
            conn.execute(f"PRAGMA {pragma}")
        ledger = Ledger(path, conn)
        if 0 < version < schema.VERSION:
            migrate(ledger)
        return ledger
    except BaseException:
        conn.close()
        raise


def _identify(conn: sqlite3.Connection, path: Path) -> tuple[int, int, int]:
    """(schema version, application id, number of tables) of an SQLite file."""
    try:
        version = schema.version_of(conn)
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise InputError(Violation("--ledger", f"not a ledger file ({exc})", value=str(path))) from None
    return version, app_id, tables


def migrate(ledger: Ledger) -> int:
    """Bring the file to :data:`schema.VERSION`: the missing steps and the new version number
    in one transaction (journalled). Returns the version the file had."""
    old = schema.version_of(ledger.conn)
    steps = [s for s in schema.STEPS if s.version > old]
    if not steps:
        return old
    with ledger.transaction("migrate") as change:
        schema.apply_steps(ledger.conn, old, schema.VERSION)
        change.summary = {"from_version": old, "to_version": schema.VERSION,
                          "steps": [f"{s.version}: {s.what}" for s in steps]}
    ledger.migrated_from = old
    return old


# -- input files -------------------------------------------------------------------------------

def read_strict(source: str | Path | pd.DataFrame, cols: Sequence[Col], file: str | None = None, *,
                checks: Sequence[Check] = ()) -> tuple[pd.DataFrame, str]:
    """Read and validate a table whose columns must be exactly those of ``cols`` (optional
    ones may be absent): any other column is refused, so that nothing but household ids,
    gemeenten, dates and counts enters the ledger."""
    df, name = read_input(source, file)
    known = {c.name for c in cols}
    raise_if([Violation(name, "column not in the ledger's schema for this file (expected only "
                              f"{', '.join(c.name for c in cols)}); remove it", column=str(c))
              for c in df.columns if c not in known])
    return validate_frame(df, cols, name, personal=True, checks=checks), name
