"""Fuzzing the table readers: ``read_table`` and the validation of every schema
(``optimizer.data.schemas`` and the data files a user may replace) on random bytes, random
cells, random separators, decimal commas, BOMs and encodings. Whatever the file holds, the
only error is an :class:`InputError` (reported as exit 2), never another exception."""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.checker import household_row

from optimizer.core.errors import InputError
from optimizer.core.tables import read_table
from optimizer.data import dataset, schemas
from optimizer.koppeling.scoring import load_scores

HOUSEHOLDS = schemas.load_households(pd.DataFrame([household_row("H1"), household_row("H2")]), "households")
PROVINCES = dataset.load_gemeenten().drop_duplicates("provincie_code").set_index("provincie_code")["provincie"]

#: Every loader of a user table, by the columns it expects (the fuzzer mixes them in).
LOADERS = {
    "households": (lambda p: schemas.load_households(p), [c.name for c in schemas.HOUSEHOLD_COLUMNS]),
    "state": (lambda p: schemas.load_state(p), [c.name for c in schemas.STATE_COLUMNS]),
    "realised": (lambda p: schemas.load_realised(p), [c.name for c in schemas.REALISED_COLUMNS]),
    "swaps": (lambda p: schemas.load_swaps(p), [c.name for c in schemas.SWAP_COLUMNS]),
    "linked": (lambda p: schemas.load_linked(p), ["gm_code", "linked"]),
    "locks": (lambda p: schemas.load_locks(p, HOUSEHOLDS), ["household_id", "gm_code", "action"]),
    "previous": (lambda p: schemas.load_previous(p), ["household_id", "gm_code", "status"]),
    "totals": (lambda p: schemas.load_provincial_totals(p, "places", PROVINCES), ["provincie_code", "places"]),
    "scores": (lambda p: load_scores(p, HOUSEHOLDS), ["household_id", "amr_code", "score"]),
    "population": (lambda p: dataset.load_population(date(2024, 1, 1), p), ["gm_code", "population", "reference_date"]),
    "reception": (lambda p: dataset.load_reception(p), ["gm_code", "reception_places"]),
}

CELLS = st.one_of(
    st.sampled_from(["", "0", "1", "-1", "1,5", "1.5", "1e30", "-1e30", "inf", "nan", "NaN", "NULL", "true", "ja",
                     "GM0014", "GM0037", "GM9999", "gm0014", "AM01", "H1", "H2", "fix", "forbid", "2025-H2", "2025-H9",
                     "2025-08-04", "04-08-2025", "1950-01-01", "9999-12-31", "35", "35;40", "8", "secondary",
                     "none", "A1", "basic", "=1+1", "@SUM(A1)", "+31", " 1 ", "1 000", "\u00a0", "é", "\"", "'", ";",
                     ",", "\t", "\n", "1\n2", "99999999999999999999999"]),
    st.text(max_size=12),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]
FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _only_input_errors(loader, path: Path) -> None:
    try:
        loader(path)
    except InputError as exc:
        assert exc.violations and all(str(v) for v in exc.violations)


@st.composite
def tables(draw):
    """(loader name, file bytes, suffix): a random table in a random Dutch-Excel dialect."""
    name = draw(st.sampled_from(sorted(LOADERS)))
    expected = LOADERS[name][1]
    columns = draw(st.lists(st.one_of(st.sampled_from(expected), st.text(max_size=8)), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(columns), max_size=len(columns)), max_size=4))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    decimal_comma = draw(st.booleans())
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    for r in rows:
        writer.writerow([c.replace(".", ",") if decimal_comma else c for c in r])
    text = ("\ufeff" if draw(st.booleans()) else "") + buf.getvalue()
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):  # truncate or corrupt the tail
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return name, data


@FAST
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_random_bytes_never_crash_the_reader(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"t{suffix}"
        path.write_bytes(data)
        with contextlib.suppress(InputError):
            read_table(path)
        for loader, _ in (LOADERS["households"], LOADERS["state"], LOADERS["locks"]):
            _only_input_errors(loader, path)


@FAST
@given(table=tables())
def test_random_tables_in_every_dialect_only_give_input_errors(table):
    name, data = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(data)
        _only_input_errors(LOADERS[name][0], path)


@FAST
@given(table=tables())
def test_random_tables_as_xlsx_only_give_input_errors(table):
    """The same cells in an Excel file (the reader's other format)."""
    name, data = table
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "t.csv"
        src.write_bytes(data)
        try:
            frame = read_table(src)
        except InputError:
            return
        path = Path(tmp) / "t.xlsx"
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # Excel cannot hold these: not a file one can get

        frame.map(lambda c: ILLEGAL_CHARACTERS_RE.sub("", c)).rename(
            columns=lambda c: ILLEGAL_CHARACTERS_RE.sub("", c)).to_excel(path, index=False)
        _only_input_errors(LOADERS[name][0], path)
