"""The ledger loses nothing: a writer killed mid-transaction leaves the file as it was; a file of
schema version 1 is migrated, not rewritten; other files are refused; export and import give
back the same ledger."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.cycle import dump, integrity, new_ledger, rows, write_proposal
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.errors import InputError
from optimizer.core.periods import Period
from optimizer.cycle import schema
from optimizer.cycle.housing import record_housing
from optimizer.cycle.ledger import open_ledger
from optimizer.cycle.periods import close_period, open_period
from optimizer.cycle.proposals import accept_proposal
from optimizer.cycle.status import period_status
from optimizer.cycle.transfer import export_ledger, import_ledger

ROOT = Path(__file__).resolve().parents[2]
H1 = Period(2025, 1)
runner = CliRunner()

#: A writer that accepts a proposal and stops just before COMMIT, with a tiny page cache so
#: that changed pages spill into the database file before the transaction ends.
WRITER = """
import sys, time
from optimizer.cycle import ledger as L
from optimizer.cycle.proposals import accept_proposal

def stall(self):
    print("writing", flush=True)
    time.sleep(600)

L.Ledger._commit = stall
book = L.open_ledger(sys.argv[1])
book.conn.execute("PRAGMA cache_size = 2")
accept_proposal(book, sys.argv[2])
"""


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return new_ledger(tmp_path / "ledger.sqlite")


def test_a_writer_killed_mid_transaction_leaves_the_ledger_unchanged(ledger: Path, tmp_path: Path):
    big = write_proposal(tmp_path / "big", [(f"K{i:05d}", "linked", "GM0014", 1 + i % 6) for i in range(3000)],
                         date(2025, 2, 3))
    before_bytes, before = ledger.read_bytes(), dump(ledger)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(ledger), str(big)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline().strip() == "writing"  # inside the transaction, all rows written
        journal = ledger.with_name(ledger.name + "-journal")
        assert journal.exists()  # a transaction is open ...
        assert ledger.read_bytes() != before_bytes  # ... and its pages already reached the file
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert dump(ledger) == before  # opening the file rolls the hot journal back
    assert integrity(ledger) == "ok"
    assert not journal.exists()
    with open_ledger(ledger) as book:  # and the ledger works on
        change = accept_proposal(book, big)
    assert change.summary["households"] == 3000


def _v1_ledger(path: Path) -> None:
    """A ledger as the first schema version wrote it: one period, one proposal, a household housed."""
    conn = sqlite3.connect(path, isolation_level=None)
    schema.create_schema(conn, version=1)
    conn.executescript("""
        PRAGMA foreign_keys = ON;
        BEGIN;
        INSERT INTO changes VALUES (1, '2025-01-02T09:00:00+00:00', 'open', '2025-H1', '{}', NULL);
        INSERT INTO changes VALUES (2, '2025-01-06T09:00:00+00:00', 'accept', '2025-H1', '{}', NULL);
        INSERT INTO changes VALUES (3, '2025-03-03T09:00:00+00:00', 'housed', NULL, '{}', NULL);
        INSERT INTO periods VALUES ('2025-H1', 15000, 'up', '2024-01-01', NULL, NULL, NULL, 'none', 1, NULL);
        INSERT INTO period_targets VALUES ('2025-H1', 'GM0014', 205, 0, 0, NULL, NULL);
        INSERT INTO period_targets VALUES ('2025-H1', 'GM0034', 190, 0, 0, NULL, NULL);
        INSERT INTO proposals VALUES ('""" + "a" * 64 + """', '2025-H1', '2025-01-06', '/old/prop', '""" + "b" * 64
                       + """', NULL, 2, 4, 2);
        INSERT INTO koppelingen VALUES ('V1', '2025-H1', 'GM0014', 3, '2025-01-06', '""" + "a" * 64
                       + """', 'GM0014');
        INSERT INTO koppelingen VALUES ('V2', '2025-H1', 'GM0034', 1, '2025-01-06', '""" + "a" * 64
                       + """', 'GM0034');
        INSERT INTO housed VALUES ('V1', '2025-03-03', '2025-H1', 3);
        COMMIT;""")
    conn.close()


def test_a_version_1_file_is_migrated_not_rewritten(tmp_path: Path):
    path = tmp_path / "old.sqlite"
    _v1_ledger(path)
    version, old = dump(path)
    assert version == 1 and not any("housing_reports" in s for s in old)
    with open_ledger(path) as book:
        assert book.migrated_from == 1
        status = period_status(book, H1, date(2025, 6, 30))
        record_housing(book, gemeenten=pd.DataFrame({"gm_code": ["GM0034"], "period": ["2025-H1"], "housed": [2]}))
    version, new = dump(path)
    assert version == schema.VERSION == 2
    assert set(old) <= set(new)  # every row and table of version 1 is still there, as it was
    assert any(s.startswith('CREATE TABLE housing_reports') for s in new)
    assert rows(path, "SELECT command, summary FROM changes WHERE change_id = 4") == [
        ("migrate", json.dumps({"from_version": 1, "steps": ["2: persons housed per gemeente as reported (counts)"],
                                "to_version": 2}, sort_keys=True))]
    assert status.loc["GM0014", ["linked", "housed"]].tolist() == [3, 3]
    assert integrity(path) == "ok"


def test_files_that_are_not_this_ledger_are_refused(tmp_path: Path):
    newer = tmp_path / "newer.sqlite"
    with open_ledger(newer, create=True):
        pass
    other = tmp_path / "other.sqlite"
    for path, sql in ((newer, f"PRAGMA user_version = {schema.VERSION + 1}"), (other, "CREATE TABLE t (x)")):
        conn = sqlite3.connect(path)
        conn.execute(sql)
        conn.close()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database, " * 100)
    for path, text in ((newer, "newer than this spreiding"), (other, "not a spreiding ledger"),
                       (junk, "not a ledger file")):
        with pytest.raises(InputError, match=text):
            open_ledger(path)


