"""Reading and writing tables (CSV, XLSX, Parquet), and writing outputs atomically.

Input tables are read with every column as text (``str``) so that validation
(:mod:`optimizer.data.validation`) can name the exact row, column and value that does not parse.
Outputs are written into a temporary sibling folder and moved into place only when complete,
so a failed run never leaves half-written output.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from optimizer.core.errors import InputError, Violation

SUFFIXES = (".csv", ".xlsx", ".parquet")


def read_table(path: str | Path, *, as_text: bool = True) -> pd.DataFrame:
    """Read a CSV (UTF-8, ``,`` or ``;`` separated), XLSX (first sheet) or Parquet file.

    Raises :class:`InputError` for a missing file, an unknown suffix, a file that is not UTF-8,
    an unreadable file, or a file without data rows. With ``as_text`` every cell is a string
    (empty cells are ``""``), column names are stripped.
    """
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError(Violation(name, "file not found"))
    if path.is_dir():
        raise InputError(Violation(name, "is a folder; expected a table file (.csv, .xlsx or .parquet)"))
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(Violation(name, f"unsupported file type {suffix!r}; expected one of {', '.join(SUFFIXES)}"))
    try:
        if suffix == ".csv":
            df = _read_csv(path)
        elif suffix == ".xlsx":
            df = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        else:
            df = pd.read_parquet(path)
            if as_text:
                df = df.astype(object).where(df.notna(), "").astype(str)
    except InputError:
        raise
    except Exception as exc:  # any parser failure becomes a clear input error
        raise InputError(Violation(name, f"could not be read as {suffix[1:].upper()}: {exc}")) from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise InputError(Violation(name, "file has no data rows (empty file or header only)"))
    if as_text:
        df = df.astype(str).apply(lambda col: col.str.strip())
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(Violation(str(path), "file is empty"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            Violation(str(path), f"wrong encoding: byte {raw[exc.start]:#04x} is not UTF-8 "
                      "(save the file as UTF-8 CSV)", row=line)
        ) from None
    first = text.splitlines()[0] if text.splitlines() else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                       quoting=csv.QUOTE_MINIMAL, skipinitialspace=True)


def write_table(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write a table by suffix: ``.csv`` (UTF-8), ``.xlsx`` or ``.parquet``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.to_csv(path, index=index, encoding="utf-8", lineterminator="\n")
    elif suffix == ".xlsx":
        _write_xlsx(df, path, index=index)
    elif suffix == ".parquet":
        df.to_parquet(path, index=index)
    else:
        raise ValueError(f"unsupported output type {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    return path


def _write_xlsx(df: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    """Excel for people: one sheet ``data`` (:func:`write_xlsx_sheets`)."""
    write_xlsx_sheets(path, [("data", df.reset_index() if index else df, {})])


def write_xlsx_sheets(path: str | Path, sheets: list[tuple[str, pd.DataFrame, dict[str, str]]]) -> None:
    """Write ``(sheet name, frame, number formats)`` as sheets of one workbook, for people:
    frozen header row, filters on every column, readable column widths, per column named in the
    number formats that Excel format (e.g. ``"#,##0"``, ``"0.0000"``), empty cells for missing
    values, a comment on each header cell whose column has a note (``frame.attrs["notes"]``,
    e.g. its unit), and every text cell stored as text, never as a formula; one that starts like
    a formula (``=``, ``+``, ``-``, ``@``: an id or a name from an input file) also with Excel's
    quote prefix (formula injection).

    Written with XlsxWriter in ``constant_memory`` mode (:mod:`optimizer.core.xlsx_writer`), the
    same tables giving the same bytes.
    """
    from optimizer.core.xlsx_writer import Sheet, write_workbook

    out = []
    for name, frame, formats in sheets:
        widths = []
        for col in frame.columns:
            sample = [("" if v is None or (isinstance(v, float) and v != v) else str(v)) for v in frame[col].head(200)]
            width = max([len(str(col))] + [len(v) for v in sample])
            widths.append(min(max(8, width + 2), 60))
        notes = frame.attrs.get("notes", {})
        header = [str(c) for c in frame.columns]
        out.append(Sheet(name=name, header=header, columns=[_xlsx_values(frame[c]) for c in frame.columns],
                         formats=[formats.get(c) for c in frame.columns], widths=widths,
                         notes={j: notes[c] for j, c in enumerate(frame.columns) if c in notes}))
    write_workbook(path, out)


def _xlsx_values(values: pd.Series) -> list:
    """The cells of one column as Python values: ``None`` when missing, the text of anything a
    spreadsheet cell cannot hold (a list, a dict, a decimal)."""
    out = []
    for v in values.astype(object).tolist():
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append(None)
        elif not isinstance(v, (str, int, float, bool, datetime.date)):
            out.append(str(v))
        else:
            out.append(v)
    return out


def check_output_suffix(path: str | Path) -> None:
    """Reject an output path with an unknown suffix *before* any work is done."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(Violation(str(path), f"unsupported output type {suffix!r}; expected one of {', '.join(SUFFIXES)}"))


def _check_parent(path: Path, option: str) -> None:
    """The nearest existing ancestor of ``path`` must be a writable folder."""
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(Violation(option, f"cannot write below {parent}: it is a file, not a folder", value=str(path)))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(Violation(option, f"folder {parent} is not writable", value=str(path)))


def _written_by_spreiding(folder: Path) -> bool:
    """A folder this engine wrote: a run record of spreiding (``run.json``, ``compare.json``)
    at its top or one level down (the demo keeps its proposal in a subfolder)."""
    for record in [*folder.glob("*.json"), *folder.glob("*/*.json")]:
        try:
            if '"engine": "spreiding"' in record.read_text(encoding="utf-8")[:4000]:
                return True
        except (OSError, UnicodeDecodeError):
            continue
    return False


def check_output_dir(out: str | Path, option: str = "--out") -> Path:
    """Before any work: ``out`` can become this run's output folder. It may not exist yet, be
    empty, or be an earlier output of spreiding (then it is replaced as a whole); a file, a path
    below a file, an unwritable place or a folder holding other files is refused."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(Violation(option, "exists and is a file; expected an output folder", value=str(out)))
    _check_parent(out, option)
    if out.is_dir() and any(out.iterdir()) and not _written_by_spreiding(out):
        raise InputError(Violation(option, "folder exists and holds files that spreiding did not write; give a new "
                                           "or empty folder (outputs replace the whole folder)", value=str(out)))
    return out


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """Before any work: ``path`` can become an output table (known suffix, not a folder, a
    writable place)."""
    path = Path(path)
    check_output_suffix(path)
    if path.is_dir():
        raise InputError(Violation(option, "is a folder; expected an output file (.csv, .xlsx or .parquet)",
                                   value=str(path)))
    _check_parent(path, option)
    return path


@contextlib.contextmanager
def atomic_output_dir(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success it *replaces* ``out`` as a whole, so every file in
    ``out`` belongs to this run (no stale files of an earlier run).

    ``out`` is checked first (:func:`check_output_dir`). On any exception the temporary folder
    is removed and ``out`` is left untouched.
    """
    out = check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; moved into place only on success."""
    path = check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.tmp-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
