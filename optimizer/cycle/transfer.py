"""Export a ledger to plain files and import it again, losslessly.

:func:`export_ledger` writes a folder with one CSV per table (UTF-8, the columns of the table
in order, rows in primary-key order; an empty cell is NULL, which no text column of the schema
can hold otherwise) and ``manifest.json`` (the schema version, and per table its columns,
number of rows and the SHA-256 of its file). The folder is written atomically and replaced as a
whole (an earlier export there is replaced; a folder of other files is refused).

:func:`import_ledger` makes a **new** ledger file from such a folder: the tables of the
manifest's schema version, the rows, then the migrations to the current version, all in one
transaction on a temporary file that is moved into place only when complete. Every file is
checked against the manifest (hash, columns: a column the schema does not have is refused)
and every cell against its column's type. Export, import and export again gives the same
files, byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from pathlib import Path

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.tables import atomic_output_dir
from optimizer.cycle import schema
from optimizer.cycle.ledger import Ledger, open_ledger

FORMAT = "spreiding-ledger-export"
MANIFEST = "manifest.json"


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, bool]]:
    """(name, declared type, NOT NULL) of each column of ``table``."""
    return [(r[1], r[2].upper(), bool(r[3]) or bool(r[5])) for r in conn.execute(f"PRAGMA table_info({table})")]


def _primary_key(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = sorted((r[5], r[1]) for r in conn.execute(f"PRAGMA table_info({table})") if r[5])
    return [name for _, name in rows]


def _csv_text(header: list[str], rows: list[tuple]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buf.getvalue()


def export_ledger(ledger: Ledger, out: str | Path) -> dict:
    """Write every table of the ledger and ``manifest.json`` to the folder ``out``; returns the manifest."""
    version = schema.version_of(ledger.conn)
    manifest: dict = {"engine": "spreiding", "format": FORMAT, "schema_version": version, "tables": {}}
    with atomic_output_dir(out) as tmp:
        ledger.conn.execute("BEGIN")  # one consistent snapshot of all tables
        try:
            for table in schema.tables_of(version):
                cols = [c for c, _, _ in _columns(ledger.conn, table)]
                order = ", ".join(_primary_key(ledger.conn, table))
                rows = ledger.conn.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {order}").fetchall()
                data = _csv_text(cols, rows).encode("utf-8")
                (tmp / f"{table}.csv").write_bytes(data)
                manifest["tables"][table] = {"file": f"{table}.csv", "columns": cols, "rows": len(rows),
                                             "sha256": hashlib.sha256(data).hexdigest()}
        finally:
            ledger.conn.execute("COMMIT")
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError(Violation(str(path), "missing: not a ledger export (`spreiding ledger export` writes it)"))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(Violation(str(path), f"not valid JSON: {exc}")) from None
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(Violation(str(path), f"not a ledger export (format must be {FORMAT!r})"))
    if not isinstance(version, int) or not 1 <= version <= schema.VERSION:
        raise InputError(Violation(str(path), f"schema_version must be a whole number 1..{schema.VERSION}",
                                   column="schema_version", value=version))
    tables = manifest.get("tables")
    expected = schema.tables_of(version)
    if not isinstance(tables, dict):
        raise InputError(Violation(str(path), "no 'tables' section", column="tables"))
    raise_if([Violation(str(path), f"table not in schema version {version}; refused", column="tables", value=t)
              for t in tables if t not in expected]
             + [Violation(str(path), "table missing", column="tables", value=t) for t in expected if t not in tables])
    return manifest


def _cell(text: str, kind: str, not_null: bool, where: dict) -> object:
    """One CSV cell as the column stores it; ``where`` names file, row and column for messages."""
    if text == "":
        if not_null:
            raise InputError(Violation(**where, rule="required value is empty", value=text))
        return None
    if kind == "INTEGER":
        try:
            return int(text)
        except ValueError:
            raise InputError(Violation(**where, rule="expected a whole number", value=text)) from None
    return text


def _load_table(conn: sqlite3.Connection, folder: Path, table: str, entry: dict) -> None:
    path = folder / str(entry.get("file", f"{table}.csv"))
    name = str(path)
    if not path.is_file():
        raise InputError(Violation(name, "missing: listed in the manifest"))
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise InputError(Violation(name, "SHA-256 differs from the manifest: the file was changed after export"))
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    header = next(reader, [])
    cols = {c: (kind, nn) for c, kind, nn in _columns(conn, table)}
    raise_if([Violation(name, "column not in the ledger's schema; refused", column=c) for c in header if c not in cols]
             + [Violation(name, "required column is missing", column=c) for c, (_, nn) in cols.items()
                if nn and c not in header])
    rows = [tuple(_cell(v, *cols[c], {"file": name, "row": i, "column": c}) for c, v in zip(header, row, strict=True))
            for i, row in enumerate(reader, start=2)]
    if len(rows) != entry.get("rows"):
        raise InputError(Violation(name, f"{len(rows)} rows, the manifest says {entry.get('rows')}"))
    conn.executemany(f"INSERT INTO {table} ({', '.join(header)}) VALUES ({', '.join('?' * len(header))})", rows)


def import_ledger(folder: str | Path, path: str | Path) -> Ledger:
    """A new ledger at ``path`` (which must not exist) from an export folder; returns it opened
    (migrated to the current schema when the export is older)."""
    folder, path = Path(folder), Path(path)
    if path.exists():
        raise InputError(Violation("--ledger", "exists already; import makes a new ledger file", value=str(path)))
    manifest = _read_manifest(folder)
    version = manifest["schema_version"]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.import-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN IMMEDIATE")
            schema.apply_steps(conn, 0, version)
            for table in schema.tables_of(version):
                _load_table(conn, folder, table, manifest["tables"][table])
            conn.execute("COMMIT")
        except sqlite3.IntegrityError as exc:
            raise InputError(Violation(str(folder), f"the rows break the ledger's rules ({exc}); nothing imported")) \
                from None
        finally:
            conn.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return open_ledger(path)
