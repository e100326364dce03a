"""One validation mechanism for every input table: column specs, typed parse, cross-row checks.

A table is described by a *spec*, a tuple of :class:`Col` (name, kind, range, choices, ...), plus
small named ``check_*`` functions for the rules that span rows or columns. :func:`parse` checks
and converts every column at once and returns the typed frame plus *all* violations; a check
takes the typed frame and the file name and returns the violations it finds (an empty list when
all is well). :func:`validate` chains reading, parsing and the checks and raises one
:class:`~optimizer.core.errors.InputError` listing everything wrong, each violation naming file,
row (as in a spreadsheet: header = row 1), column, value and rule.

A table may be a file (CSV ``,`` or ``;`` separated, XLSX, Parquet; read as text by
:func:`optimizer.core.tables.read_table`) or a DataFrame. A frame may hold text cells or typed
columns (numbers, booleans, dates, e.g. the output of
:func:`optimizer.rules.state.build_state`): typed columns are checked as they are, without a
round trip through text. Numbers may use a decimal comma (Dutch Excel).

Columns whose name means nationality, ethnicity, religion or gender are rejected in every table,
and names and other personal data in household-level tables (:data:`FORBIDDEN_COLUMN_WORDS`,
:func:`forbidden_column`). The specs live with what they describe: user files in
:mod:`optimizer.data.schemas`, the embedded data files and their user replacements in
:mod:`optimizer.data.dataset`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from optimizer.core.errors import Violation, raise_if
from optimizer.core.periods import Period
from optimizer.core.tables import read_table

TRUE_WORDS = {"true", "1", "yes", "ja", "y", "j", "waar"}
FALSE_WORDS = {"false", "0", "no", "nee", "n", "onwaar"}
#: Text cells that mean "empty" in a typed (non-text) column.
EMPTY_WORDS = {"nan", "none", "null", "<na>"}

#: A cross-row rule: takes the typed frame and the file name, returns the violations found.
Check = Callable[[pd.DataFrame, str], list[Violation]]


# --------------------------------------------------------------------------------------------
# Column specs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """One column: ``kind`` is str|int|float|bool|date|period|gm|amr|choice|list; see :func:`parse`."""

    name: str
    kind: str = "str"
    required: bool = True  # column must be present
    nullable: bool = False  # empty cells allowed (become NA / "")
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    default: Any = None  # value for an absent optional column
    help: str = ""
    pattern: str = ""  # str: regular expression every non-empty value must match in full
    rule: str = ""  # rule text replacing the one derived from the kind (docs and messages)


def rule_for(col: Col) -> str:
    """The rule a value of ``col`` must follow, as shown in docs/inputs.md and in messages."""
    if col.rule:
        return col.rule
    rng = ""
    if col.min is not None and col.max is not None:
        rng = f" between {col.min:g} and {col.max:g}"
    elif col.min is not None:
        rng = f" >= {col.min:g}"
    elif col.max is not None:
        rng = f" <= {col.max:g}"
    if col.kind == "str" and col.pattern:
        return f"expected text matching {col.pattern}"
    return {
        "int": f"expected a whole number{rng}",
        "float": f"expected a number{rng}",
        "bool": "expected true or false",
        "date": "expected a date YYYY-MM-DD",
        "period": "expected a half-year YYYY-H1 or YYYY-H2",
        "gm": "expected a known CBS gemeente code (GMxxxx, 2024/2025 division)",
        "amr": "expected a known arbeidsmarktregio code (AMxx)",
        "choice": f"expected one of {', '.join(col.choices)}",
        "str": "text (may be empty)" if col.nullable else "expected a non-empty value",
        "list": "';'-separated list, one entry per adult or child (see meaning)",
    }.get(col.kind, "invalid value")


def _bad_value_rule(col: Col) -> str:
    unknown = {"gm": "unknown gemeente code; ", "amr": "unknown arbeidsmarktregio code; "}
    return ("" if col.rule else unknown.get(col.kind, "")) + rule_for(col)


def describe(cols: Iterable[Col]) -> str:
    """Markdown table of a spec (used to generate docs/inputs.md)."""
    lines = ["| column | type | required | rule | meaning |", "|---|---|---|---|---|"]
    for c in cols:
        lines.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'}"
                     f"{' (empty allowed)' if c.nullable else ''} | {rule_for(c)} | {c.help} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Forbidden column words (docs/DOMAIN.md)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForbiddenWords:
    """Column words that mean ``meaning``.

    Each pattern is matched token by token against the normalised column name
    (:func:`normalise_column`): ``m_v`` is the token ``m`` followed by ``v``; ``*`` stands for
    any letters inside one token (``*naam`` matches ``achternaam``). ``household_only`` words are
    rejected only in household-level tables; a word right after (or glued to) one of
    ``allowed_after`` is allowed (``gm_naam``, ``gemeentenaam`` are place names).
    """

    meaning: str
    patterns: tuple[str, ...]
    household_only: bool = False
    allowed_after: tuple[str, ...] = ()


#: Words that make a following name a place name.
PLACE_WORDS = ("gm", "gemeente", "municipality", "amr", "arbeidsmarktregio", "corop", "provincie", "province",
               "regio", "region", "coa", "locatie", "location", "plaats", "place", "wijk", "buurt", "zone")

#: The one list of column words spreiding refuses to read. Nationality, ethnicity, religion and
#: gender (and their proxies) may be inputs to no score, in no table; names, initials, birth data
#: and country are personal data and rejected in household-level tables (households, locks,
#: previous proposal, scores).
FORBIDDEN_COLUMN_WORDS: tuple[ForbiddenWords, ...] = (
    ForbiddenWords("gender", ("geslacht*", "sekse", "sex*", "*gender*", "m_v", "man_vrouw")),
    ForbiddenWords("nationality", ("*nationalit*", "*burgerschap*", "citizen*", "paspoort*", "passport*")),
    ForbiddenWords("origin", ("*herkomst*", "*afkomst*", "origin", "origins", "origine", "geboorteland*",
                              "geboorteplaats*", "birthplace", "birth_country", "country_of_birth",
                              "place_of_birth")),
    ForbiddenWords("religion", ("religi*", "geloof*", "godsdienst*", "levensbeschouwing*")),
    ForbiddenWords("ethnicity or migration background", (
        "*ethnic*", "*etnic*", "*etnis*", "race", "ras", "*migratieachtergrond*", "migratie_achtergrond",
        "migration_background", "*westers*", "*western*")),
    ForbiddenWords("a name", ("*naam", "*name", "*namen", "*names", "tussenvoegsel*"), household_only=True,
                   allowed_after=PLACE_WORDS),
    ForbiddenWords("initials", ("initials", "initialen", "voorletter*"), household_only=True),
    ForbiddenWords("birth data", ("*birth*", "geboorte*"), household_only=True),
    ForbiddenWords("a country", ("country", "land"), household_only=True),
)


def normalise_column(name: object) -> str:
    """Lower case, accents stripped, every run of other characters (``/ - . space``) one ``_``."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return "_".join(re.findall(r"[a-z0-9]+", text))


