"""Input schemas and validation: households, gemeente state, realisation, swaps, locks.

Each input table is described by a list of :class:`Col` specs (documented for users in
``docs/inputs.md``). :func:`parse` checks and converts every column at once and returns the
typed frame plus *all* violations; the ``load_*`` functions add the cross-row and
cross-table rules and raise one :class:`~optimizer.core.errors.InputError` listing everything
wrong (file, row, column, value, rule). Rows are numbered as in a spreadsheet: header = row 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation
from optimizer.core.periods import Period
from optimizer.core.tables import read_table
from optimizer.data import dataset
from optimizer.rules.dwellings import DWELLING_COLUMNS, required_class

EDUCATION_LEVELS = ("basic", "secondary", "vocational", "higher")
SECTORS = ("agriculture", "industry_energy", "trade_hospitality", "transport_ict", "finance_real_estate",
           "business_services", "public_education_health", "culture_recreation_other", "none")
DUTCH_LEVELS = ("0", "A1", "A2", "B1")
ENGLISH_LEVELS = ("none", "basic", "good")
TRUE_WORDS = {"true", "1", "yes", "ja", "y", "j", "waar"}
FALSE_WORDS = {"false", "0", "no", "nee", "n", "onwaar"}

#: Columns that may never be read (matched as substrings of the lower-cased column name): the
#: engine never uses them, and names are personal data. E.g. nationality, achternaam, surname,
#: birth_country, geslacht are all rejected in a households file.
FORBIDDEN_COLUMN_WORDS = ("nation", "ethni", "etni", "relig", "geloof", "godsdienst", "gender", "geslacht", "sex",
                          "sekse", "m_v", "birth", "geboorte", "country", "origin", "herkomst", "afkomst",
                          "burgerschap", "citizen", "race", "ras_", "passport", "paspoort", "name", "naam",
                          "voorletter", "initials")


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


def _rule_for(col: Col) -> str:
    rng = ""
    if col.min is not None and col.max is not None:
        rng = f" between {col.min:g} and {col.max:g}"
    elif col.min is not None:
        rng = f" >= {col.min:g}"
    elif col.max is not None:
        rng = f" <= {col.max:g}"
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


def parse(df: pd.DataFrame, cols: Sequence[Col], file: str, *, personal: bool = False) -> tuple[pd.DataFrame, list[Violation]]:
    """Check presence and type of every column; return the converted frame and all violations.

    With ``personal`` (household data) columns that look like names, nationality, ethnicity,
    religion or gender are rejected: the engine never reads them.
    """
    violations: list[Violation] = []
    present = set(df.columns)
    for c in df.columns if personal else ():
        low = str(c).lower()
        if any(w in low for w in FORBIDDEN_COLUMN_WORDS) and c not in {x.name for x in cols}:
            violations.append(Violation(file, "column not allowed: spreiding never reads names, nationality, "
                                        "ethnicity, religion or gender; remove the column", column=str(c)))
    missing = [c.name for c in cols if c.required and c.name not in present]
    for name in missing:
        violations.append(Violation(file, "required column is missing", column=name))
    out = pd.DataFrame(index=df.index)
    codes = set(dataset.gemeente_codes())
    amrs: set[str] | None = None
    rows = df.index.to_numpy() + 2
    for col in cols:
        if col.name not in present:
            if not col.required:
                out[col.name] = col.default
            continue
        column = df[col.name]
        raw = column.astype(object).where(column.notna(), "").astype(str).str.strip()
        empty = raw.eq("")
        if col.kind not in ("str", "list", "choice"):
            empty |= raw.str.lower().isin(["nan", "none", "null", "<na>"])
        bad = pd.Series(False, index=df.index)
        if col.kind in ("str", "list"):
            values: pd.Series = raw.where(~empty, "")
            if col.kind == "str" and not col.nullable:
                bad = empty
        elif col.kind == "int":
            num = pd.to_numeric(raw.where(~empty), errors="coerce")
            ok_int = num.notna() & (num == np.floor(num.fillna(0)))
            bad = ~empty & ~ok_int
            values = num.where(ok_int).astype("Int64")
        elif col.kind == "float":
            num = pd.to_numeric(raw.where(~empty).str.replace(",", ".", regex=False), errors="coerce")
            bad = ~empty & (num.isna() | ~np.isfinite(num.fillna(0)))
            values = num.astype("Float64")
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
            def _p(v: str) -> Period | None:
                try:
                    return Period.parse(v)
                except ValueError:
                    return None
            values = raw.map(lambda v: _p(v) if v else None)
            bad = ~empty & values.isna()
        elif col.kind == "gm":
            up = raw.str.upper()
            bad = ~empty & ~up.isin(codes)
            values = up.where(~empty, "")
        elif col.kind == "amr":
            if amrs is None:
                amrs = set(dataset.load_gemeenten()["amr_code"])
            up = raw.str.upper()
            bad = ~empty & ~up.isin(amrs)
            values = up.where(~empty, "")
        elif col.kind == "choice":
            bad = ~empty & ~raw.isin(col.choices)
            values = raw.where(~empty, "")
        else:  # pragma: no cover - programming error
            raise ValueError(col.kind)
        if col.kind in ("int", "float"):
            num_vals = values.astype("Float64")
            if col.min is not None:
                bad |= num_vals.lt(col.min).fillna(False).astype(bool)
            if col.max is not None:
                bad |= num_vals.gt(col.max).fillna(False).astype(bool)
        if not col.nullable and col.kind not in ("str", "list"):
            bad |= empty
        for i in np.flatnonzero(bad.to_numpy()):
            value = raw.iloc[i]
            rule = "required value is empty" if empty.iloc[i] and not col.nullable else _rule_for(col)
            violations.append(Violation(file, rule, row=int(rows[i]), column=col.name, value=value))
        out[col.name] = values
    return out, violations


def _read(path: str | Path | pd.DataFrame, file: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(path, pd.DataFrame):
        df = path.astype(object).where(path.notna(), "").astype(str).reset_index(drop=True)
        return df, file or "input"
    df = read_table(path)
    return df.reset_index(drop=True), file or str(path)


def _duplicates(series: pd.Series, file: str, column: str) -> list[Violation]:
    dup = series.duplicated(keep=False) & series.ne("")
    return [Violation(file, "duplicate value; must be unique", row=int(i) + 2, column=column, value=series.iloc[i])
            for i in np.flatnonzero(dup.to_numpy())]


# --------------------------------------------------------------------------------------------
# Households
# --------------------------------------------------------------------------------------------

HOUSEHOLD_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str", help="unique ID (no names: household data is personal data)"),
    Col("persons", "int", min=1, max=30, help="household size"),
    Col("adults", "int", min=1, max=30, help="persons aged 18 or over"),
    Col("children", "int", min=0, max=30, help="persons under 18"),
    Col("adult_ages", "list", help="';'-separated ages, one per adult, 18-120"),
    Col("child_ages", "list", required=False, default="", help="';'-separated ages, one per child, 0-17"),
    Col("size_class", "int", required=False, nullable=True, min=1, max=5, default=pd.NA,
        help="required dwelling class (1-5); at least the class the household size needs; empty = derived"),
    Col("education", "list", help=f"per adult: {', '.join(EDUCATION_LEVELS)}"),
    Col("sector", "list", help=f"per adult work-experience sector: {', '.join(SECTORS)}"),
    Col("dutch_level", "list", help=f"per adult: {', '.join(DUTCH_LEVELS)}"),
    Col("english_level", "list", help=f"per adult: {', '.join(ENGLISH_LEVELS)}"),
    Col("tie_family_gm", "gm", required=False, nullable=True, default="", help="first-degree relative lives there"),
    Col("tie_work_gm", "gm", required=False, nullable=True, default="", help="paid work / job offer there"),
    Col("tie_study_gm", "gm", required=False, nullable=True, default="", help="admitted to a study there"),
    Col("tie_medical_amr", "amr", required=False, nullable=True, default="",
        help="specific medical treatment available only in this arbeidsmarktregio"),
    Col("referent_id", "str", required=False, nullable=True, default="", help="nareiziger: household_id of the referent"),
    Col("linked_gm", "gm", required=False, nullable=True, default="",
        help="already linked earlier (context row, e.g. a referent); not re-linked"),
    Col("has_bsn", "bool", help="dossier has a BSN"),
    Col("has_iban", "bool", help="dossier has an IBAN"),
    Col("permit_date", "date", help="date the residence permit was granted"),
    Col("coa_location_gm", "gm", help="gemeente of the current COA location"),
)

_LIST_RULES: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "adult_ages": ("adults", lambda v: v.isascii() and v.isdigit() and 18 <= int(v) <= 120, "each age a whole number 18-120"),
    "child_ages": ("children", lambda v: v.isascii() and v.isdigit() and 0 <= int(v) <= 17, "each age a whole number 0-17"),
    "education": ("adults", lambda v: v in EDUCATION_LEVELS, f"each one of {', '.join(EDUCATION_LEVELS)}"),
    "sector": ("adults", lambda v: v in SECTORS, f"each one of {', '.join(SECTORS)}"),
    "dutch_level": ("adults", lambda v: v in DUTCH_LEVELS, f"each one of {', '.join(DUTCH_LEVELS)}"),
    "english_level": ("adults", lambda v: v in ENGLISH_LEVELS, f"each one of {', '.join(ENGLISH_LEVELS)}"),
}


def split_list(text: str) -> list[str]:
    """Split a ';'-separated cell into stripped items ('' -> [])."""
    return [t.strip() for t in str(text).split(";")] if str(text).strip() else []


def validate_households(df: pd.DataFrame, file: str = "households") -> pd.DataFrame:
    """Validate and type a households table; raise :class:`InputError` listing every violation.

    Rules: unique non-empty household_id; persons = adults + children; per-adult lists have one
    entry per adult and per-child ages one per child, in range; size_class at least the class
    the household size needs; every gemeente/AMR code known; a referent_id names another
    household of the file that is not itself a nareiziger; booleans and dates parse.
    """
    out, violations = parse(df, HOUSEHOLD_COLUMNS, file, personal=True)
    if any(v.column is not None and v.row is None for v in violations):
        raise InputError(violations)  # missing columns: further checks would only add noise
    violations += _duplicates(out["household_id"], file, "household_id")
    ok = out["persons"].notna() & out["adults"].notna() & out["children"].notna()
    mismatch = ok & (out["persons"] != out["adults"] + out["children"]).fillna(False)
    for i in np.flatnonzero(mismatch.to_numpy()):
        violations.append(Violation(file, f"persons must equal adults + children "
                                          f"({out['adults'].iloc[i]} + {out['children'].iloc[i]})",
                                    row=i + 2, column="persons", value=str(df['persons'].iloc[i])))
    for name, (count_col, item_ok, rule) in _LIST_RULES.items():
        counts = out[count_col]
        for i, text in enumerate(out[name]):
            items = split_list(text)
            n = counts.iloc[i]
            if pd.notna(n) and len(items) != int(n):
                violations.append(Violation(file, f"expected {int(n)} ';'-separated entries (one per {count_col[:-1]}),"
                                                  f" found {len(items)}", row=i + 2, column=name, value=text))
            elif any(not item_ok(v) for v in items):
                violations.append(Violation(file, rule, row=i + 2, column=name, value=text))
    need = pd.Series(required_class(out["persons"].fillna(1).astype(int).to_numpy()), index=out.index)
    small = out["size_class"].notna() & (out["size_class"].astype("Float64") < need).fillna(False)
    for i in np.flatnonzero(small.to_numpy()):
        violations.append(Violation(file, f"size_class must be at least {need.iloc[i]} for {out['persons'].iloc[i]} persons",
                                    row=i + 2, column="size_class", value=str(df['size_class'].iloc[i])))
    out["size_class"] = out["size_class"].astype("Float64").fillna(need.astype(float)).astype("int64")
    ids = pd.Series(out.index, index=out["household_id"])
    is_nareiziger = out["referent_id"].ne("")
    for i in np.flatnonzero(is_nareiziger.to_numpy()):
        ref = out["referent_id"].iloc[i]
        if ref == out["household_id"].iloc[i]:
            violations.append(Violation(file, "a household cannot be its own referent", row=i + 2, column="referent_id", value=ref))
        elif ref not in ids.index:
            violations.append(Violation(file, "referent missing: no household with this household_id in the file",
                                        row=i + 2, column="referent_id", value=ref))
        else:
            j = ids[ref]
            j = int(j.iloc[0]) if isinstance(j, pd.Series) else int(j)
            if out["referent_id"].iloc[j] != "":
                violations.append(Violation(file, "the referent is itself a nareiziger (chains are not allowed)",
                                            row=i + 2, column="referent_id", value=ref))
    if violations:
        raise InputError(violations)
    out["persons"] = out["persons"].astype("int64")
    out["adults"] = out["adults"].astype("int64")
    out["children"] = out["children"].astype("int64")
    out["has_bsn"] = out["has_bsn"].astype(bool)
    out["has_iban"] = out["has_iban"].astype(bool)
    return out.set_index("household_id", drop=False)


def load_households(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Read and validate a households file (CSV/XLSX/Parquet); index household_id."""
    df, name = _read(path, file)
    return validate_households(df, name)


