"""Reading and writing tables (CSV, XLSX, Parquet), and writing outputs atomically.

Input tables are read with every column as text (``str``) so that validation
(:mod:`optimizer.data.validation`) can name the exact row, column and value that does not parse.
Outputs are written into a temporary sibling folder and moved into place only when complete,
so a failed run never leaves half-written output.
"""

from __future__ import annotations

import contextlib
import csv
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
    """Excel for people: frozen header row, filters on every column, readable column widths."""
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        df.to_excel(writer, index=index, sheet_name="data")
        ws = writer.sheets["data"]
        ws.freeze_panes = "A2"
        if ws.max_row > 1 and ws.max_column > 0:
            ws.auto_filter.ref = ws.dimensions
        frame = df.reset_index() if index else df
        for i, col in enumerate(frame.columns, start=1):
            sample = [("" if v is None or (isinstance(v, float) and v != v) else str(v)) for v in frame[col].head(200)]
            width = max([len(str(col))] + [len(v) for v in sample])
            ws.column_dimensions[get_column_letter(i)].width = min(max(8, width + 2), 60)


def check_output_suffix(path: str | Path) -> None:
    """Reject an output path with an unknown suffix *before* any work is done."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(Violation(str(path), f"unsupported output type {suffix!r}; expected one of {', '.join(SUFFIXES)}"))


@contextlib.contextmanager
def atomic_output_dir(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder; on success its files replace those in ``out``.

    On any exception the temporary folder is removed and ``out`` is left untouched.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    out.mkdir(parents=True, exist_ok=True)
    for item in sorted(tmp.iterdir()):
        target = out / item.name
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(item, target)
    shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def atomic_output_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; moved into place only on success."""
    path = Path(path)
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