def _allowed_after(words: ForbiddenWords, tokens: list[str], i: int, pattern: str) -> bool:
    if i > 0 and tokens[i - 1] in words.allowed_after:
        return True
    literal = pattern.split("_")[0].lstrip("*")
    glued = tokens[i][: len(tokens[i]) - len(literal)] if tokens[i].endswith(literal) else ""
    return glued in words.allowed_after


def forbidden_column(name: object, *, household: bool) -> str | None:
    """What a column name means if spreiding may not read it (e.g. ``'gender'``), else ``None``.

    ``household``: the table holds household-level data, so names and other personal data are
    rejected too.
    """
    tokens = normalise_column(name).split("_")
    for words in FORBIDDEN_COLUMN_WORDS:
        if words.household_only and not household:
            continue
        for pattern in words.patterns:
            parts = pattern.split("_")
            for i in range(len(tokens) - len(parts) + 1):
                if all(fnmatchcase(t, p) for t, p in zip(tokens[i:], parts)) and not (
                        words.allowed_after and _allowed_after(words, tokens, i, pattern)):
                    return words.meaning
    return None


def check_column_names(columns: Iterable[object], file: str, *, household: bool,
                       allowed: Collection[str] = ()) -> list[Violation]:
    """A violation for every column (other than ``allowed`` spec columns) that may not be read."""
    out = []
    for c in columns:
        meaning = None if c in allowed else forbidden_column(c, household=household)
        if meaning:
            out.append(Violation(file, f"column not allowed: it looks like {meaning}; spreiding never reads "
                                       "nationality, ethnicity, religion or gender, nor names or other personal "
                                       "data of households (docs/DOMAIN.md); remove the column", column=str(c)))
    return out


# --------------------------------------------------------------------------------------------
# Reading and parsing
# --------------------------------------------------------------------------------------------

def read_input(source: str | Path | pd.DataFrame, file: str | None = None) -> tuple[pd.DataFrame, str]:
    """A table and its name for messages: a file (every cell as text) or a DataFrame as it is.

    Rows are numbered 0, 1, ... so that a row's number in messages is its position + 2.
    """
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), file or "input"
    return read_table(source).reset_index(drop=True), file or str(source)


def _text(column: pd.Series) -> pd.Series:
    """Cells as stripped text; empty / missing cells are ``""``."""
    return column.astype(object).where(column.notna(), "").astype(str).str.strip()