# --------------------------------------------------------------------------------------------
# Gemeente state (input of a koppeling run)
# --------------------------------------------------------------------------------------------

STATE_COLUMNS: tuple[Col, ...] = (
    Col("gm_code", "gm"),
    Col("target", "float", min=0, help="persons to link in this batch (pace target incl. carry-over)"),
    *(Col(c, "int", min=0, help=f"dwellings of class {c[-1]} available") for c in DWELLING_COLUMNS),
    Col("housing_pressure", "float", required=False, nullable=True, min=0, max=1, default=pd.NA,
        help="0 (relaxed) - 1 (tight); empty = embedded modelled index"),
    Col("cap_persons", "float", required=False, nullable=True, min=0, default=pd.NA,
        help="maximum persons linked in this batch (leefbaarheid); empty = no cap"),
    Col("cap_households", "float", required=False, nullable=True, min=0, default=pd.NA,
        help="maximum households linked in this batch; empty = no cap"),
    Col("taakstelling", "int", required=False, nullable=True, default=pd.NA, help="half-year taakstelling (information)"),
    Col("linked", "int", required=False, nullable=True, min=0, default=pd.NA, help="persons linked so far this half-year"),
)


def validate_state(df: pd.DataFrame, file: str = "state") -> pd.DataFrame:
    """Validate a gemeente state table: every gemeente of the dataset exactly once."""
    out, violations = parse(df, STATE_COLUMNS, file)
    if any(v.column is not None and v.row is None for v in violations):
        raise InputError(violations)
    violations += _duplicates(out["gm_code"], file, "gm_code")
    missing = sorted(set(dataset.gemeente_codes()) - set(out["gm_code"]))
    if missing:
        shown = ", ".join(missing[:20]) + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
        violations.append(Violation(file, f"every gemeente must have a row; missing: {shown}", column="gm_code"))
    if violations:
        raise InputError(violations)
    out = out.set_index("gm_code").sort_index()
    pressure = dataset.load_housing()["housing_pressure"]
    out["housing_pressure"] = out["housing_pressure"].astype("Float64").fillna(pressure.reindex(out.index).astype("Float64")).astype(float)
    for c in DWELLING_COLUMNS:
        out[c] = out[c].astype("int64")
    out["target"] = out["target"].astype(float)
    return out


