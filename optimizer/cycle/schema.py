"""The ledger file's tables, its schema version and the migrations between versions.

The ledger is one SQLite file. Its schema version is ``PRAGMA user_version`` and its kind
``PRAGMA application_id`` (:data:`APPLICATION_ID`, so that no other SQLite file is taken for a
ledger). Version ``k`` is what the first ``k`` steps of :data:`STEPS` make of an empty file;
a file of an older version is *migrated* (the missing steps run in one transaction, together
with the new ``user_version``), never rewritten, and a file of a newer version is refused.

Tables (version 2):

* ``changes``: one row per transaction that changed the ledger (the journal).
* ``periods``: one row per half-year opened: national total, rounding, the date of the
  population figures used (``population_year`` when a fallback year was asked for) and their
  file, where the carry-over came from, when it was opened and closed.
* ``period_targets``: per period and gemeente the taakstelling used, the uitruil delta, the
  carry-over in, and on close the persons housed and the carry-over out.
* ``swaps``: the uitruil agreements of a period (swap_id, gm_code, delta).
* ``realised_in``: the earlier half-years' housed and targets from which a period's carry-over
  was computed (from a ``--realised`` file, or the previous period closed in the ledger).
* ``proposals``: every proposal accepted (run id = SHA-256 of its ``run.json``).
* ``koppelingen``: every accepted link: household id, gemeente, persons, date, run id.
* ``housed``: households housed (household id, date).
* ``housing_reports`` (version 2): persons housed per gemeente as reported (period, date, count).

Household ids only: no table has a column for anything else about a household than its size.
Every text column that may not be empty says so (``CHECK (x <> '')``), so an empty cell in an
export means NULL and nothing else (:mod:`optimizer.cycle.transfer`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

#: ``PRAGMA application_id`` of a spreiding ledger ("SPRL").
APPLICATION_ID = 0x5350524C

_PERIOD = "CHECK ({0} GLOB '[0-9][0-9][0-9][0-9]-H[12]')"
_DAY = "CHECK ({0} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')"
_GM = "CHECK ({0} GLOB 'GM[0-9][0-9][0-9][0-9]')"


def _c(rule: str, column: str) -> str:
    return rule.format(column)


@dataclass(frozen=True)
class Step:
    """One schema step: the SQL that brings a file from ``version - 1`` to ``version``."""

    version: int
    what: str
    sql: str


STEPS: tuple[Step, ...] = (
    Step(1, "periods, targets, swaps, realised in, proposals, koppelingen, households housed, journal", f"""
