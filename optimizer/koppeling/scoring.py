"""Transparent labour-market score: expected number of employed adults per household and region.

For every adult ``a`` of working age (18-64) and arbeidsmarktregio ``r``::

    p(a, r) = clip(E[edu(a)] + L[dutch(a)] + N[english(a)] + S(sector(a), r) + R(r), 0.02, 0.95)

* ``E``: base employment chance by education level;
* ``L``, ``N``: Dutch / English language bonus;
* ``S(s, r) = 0.10 * clip(share_r(s) / share_NL(s) - 1, -1, 1)``: the region's business share in
  the adult's work-experience sector against the national share (sector ``none`` -> 0);
* ``R(r) = 0.5 * (participation_r - participation_NL) / 100 - 0.02 * (ww_r - ww_NL)``: the
  region's net labour participation and WW rate (per 100 inhabitants) against the national
  average.

The household score is the **sum over adults** ``sum_a p(a, r)``: the expected number of employed
adults (the quantity Annie MOORE maximises). We sum rather than use "at least one adult
employed" because every employed adult counts for integration and income, the sum is linear
and additive (each adult's contribution can be shown), and it does not reward splitting
households. Scores are rounded to 4 decimals (the stated precision), which also makes
households with equal profiles exactly interchangeable.

Coefficients are documented assumptions, calibrated so that the national mean is about 0.3 per
adult (DOMAIN.md: about one in three statushouders aged 15-64 has paid work after several
years). No nationality, ethnicity, religion or gender enters: only education, sector
experience, language and age. Regional indicators are KWB 2021 (CBS), population-weighted
over the gemeenten of each region. A user may replace the scores with a file
(household_id, amr_code, score), or give them per gemeente (household_id, gm_code, score);
user scores are kept at full precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.data import dataset
from optimizer.data.schemas import UNKNOWN_HOUSEHOLD, split_list
from optimizer.data.validation import Col, check_known, check_unique, read_input, validate_frame

SECTOR_COLUMNS = {
    "agriculture": "sector_agriculture_pct",
    "industry_energy": "sector_industry_energy_pct",
    "trade_hospitality": "sector_trade_hospitality_pct",
    "transport_ict": "sector_transport_ict_pct",
    "finance_real_estate": "sector_finance_real_estate_pct",
    "business_services": "sector_business_services_pct",
    "public_education_health": "sector_public_education_health_pct",
    "culture_recreation_other": "sector_culture_recreation_other_pct",
}


@dataclass(frozen=True)
class ScoreCoefficients:
    """Coefficients of the employment score (documented assumptions, see module docstring)."""

    education: dict[str, float] = field(default_factory=lambda: {
        "basic": 0.16, "secondary": 0.22, "vocational": 0.28, "higher": 0.32})
    dutch: dict[str, float] = field(default_factory=lambda: {"0": 0.0, "A1": 0.03, "A2": 0.06, "B1": 0.10})
    english: dict[str, float] = field(default_factory=lambda: {"none": 0.0, "basic": 0.01, "good": 0.03})
    sector_match: float = 0.10
    participation: float = 0.5
    ww: float = 0.02
    working_age: tuple[int, int] = (18, 64)
    floor: float = 0.02
    cap: float = 0.95


def regional_indicators(gemeenten: pd.DataFrame | None = None) -> pd.DataFrame:
    """Population-weighted KWB indicators per arbeidsmarktregio (index amr_code, sorted)."""
    gem = dataset.load_gemeenten() if gemeenten is None else gemeenten
    cols = ["labour_participation_pct", "ww_per_100_inhabitants", *SECTOR_COLUMNS.values()]
    w = gem["population_2024"].astype(float)
    weighted = gem[cols].astype(float).mul(w, axis=0)
    agg = weighted.groupby(gem["amr_code"]).sum().div(w.groupby(gem["amr_code"]).sum(), axis=0)
    national = weighted.sum() / w.sum()
    agg.attrs["national"] = national
    return agg.sort_index()


def adult_probabilities(households: pd.DataFrame, regions: pd.DataFrame,
                        coef: ScoreCoefficients = ScoreCoefficients()) -> tuple[np.ndarray, np.ndarray]:
    """Per working-age adult and region: ``p(a, r)``; returns (household row index, matrix)."""
    national = regions.attrs["national"]
    region_term = (coef.participation * (regions["labour_participation_pct"] - national["labour_participation_pct"]) / 100
                   - coef.ww * (regions["ww_per_100_inhabitants"] - national["ww_per_100_inhabitants"])).to_numpy()
    sector_terms = {s: coef.sector_match * np.clip(regions[c].to_numpy() / national[c] - 1.0, -1.0, 1.0)
                    for s, c in SECTOR_COLUMNS.items()}
    zeros = np.zeros(len(regions))
    owners: list[int] = []
    rows: list[np.ndarray] = []
    lo, hi = coef.working_age
    columns = ("adult_ages", "education", "sector", "dutch_level", "english_level")
    for i, (ages, edu, sec, nl, en) in enumerate(zip(*(households[c].tolist() for c in columns))):
        for age, e, s, d, g in zip(split_list(ages), split_list(edu), split_list(sec), split_list(nl), split_list(en)):
            if not lo <= int(age) <= hi:
                continue
            base = coef.education[e] + coef.dutch[d] + coef.english[g]
            rows.append(np.clip(base + sector_terms.get(s, zeros) + region_term, coef.floor, coef.cap))
            owners.append(i)
    mat = np.vstack(rows) if rows else np.zeros((0, len(regions)))
    return np.asarray(owners, dtype=int), mat


def employment_scores(households: pd.DataFrame, gemeenten: pd.DataFrame | None = None,
                      coef: ScoreCoefficients = ScoreCoefficients()) -> pd.DataFrame:
    """Expected employed adults per household (rows, household order) and AMR (columns)."""
    regions = regional_indicators(gemeenten)
    owners, mat = adult_probabilities(households, regions, coef)
    scores = np.zeros((len(households), len(regions)))
    np.add.at(scores, owners, mat)
    return pd.DataFrame(np.round(scores, 4), index=households.index, columns=regions.index)


SCORE_COLUMNS = (Col("household_id", "str"),
                 Col("amr_code", "amr", help="region form: every household x arbeidsmarktregio"),
                 Col("score", "float", min=0, max=20, help="expected employed adults (any score: higher is better); "
                                                          "kept at full precision"))
GEMEENTE_SCORE_COLUMNS = (Col("household_id", "str"),
                          Col("gm_code", "gm", help="gemeente form: a pair without a row is not allowed"),
                          Col("score", "float", min=-1e9, max=1e9,
                              help="the household's predicted outcome in the gemeente (higher is better); "
                                   "kept at full precision"))


def load_scores(path: str | Path | pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """A user's own score file, at full precision, in one of two forms:

    * region form (household_id, amr_code, score): every household x arbeidsmarktregio;
    * gemeente form (household_id, gm_code, score): a pair without a row is not allowed (the
      file doubles as the compatibility table); every household needs at least one row.

    Returns households x columns (AMR or gemeente codes; NaN = no score); ``attrs["level"]`` is
    ``"amr"`` or ``"gemeente"``.
    """
    df, name = read_input(path)
    gemeente = "gm_code" in df.columns and "amr_code" not in df.columns
    cols, key = (GEMEENTE_SCORE_COLUMNS, "gm_code") if gemeente else (SCORE_COLUMNS, "amr_code")
    out = validate_frame(df, cols, name, personal=True)
    raise_if(check_known(out, name, "household_id", households.index, UNKNOWN_HOUSEHOLD)
             + check_unique(out, name, ("household_id", key)))
    wide = out.pivot(index="household_id", columns=key, values="score").astype(float)
    if gemeente:
        wide = wide.reindex(index=households.index, columns=dataset.gemeente_codes())
        none = wide.isna().all(axis=1)
        if none.any():
            raise InputError(Violation(name, f"every household needs a score for at least one gemeente; "
                                             f"{int(none.sum())} have none, e.g. {list(wide.index[none][:5])}",
                                       column="household_id"))
    else:
        amrs = sorted(dataset.load_gemeenten()["amr_code"].unique())
        wide = wide.reindex(index=households.index, columns=amrs)
        if wide.isna().any().any():
            missing = wide.isna().stack()
            first = missing[missing].index[:5].tolist()
            raise InputError(Violation(name, f"a score is needed for every household and arbeidsmarktregio; "
                                             f"missing {int(missing.sum())}, e.g. {first}"))
    wide.attrs["level"] = "gemeente" if gemeente else "amr"
    return wide