def load_state(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    df, name = _read(path, file)
    return validate_state(df, name)


# --------------------------------------------------------------------------------------------
# Realisation, swaps, linked-so-far, locks, previous proposal
# --------------------------------------------------------------------------------------------

REALISED_COLUMNS = (
    Col("gm_code", "gm"),
    Col("period", "period"),
    Col("housed", "int", min=0, help="persons housed in that half-year"),
    Col("target", "int", required=False, nullable=True, default=pd.NA,
        help="that half-year's target; empty = statutory taakstelling recomputed"),
)


def load_realised(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Persons housed per gemeente in earlier half-years (for achterstand/voorsprong)."""
    df, name = _read(path, file)
    out, violations = parse(df, REALISED_COLUMNS, name)
    if not any(v.row is None for v in violations):
        parsed = out["period"].notna() & out["gm_code"].ne("")
        key = (out["gm_code"] + "|" + out["period"].astype(str)).where(parsed, "")
        violations += _duplicates(key, name, "gm_code+period")
    if violations:
        raise InputError(violations)
    out.attrs["file"] = name
    return out


SWAP_COLUMNS = (
    Col("swap_id", "str", help="agreement identifier; each agreement's deltas sum to 0"),
    Col("gm_code", "gm"),
    Col("delta", "int", help="persons added (+) to or taken (-) from this gemeente's taakstelling"),
)


def load_swaps(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Uitruil agreements (art. 29(2)); rejected unless each agreement sums to zero."""
    df, name = _read(path, file)
    out, violations = parse(df, SWAP_COLUMNS, name)
    if not violations:
        sums = out.groupby("swap_id", sort=True)["delta"].sum()
        for sid, total in sums.items():
            if int(total) != 0:
                violations.append(Violation(name, f"the deltas of this swap sum to {int(total)}; "
                                                  "an uitruil must keep the sum unchanged (0)",
                                            column="swap_id", value=sid))
        key = out["swap_id"] + "|" + out["gm_code"]
        violations += _duplicates(key, name, "swap_id+gm_code")
    if violations:
        raise InputError(violations)
    out["delta"] = out["delta"].astype("int64")
    out.attrs["file"] = name
    return out


LINKED_COLUMNS = (Col("gm_code", "gm"), Col("linked", "int", min=0, help="persons linked so far this half-year"))


def _load_keyed(path: str | Path | pd.DataFrame, file: str | None, cols: Sequence[Col], key: str,
                value: str) -> pd.Series:
    """A two-column table read as a Series ``key -> value``; every key at most once."""
    df, name = _read(path, file)
    out, violations = parse(df, cols, name)
    if not violations:
        violations += _duplicates(out[key], name, key)
    if violations:
        raise InputError(violations)
    return out.set_index(key)[value]


def load_linked(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.Series:
    """Persons linked so far this half-year: gm_code -> persons."""
    return _load_keyed(path, file, LINKED_COLUMNS, "gm_code", "linked").astype("int64")


LOCK_COLUMNS = (
    Col("household_id", "str"),
    Col("gm_code", "gm"),
    Col("action", "choice", choices=("fix", "forbid"), help="fix: link here; forbid: never link here"),
)


def linked_family_gemeenten(households: pd.DataFrame) -> dict[str, set[str]]:
    """Household -> gemeenten where its family already lives: the gemeente of its referent,
    if that was linked earlier, and those of its nareizigers linked earlier. A family is never
    split (nareizigers go to their referent; DOMAIN.md), so such a household may go only there.
    ``households`` is a validated households frame (index household_id)."""
    out: dict[str, set[str]] = {}
    linked = households["linked_gm"]
    for hid, ref in zip(households.index, households["referent_id"]):
        if ref and ref in households.index:
            if linked[ref]:  # a nareiziger whose referent was linked earlier
                out.setdefault(hid, set()).add(linked[ref])
            if linked[hid]:  # a referent whose nareiziger was linked earlier
                out.setdefault(ref, set()).add(linked[hid])
    return out


def load_locks(path: str | Path | pd.DataFrame, households: pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Planner locks: fix or forbid household-gemeente pairs."""
    df, name = _read(path, file)
    out, violations = parse(df, LOCK_COLUMNS, name)
    if not violations:
        for i, hid in enumerate(out["household_id"]):
            if hid not in households.index:
                violations.append(Violation(name, "unknown household_id (not in the households file)",
                                            row=i + 2, column="household_id", value=hid))
        fixes = out[out["action"] == "fix"]
        dup = fixes["household_id"].duplicated(keep=False)
        for i in fixes.index[dup.to_numpy()]:
            violations.append(Violation(name, "a household can be fixed to one gemeente only", row=int(i) + 2,
                                        column="household_id", value=out["household_id"].iloc[i]))
        key = out["household_id"] + "|" + out["gm_code"]
        violations += _duplicates(key, name, "household_id+gm_code")
        # families are never split: a lock may not move a household away from family members
        # that are already linked
        family = linked_family_gemeenten(households)
        for i, (hid, gm, action) in enumerate(zip(out["household_id"], out["gm_code"], out["action"])):
            if hid not in households.index:
                continue
            if households.at[hid, "linked_gm"]:
                violations.append(Violation(name, f"household {hid} was already linked to {households.at[hid, 'linked_gm']}"
                                                  "; a lock cannot change an earlier koppeling", row=i + 2,
                                            column="household_id", value=hid))
                continue
            if not (households.at[hid, "has_bsn"] and households.at[hid, "has_iban"]):
                violations.append(Violation(name, f"household {hid} has an incomplete dossier (no BSN or IBAN) and "
                                                  "cannot be linked; remove the lock", row=i + 2,
                                            column="household_id", value=hid))
                continue
            family_gms = family.get(hid, set())
            if family_gms and ((action == "fix" and gm not in family_gms) or (action == "forbid" and gm in family_gms)):
                violations.append(Violation(
                    name, f"household {hid} must join its family (referent or nareizigers linked earlier) in "
                          f"{', '.join(sorted(family_gms))}; this lock would separate the family",
                    row=i + 2, column="gm_code", value=gm))
    if violations:
        raise InputError(violations)
    return out


PREVIOUS_COLUMNS = (Col("household_id", "str"), Col("gm_code", "gm", nullable=True))


def load_previous(path: str | Path | pd.DataFrame, file: str | None = None) -> pd.Series:
    """A previous proposal (its proposal.csv): household_id -> gm_code ('' = not linked)."""
    return _load_keyed(path, file, PREVIOUS_COLUMNS, "household_id", "gm_code")


def describe(cols: Iterable[Col]) -> str:
    """Markdown table of a schema (used to generate docs/inputs.md)."""
    lines = ["| column | type | required | rule | meaning |", "|---|---|---|---|---|"]
    for c in cols:
        lines.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'}"
                     f"{' (empty allowed)' if c.nullable else ''} | {_rule_for(c)} | {c.help} |")
    return "\n".join(lines)