def _numbers(column: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers as Float64, empty mask); a numeric column is used as it is, text may use a decimal comma."""
    if is_numeric_dtype(column) and not is_bool_dtype(column):
        num = column.astype("Float64")
        return num, num.isna()
    raw = _text(column)
    empty = raw.eq("") | raw.str.lower().isin(EMPTY_WORDS)
    num = pd.to_numeric(raw.where(~empty).str.replace(",", ".", regex=False), errors="coerce")
    return num.astype("Float64"), empty


def _period(text: str) -> Period | None:
    try:
        return Period.parse(text)
    except ValueError:
        return None


#: Largest whole number a float64 (and so a parsed cell) holds exactly: 2**53.
MAX_EXACT_INT = 2**53


def _known_codes(kind: str) -> set[str]:
    from optimizer.data import dataset  # lazy: dataset validates its own files with this module

    return set(dataset.gemeente_codes()) if kind == "gm" else dataset.amr_codes()


def _parse_column(column: pd.Series, col: Col) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(typed values, empty mask, bad mask) of one present column."""
    false = pd.Series(False, index=column.index)
    if col.kind in ("int", "float"):
        num, empty = _numbers(column)
        ok = num.notna() & np.isfinite(num.fillna(0))
        if col.kind == "int":  # whole numbers an int64 holds exactly (1e30 is not one)
            ok &= (num == np.floor(num.fillna(0))) & num.abs().le(MAX_EXACT_INT).fillna(False)
        bad = ~empty & ~ok
        if col.min is not None:
            bad |= num.lt(col.min).fillna(False).astype(bool)
        if col.max is not None:
            bad |= num.gt(col.max).fillna(False).astype(bool)
        values = num.where(~bad)  # a rejected value never reaches the cross-row checks
        return (values.astype("Int64") if col.kind == "int" else values), empty, bad
    if col.kind == "bool" and is_bool_dtype(column):
        values = column.astype("boolean")
        return values, values.isna(), false
    if col.kind == "date" and is_datetime64_any_dtype(column):
        empty = column.isna()
        return column.dt.date.astype(object).where(~empty, None), empty, false
    raw = _text(column)
    empty = raw.eq("")
    if col.kind not in ("str", "list", "choice"):
        empty |= raw.str.lower().isin(EMPTY_WORDS)
    bad = false
    if col.kind in ("str", "list"):
        values = raw.where(~empty, "")
        if col.pattern:
            bad = ~empty & ~raw.str.fullmatch(col.pattern)
    elif col.kind == "bool":
        low = raw.str.lower()
        bad = ~empty & ~low.isin(TRUE_WORDS | FALSE_WORDS)
        values = low.map(lambda v: True if v in TRUE_WORDS else (False if v in FALSE_WORDS else pd.NA)).astype("boolean")
    elif col.kind == "date":
        # a date cell from Excel arrives as 'YYYY-MM-DD 00:00:00'
        text = raw.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$", r"\1", regex=True)
        parsed = pd.to_datetime(text.where(~empty), format="%Y-%m-%d", errors="coerce")
        bad = ~empty & parsed.isna()
        values = parsed.dt.date.astype(object).where(parsed.notna(), None)
    elif col.kind == "period":
        values = raw.map(lambda v: _period(v) if v else None)
        bad = ~empty & values.isna()
    elif col.kind in ("gm", "amr"):
        up = raw.str.upper()
        bad = ~empty & ~up.isin(_known_codes(col.kind))
        values = up.where(~empty, "")
    elif col.kind == "choice":
        bad = ~empty & ~raw.isin(col.choices)
        values = raw.where(~empty, "")
    else:  # pragma: no cover - programming error
        raise ValueError(col.kind)
    return values, empty, bad


def missing_columns(df: pd.DataFrame, cols: Sequence[Col], file: str) -> list[Violation]:
    """A violation for every required column of ``cols`` that ``df`` lacks."""
    found = ", ".join(map(str, df.columns))
    return [Violation(file, f"required column is missing (columns found: {found})", column=c.name)
            for c in cols if c.required and c.name not in df.columns]


