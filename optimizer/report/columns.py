"""How each column of a report table is shown: number (with its decimals) or text.

One decision for both renderings, so report.html and report.xlsx show a column alike:

* integer columns (also nullable ``Int64``, and floats whose values are all whole numbers):
  numbers without decimals, thousands separated (Excel ``#,##0``);
* other numeric columns: 2 decimals when the largest absolute value is at least 10, else 4
  (shares, relative deviations, scores) (Excel ``#,##0.00`` / ``0.0000``);
* text columns whose non-empty cells all parse as numbers (an object column mixing numbers and
  ``""``, e.g. a score that is empty for an unplaced household) count as numeric;
* everything else (also booleans) is text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ColumnKind:
    name: str
    numeric: bool
    decimals: int = 0

    def excel_format(self) -> str | None:
        """The Excel number format of the column (``None`` for text)."""
        if not self.numeric:
            return None
        if self.decimals == 0:
            return "#,##0"
        return ("#,##0." if self.decimals <= 2 else "0.") + "0" * self.decimals


def numeric_values(col: pd.Series) -> pd.Series | None:
    """The column as floats (NaN where empty) if it is numeric in the sense above, else ``None``."""
    if pd.api.types.is_bool_dtype(col):
        return None
    if pd.api.types.is_numeric_dtype(col):
        return pd.to_numeric(col, errors="coerce").astype(float)
    if _text_value(col) or col.map(lambda v: isinstance(v, bool)).any():
        return None
    filled = col[col.notna() & col.astype(str).str.strip().ne("")]
    if filled.empty:
        return None
    parsed = pd.to_numeric(filled.astype(str), errors="coerce")
    if parsed.isna().any():
        return None
    return pd.to_numeric(col.where(col.astype(str).str.strip().ne("")), errors="coerce").astype(float)


def _text_value(col: pd.Series) -> bool:
    """Whether the first non-empty cell of an object column is not a number (a quick answer for
    text columns such as a household's explanation; the full check below gives the same)."""
    for v in col.tolist():
        if v is None or v is pd.NA or isinstance(v, bool) or (isinstance(v, float) and v != v):
            continue
        s = str(v).strip()
        if not s:
            continue
        try:
            float(s)
            return False
        except ValueError:
            return bool(pd.isna(pd.to_numeric(pd.Series([s]), errors="coerce").iloc[0]))
    return False


def column_kind(name: str, col: pd.Series) -> ColumnKind:
    """The kind of one column (rules in the module docstring)."""
    values = numeric_values(col)
    if values is None:
        return ColumnKind(str(name), False)
    finite = values[np.isfinite(values)]
    if finite.empty or (finite == finite.round()).all():
        return ColumnKind(str(name), True, 0)
    return ColumnKind(str(name), True, 2 if float(finite.abs().max()) >= 10 else 4)


def column_kinds(frame: pd.DataFrame) -> list[ColumnKind]:
    return [column_kind(c, frame[c]) for c in frame.columns]


def cell(value: object, kind: ColumnKind) -> float | int | str | None:
    """A cell as JSON-safe Python: a number for a numeric column (``None`` if empty or not
    finite), else text (``""`` for a missing value)."""
    if kind.numeric:
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if not math.isfinite(x):
            return None
        return int(x) if kind.decimals == 0 and abs(x) < 2**53 else x
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def cells(col: pd.Series, kind: ColumnKind) -> list:
    """``[cell(v, kind) for v in col]``, a column at a time: float and integer columns and text
    columns without missing values take a fast path (same cells)."""
    if kind.numeric and (pd.api.types.is_float_dtype(col) or pd.api.types.is_integer_dtype(col)) \
            and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
        whole = kind.decimals == 0
        return [(int(x) if whole and abs(x) < 2**53 else x) if math.isfinite(x) else None
                for x in col.to_numpy(dtype=float).tolist()]
    if not kind.numeric and pd.api.types.is_string_dtype(col) and not col.isna().any():
        return [v if type(v) is str else str(v) for v in col.tolist()]
    return [cell(v, kind) for v in col.tolist()]