def _full_ledger(path: Path, tmp: Path) -> None:
    """A ledger with a row in every table: two periods, proposals with edits, housing both ways."""
    realised = pd.DataFrame({"gm_code": ["GM0014", "GM0034"], "period": ["2024-H2"] * 2, "housed": [5, 7],
                             "target": [10, 3]})
    swaps = pd.DataFrame({"swap_id": ["S,1"], "gm_code": ["GM0014"], "delta": [0]})
    with open_ledger(path, create=True) as book:
        open_period(book, H1, realised=realised, swaps=swaps)
        week = write_proposal(tmp / "w1", [("A,1", "linked", "GM0014", 3), ("A\"2", "linked", "GM0034", 2),
                                           ("A3", "unplaced", "", 1)], date(2025, 1, 6))
        accept_proposal(book, week, edits=pd.DataFrame({"household_id": ["A3", "A\"2"], "gm_code": ["GM0363", ""]}))
        record_housing(book, households=pd.DataFrame({"household_id": ["A,1"], "housed_on": ["2025-04-01"]}),
                       gemeenten=pd.DataFrame({"gm_code": ["GM0363"], "period": ["2025-H1"], "housed": [0]}))
        close_period(book, H1)
        open_period(book, H1.next())


def test_export_import_round_trip_is_lossless(tmp_path: Path):
    path = tmp_path / "a.sqlite"
    _full_ledger(path, tmp_path)
    res = runner.invoke(app, ["ledger", "export", "--ledger", str(path), "--out", str(tmp_path / "x1")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ledger", "import", "--from", str(tmp_path / "x1"), "--ledger", str(tmp_path / "b.sqlite")])
    assert res.exit_code == 0, res.output
    assert dump(tmp_path / "b.sqlite") == dump(path)  # same schema, same rows, same values (NULLs included)
    with open_ledger(tmp_path / "b.sqlite") as book:
        export_ledger(book, tmp_path / "x2")
        export_ledger(book, tmp_path / "x2")  # an earlier export is replaced as a whole
    files = sorted(p.name for p in (tmp_path / "x1").iterdir())
    assert len(files) == len(schema.TABLES) + 1
    for name in files:
        assert (tmp_path / "x1" / name).read_bytes() == (tmp_path / "x2" / name).read_bytes(), name
    assert all(json.loads((tmp_path / "x1" / "manifest.json").read_text())["tables"][t]["rows"] > 0
               for t in schema.TABLES)


def test_import_refuses_changed_files_extra_columns_and_existing_ledgers(tmp_path: Path):
    path = tmp_path / "a.sqlite"
    _full_ledger(path, tmp_path)
    with open_ledger(path) as book:
        export_ledger(book, tmp_path / "x")
    with pytest.raises(InputError, match="exists already"):
        import_ledger(tmp_path / "x", path)
    koppelingen = tmp_path / "x" / "koppelingen.csv"
    koppelingen.write_text(koppelingen.read_text().replace("A3", "A4"))
    with pytest.raises(InputError, match="SHA-256 differs"):
        import_ledger(tmp_path / "x", tmp_path / "b.sqlite")
    table = pd.read_csv(koppelingen, dtype=str, keep_default_na=False).assign(naam="x")
    table.to_csv(koppelingen, index=False)
    manifest = json.loads((tmp_path / "x" / "manifest.json").read_text())
    manifest["tables"]["koppelingen"]["sha256"] = hashlib.sha256(koppelingen.read_bytes()).hexdigest()
    (tmp_path / "x" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="column not in the ledger's schema"):
        import_ledger(tmp_path / "x", tmp_path / "b.sqlite")
    manifest["tables"]["people"] = {"file": "people.csv", "rows": 0, "sha256": ""}
    (tmp_path / "x" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="table not in schema version 2"):
        import_ledger(tmp_path / "x", tmp_path / "b.sqlite")
    assert not (tmp_path / "b.sqlite").exists()


def test_a_version_1_export_is_imported_and_migrated(tmp_path: Path):
    old = tmp_path / "old.sqlite"
    _v1_ledger(old)
    conn = sqlite3.connect(old)  # export the v1 file as a v1 spreiding did: the same format, without migrating
    manifest: dict = {"format": "spreiding-ledger-export", "schema_version": 1, "tables": {}}
    (tmp_path / "x").mkdir()
    for table in schema.tables_of(1):
        cur = conn.execute(f"SELECT * FROM {table}")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([d[0] for d in cur.description])
        found = cur.fetchall()
        writer.writerows([["" if v is None else v for v in row] for row in found])
        text = buf.getvalue().encode()
        (tmp_path / "x" / f"{table}.csv").write_bytes(text)
        manifest["tables"][table] = {"file": f"{table}.csv", "rows": len(found),
                                     "sha256": hashlib.sha256(text).hexdigest()}
    conn.close()
    (tmp_path / "x" / "manifest.json").write_text(json.dumps(manifest))
    with import_ledger(tmp_path / "x", tmp_path / "new.sqlite") as book:
        assert book.migrated_from == 1
    version, new = dump(tmp_path / "new.sqlite")
    assert version == schema.VERSION and set(dump(old)[1]) <= set(new)  # every v1 table and row, as it was
    assert rows(tmp_path / "new.sqlite", "SELECT household_id, persons FROM koppelingen ORDER BY 1") == [
        ("V1", 3), ("V2", 1)]