CREATE TABLE changes (
    change_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL CHECK (at <> ''),
    command TEXT NOT NULL CHECK (command <> ''),
    period TEXT {_c(_PERIOD, 'period')},
    summary TEXT NOT NULL CHECK (summary <> ''),
    input_sha256 TEXT CHECK (input_sha256 <> '')
);
CREATE TABLE periods (
    period TEXT PRIMARY KEY {_c(_PERIOD, 'period')},
    national INTEGER NOT NULL CHECK (national >= 0),
    rounding TEXT NOT NULL CHECK (rounding IN ('up', 'nearest')),
    reference_date TEXT NOT NULL {_c(_DAY, 'reference_date')},
    population_year INTEGER,
    population_file TEXT CHECK (population_file <> ''),
    population_sha256 TEXT CHECK (population_sha256 <> ''),
    carry_source TEXT NOT NULL CHECK (carry_source IN ('none', 'file', 'ledger', 'pending')),
    opened_change INTEGER NOT NULL REFERENCES changes (change_id),
    closed_change INTEGER REFERENCES changes (change_id)
);
CREATE TABLE period_targets (
    period TEXT NOT NULL REFERENCES periods (period),
    gm_code TEXT NOT NULL {_c(_GM, 'gm_code')},
    taakstelling INTEGER NOT NULL CHECK (taakstelling >= 0),
    swaps_delta INTEGER NOT NULL,
    carry_in INTEGER NOT NULL,
    housed INTEGER CHECK (housed >= 0),
    carry_out INTEGER,
    PRIMARY KEY (period, gm_code)
);
CREATE TABLE swaps (
    period TEXT NOT NULL REFERENCES periods (period),
    swap_id TEXT NOT NULL CHECK (swap_id <> ''),
    gm_code TEXT NOT NULL {_c(_GM, 'gm_code')},
    delta INTEGER NOT NULL,
    PRIMARY KEY (period, swap_id, gm_code)
);
CREATE TABLE realised_in (
    period TEXT NOT NULL REFERENCES periods (period),
    from_period TEXT NOT NULL {_c(_PERIOD, 'from_period')},
    gm_code TEXT NOT NULL {_c(_GM, 'gm_code')},
    housed INTEGER NOT NULL CHECK (housed >= 0),
    target INTEGER,
    PRIMARY KEY (period, from_period, gm_code)
);
CREATE TABLE proposals (
    run_id TEXT PRIMARY KEY CHECK (length(run_id) = 64),
    period TEXT NOT NULL REFERENCES periods (period),
    linked_on TEXT NOT NULL {_c(_DAY, 'linked_on')},
    folder TEXT NOT NULL CHECK (folder <> ''),
    proposal_sha256 TEXT NOT NULL CHECK (length(proposal_sha256) = 64),
    edits_sha256 TEXT CHECK (length(edits_sha256) = 64),
    households INTEGER NOT NULL CHECK (households >= 0),
    persons INTEGER NOT NULL CHECK (persons >= 0),
    change_id INTEGER NOT NULL REFERENCES changes (change_id)
);
CREATE TABLE koppelingen (
    household_id TEXT PRIMARY KEY CHECK (household_id <> ''),
    period TEXT NOT NULL REFERENCES periods (period),
    gm_code TEXT NOT NULL {_c(_GM, 'gm_code')},
    persons INTEGER NOT NULL CHECK (persons >= 1),
    linked_on TEXT NOT NULL {_c(_DAY, 'linked_on')},
    run_id TEXT NOT NULL REFERENCES proposals (run_id),
    proposed_gm TEXT {_c(_GM, 'proposed_gm')},
    FOREIGN KEY (period, gm_code) REFERENCES period_targets (period, gm_code)
);
CREATE INDEX koppelingen_by_period ON koppelingen (period, gm_code);
CREATE TABLE housed (
    household_id TEXT PRIMARY KEY REFERENCES koppelingen (household_id),
    housed_on TEXT NOT NULL {_c(_DAY, 'housed_on')},
    period TEXT NOT NULL REFERENCES periods (period),
    change_id INTEGER NOT NULL REFERENCES changes (change_id)
);
"""),
    Step(2, "persons housed per gemeente as reported (counts)", f"""
CREATE TABLE housing_reports (
    period TEXT NOT NULL,
    gm_code TEXT NOT NULL,
    as_of TEXT NOT NULL {_c(_DAY, 'as_of')},
    housed INTEGER NOT NULL CHECK (housed >= 0),
    change_id INTEGER NOT NULL REFERENCES changes (change_id),
    PRIMARY KEY (period, gm_code, as_of),
    FOREIGN KEY (period, gm_code) REFERENCES period_targets (period, gm_code)
);
"""),
)

#: The schema version this engine writes.
VERSION = STEPS[-1].version

#: The tables in an order in which every reference points to a table earlier in the list.
TABLES: tuple[str, ...] = ("changes", "periods", "period_targets", "swaps", "realised_in", "proposals",
                           "koppelingen", "housed", "housing_reports")


def tables_of(version: int) -> tuple[str, ...]:
    """The tables a file of ``version`` has, in :data:`TABLES` order."""
    return tuple(t for t in TABLES if t != "housing_reports" or version >= 2)


def version_of(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_steps(conn: sqlite3.Connection, start: int, stop: int) -> None:
    """Run the steps ``start + 1 .. stop`` and set ``user_version = stop``, inside the caller's
    transaction (so that all or nothing of a migration lands)."""
    for step in STEPS[start:stop]:
        for statement in step.sql.split(";"):
            if statement.strip():
                conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {int(stop)}")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def create_schema(conn: sqlite3.Connection, version: int = VERSION) -> None:
    """Write the tables of ``version`` into an empty database, in one transaction (an older
    ``version`` writes a file as an older spreiding did, e.g. to test its migration)."""
    if not 1 <= version <= VERSION:
        raise ValueError(f"schema version must be 1..{VERSION}, got {version}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        apply_steps(conn, 0, version)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