#: Characters no cell may hold (they cannot be written to Excel, and are never part of an id or a value).
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def parse(df: pd.DataFrame, cols: Sequence[Col], file: str, *, personal: bool = False) -> tuple[pd.DataFrame, list[Violation]]:
    """Check presence and type of every column; return the typed frame and all violations.

    Columns that mean nationality, ethnicity, religion or gender are rejected; with ``personal``
    (household-level data) also names and other personal data (:func:`forbidden_column`).
    Columns not in ``cols`` are left out of the result; an absent optional column gets its
    default. Row numbers in violations are the frame's index + 2 (header = row 1).
    """
    violations = check_column_names(df.columns, file, household=personal, allowed={c.name for c in cols})
    violations += missing_columns(df, cols, file)
    out = pd.DataFrame(index=df.index)
    for col in cols:
        if col.name not in df.columns:
            if not col.required:
                out[col.name] = col.default
            continue
        values, empty, bad = _parse_column(df[col.name], col)
        if not col.nullable and col.kind != "list":  # a list may be empty (no adults / children)
            bad |= empty
        rules = pd.Series(_bad_value_rule(col), index=df.index).mask(empty & (not col.nullable), "required value is empty")
        violations += flag(bad, file, rules, col.name, df[col.name])
        control = df[col.name].astype(str).str.contains(CONTROL_CHARACTERS, regex=True) & ~bad
        violations += flag(control, file, "contains a control character; expected printable text", col.name,
                           df[col.name].astype(str).str.replace(CONTROL_CHARACTERS, "?", regex=True))
        out[col.name] = values
    return out, violations


def to_numpy_dtypes(frame: pd.DataFrame, cols: Iterable[Col]) -> pd.DataFrame:
    """Non-nullable int / float / bool columns as numpy int64 / float64 / bool (after validation)."""
    numpy = {"int": "int64", "float": "float64", "bool": bool}
    for c in cols:
        if c.kind in numpy and not c.nullable and c.name in frame.columns:
            frame[c.name] = frame[c.name].astype(numpy[c.kind])
    return frame


def validate_frame(df: pd.DataFrame, cols: Sequence[Col], file: str, *, personal: bool = False,
                   checks: Iterable[Check] = ()) -> pd.DataFrame:
    """:func:`parse` ``df`` and run ``checks`` on the typed frame; raise one :class:`InputError`
    listing every violation, or return the typed frame.

    The checks run once the columns are right (no missing or forbidden column); they see NA or
    ``""`` where a cell did not parse and must skip those rows.
    """
    out, violations = parse(df, cols, file, personal=personal)
    if not any(v.row is None for v in violations):
        for check in checks:
            violations += check(out, file)
    raise_if(violations)
    return out


def validate(source: str | Path | pd.DataFrame, cols: Sequence[Col], file: str | None = None, *,
             personal: bool = False, checks: Iterable[Check] = ()) -> tuple[pd.DataFrame, str]:
    """Read a table (path or frame, :func:`read_input`) and :func:`validate_frame` it.

    Returns the typed frame and the file name used in messages.
    """
    df, name = read_input(source, file)
    return validate_frame(df, cols, name, personal=personal, checks=checks), name


# --------------------------------------------------------------------------------------------
# Cross-row checks: each takes the typed frame (and the file name) and returns violations
# --------------------------------------------------------------------------------------------

def flag(mask: pd.Series, file: str, rule: str | pd.Series, column: str, values: pd.Series) -> list[Violation]:
    """One violation for every row where ``mask`` holds, showing that row of ``values`` as text.

    Rows are numbered from the frame's index (header = row 1); ``rule`` is one text or one per row.
    """
    hit = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
    if not len(hit):
        return []
    rules = rule.to_numpy()[hit] if isinstance(rule, pd.Series) else [rule] * len(hit)
    shown = _text(values.iloc[hit])
    return [Violation(file, str(r), row=int(label) + 2, column=column, value=v)
            for r, label, v in zip(rules, mask.index[hit], shown)]


def check_unique(frame: pd.DataFrame, file: str, columns: str | Sequence[str]) -> list[Violation]:
    """Every value of ``columns`` (or combination, shown joined by ``|``) at most once; rows
    with an empty key part are skipped."""
    names = [columns] if isinstance(columns, str) else list(columns)
    parts = [_text(frame[c]) for c in names]
    key = parts[0].str.cat(parts[1:], sep="|") if len(parts) > 1 else parts[0]
    filled = np.logical_and.reduce([p.ne("").to_numpy() for p in parts])
    dup = key.duplicated(keep=False) & filled
    return flag(dup, file, "duplicate value; must be unique", "+".join(names), key)


def check_complete(frame: pd.DataFrame, file: str, column: str, expected: Iterable[str], what: str) -> list[Violation]:
    """Every ``expected`` value (e.g. every gemeente) has a row; one violation naming the missing ones."""
    missing = sorted(set(expected) - set(frame[column]))
    if not missing:
        return []
    shown = ", ".join(missing[:20]) + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
    return [Violation(file, f"{what} missing (every {what} must have a row): {shown}", column=column)]


def check_known(frame: pd.DataFrame, file: str, column: str, known: Collection[str], rule: str) -> list[Violation]:
    """Every non-empty value of ``column`` is one of ``known`` (e.g. a household of the households file)."""
    values = frame[column]
    return flag(values.ne("") & ~values.isin(known), file, rule, column, values)

