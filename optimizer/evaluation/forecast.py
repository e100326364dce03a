"""Forecast of arrivals per gemeente over the next two months, and children by age band for
schools (docs/monitoring.md, "Forecast").

The pipeline holds households expected to get a permit in the coming two months. Household
``h`` (``persons_h``, children ``c_hb`` in age band ``b``) gets its permit with probability
``p_h`` (``probability``, default 1) and is then linked, within about two weeks, to gemeente
``g`` with probability ``q_hg``:

* ``q_hg = 1`` for the gemeente already known for ``h``: its ``gm_code`` in the pipeline (a
  nareiziger's referent, a tie), else its gemeente in a proposal (linked rows) or the ledger;
* otherwise ``q_hg = s_g``: the share of the remaining task, ``s_g = w_g / sum w`` with ``w``
  the persons still to link per gemeente (the ledger's ``to_link`` on the date), else the batch
  targets of the proposal, else the statutory taakstelling of the date's half-year (population
  shares).

Expected persons in ``g``: ``E_g = sum_h p_h q_hg persons_h`` (and ``sum_h p_h q_hg c_hb`` per age
band); over all gemeenten ``sum_g E_g = sum_h p_h persons_h``, the expected size of the pipeline.
Month 1 holds the households whose expected permit date lies in the first 30 days from the date
(or before it), month 2 the rest. Arrival means the koppeling, the notice to the gemeente and its
schools; moving in follows within the gemeente's 10 + 2 weeks.

Uncertainty: households are independent; :data:`DRAWS` seeded Monte-Carlo draws of (permit
yes/no, gemeente) give the 5 % and 95 % quantiles per gemeente and region (a 90 % interval).
Children keep their present age (the horizon is two months).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.core.errors import Violation
from optimizer.data import dataset
from optimizer.data.schemas import split_list
from optimizer.data.validation import Col, check_unique, flag, validate
from optimizer.koppeling.tables import AGE_BANDS

#: Days after the date that make up the horizon and its first month.
HORIZON_DAYS, MONTH_DAYS = 61, 30
#: Monte-Carlo draws for the intervals, and their seed (same input, same output).
DRAWS, SEED = 2000, 20260101
QUANTILES = (0.05, 0.95)
BANDS = tuple(f"children_{lo}_{hi}" for lo, hi in AGE_BANDS)

PIPELINE_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str", help="unique ID (no names)"),
    Col("persons", "int", min=1, max=30),
    Col("children", "int", min=0, max=30, help="persons under 18"),
    Col("child_ages", "list", required=False, default="", help="';'-separated ages, one per child, 0-17"),
    Col("expected_permit", "date", help="expected date of the residence permit"),
    Col("probability", "float", required=False, nullable=True, min=0, max=1, default=1.0,
        help="chance the permit comes within the two months (default 1)"),
    Col("gm_code", "gm", required=False, nullable=True, default="",
        help="gemeente already known (a nareiziger's referent, a tie); empty = not known"),
)


def check_children(frame: pd.DataFrame, file: str) -> list[Violation]:
    """``child_ages`` has one whole age 0-17 per child."""
    def bad(row) -> bool:
        ages = split_list(row["child_ages"])
        return len(ages) != int(row["children"]) or not all(a.isdigit() and 0 <= int(a) <= 17 for a in ages)

    mask = frame.apply(bad, axis=1) if len(frame) else pd.Series(dtype=bool)
    return flag(mask, file, "expected one age 0-17 per child (children), ';'-separated", "child_ages",
                frame["child_ages"])


def check_horizon(frame: pd.DataFrame, file: str, as_of: date) -> list[Violation]:
    """Every expected permit date lies on or before the end of the horizon."""
    end = as_of + timedelta(days=HORIZON_DAYS - 1)
    late = frame["expected_permit"].map(lambda d: d is not None and d > end)
    return flag(late, file, f"after the forecast horizon (two months from {as_of}: up to {end}); leave the "
                            "household out", "expected_permit", frame["expected_permit"].astype(str))


def load_pipeline(path: str | Path | pd.DataFrame, as_of: date, file: str | None = None) -> pd.DataFrame:
    """The pipeline file, typed and checked (household ids only)."""
    out, _ = validate(path, PIPELINE_COLUMNS, file, personal=True,
                      checks=(partial(check_unique, columns="household_id"), check_children,
                              partial(check_horizon, as_of=as_of)))
    out["probability"] = out["probability"].astype("Float64").fillna(1.0).astype(float)
    return out


def band_counts(pipeline: pd.DataFrame) -> np.ndarray:
    """Children per household and age band (households x bands)."""
    out = np.zeros((len(pipeline), len(AGE_BANDS)), dtype=np.int64)
    for i, text in enumerate(pipeline["child_ages"]):
        for a in split_list(text):
            for b, (lo, hi) in enumerate(AGE_BANDS):
                out[i, b] += lo <= int(a) <= hi
    return out


@dataclass
class Assignment:
    """Where each pipeline household goes: a known gemeente index (or -1) and the shares for
    the others, over ``codes``."""

    codes: list[str]
    known: np.ndarray
    shares: np.ndarray
    population_fallback: bool = False  # the weights summed to 0: population shares used


def assignment(pipeline: pd.DataFrame, weights: pd.Series, known: pd.Series | None = None) -> Assignment:
    """Known gemeente per household (pipeline ``gm_code`` first, then ``known``: household_id ->
    gm_code) and the shares ``s_g`` from ``weights`` (population when they sum to 0)."""
    codes = dataset.gemeente_codes()
    pos = {c: i for i, c in enumerate(codes)}
    gm = pipeline["gm_code"].where(pipeline["gm_code"].ne(""), None)
    if known is not None:
        gm = gm.fillna(pipeline["household_id"].map(known))
    w = weights.reindex(codes, fill_value=0).clip(lower=0).to_numpy(float)
    fallback = bool(w.sum() <= 0)
    if fallback:
        w = dataset.load_population(dataset.available_population_dates()[-1]).reindex(codes).to_numpy(float)
    idx = np.array([pos.get(g, -1) if isinstance(g, str) else -1 for g in gm], dtype=np.int64)
    return Assignment(codes, idx, w / w.sum(), fallback)


def month_of(pipeline: pd.DataFrame, as_of: date) -> np.ndarray:
    """1 for an expected permit within the first 30 days from ``as_of`` (or before it), else 2."""
    first_end = as_of + timedelta(days=MONTH_DAYS)
    return np.array([1 if d < first_end else 2 for d in pipeline["expected_permit"]])


def expected(pipeline: pd.DataFrame, asg: Assignment, as_of: date) -> pd.DataFrame:
    """Expected households, persons (per month) and children per band per gemeente (exact
    sums, module text)."""
    n_g = len(asg.codes)
    p = pipeline["probability"].to_numpy(float)
    q = np.tile(asg.shares, (len(pipeline), 1))
    fixed = asg.known >= 0
    q[fixed] = 0.0
    q[np.flatnonzero(fixed), asg.known[fixed]] = 1.0
    pq = p[:, None] * q  # households x gemeenten
    persons = pipeline["persons"].to_numpy(float)
    month = month_of(pipeline, as_of)
    bands = band_counts(pipeline).astype(float)
    out = pd.DataFrame({"gm_code": asg.codes, "expected_households": pq.sum(axis=0),
                        "expected_persons": persons @ pq,
                        "persons_month_1": (persons * (month == 1)) @ pq,
                        "persons_month_2": (persons * (month == 2)) @ pq})
    for b, name in enumerate(BANDS):
        out[name] = bands[:, b] @ pq
    out["expected_children"] = out[list(BANDS)].sum(axis=1)
    assert out.shape[0] == n_g
    return out


def draws(pipeline: pd.DataFrame, asg: Assignment, seed: int = SEED, n: int = DRAWS) -> tuple[np.ndarray, np.ndarray]:
    """Monte-Carlo draws of persons and children per gemeente: two arrays (draws x gemeenten)."""
    rng = np.random.default_rng(seed)
    n_h, n_g = len(pipeline), len(asg.codes)
    p = pipeline["probability"].to_numpy(float)
    persons = pipeline["persons"].to_numpy(float)
    children = pipeline["children"].to_numpy(float)
    cum = np.cumsum(asg.shares)
    out_p, out_c = np.zeros((n, n_g)), np.zeros((n, n_g))
    for start in range(0, n, 250):
        k = min(250, n - start)
        permitted = rng.random((k, n_h)) < p
        where = np.minimum(np.searchsorted(cum, rng.random((k, n_h)) * cum[-1], side="right"), n_g - 1)
        where = np.where(asg.known >= 0, asg.known, where)
        flat = (np.arange(k)[:, None] * n_g + where).ravel()
        out_p[start:start + k] = np.bincount(flat, (permitted * persons).ravel(), k * n_g).reshape(k, n_g)
        out_c[start:start + k] = np.bincount(flat, (permitted * children).ravel(), k * n_g).reshape(k, n_g)
    return out_p, out_c


def _intervals(samples: np.ndarray, prefix: str) -> dict[str, np.ndarray]:
    lo, hi = np.quantile(samples, QUANTILES, axis=0)
    return {f"{prefix}_p05": lo, f"{prefix}_p95": hi}


def forecast(pipeline: pd.DataFrame, asg: Assignment, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per gemeente and per region (COROP, the school-relevant region here, and province):
    expected values and 90 % intervals."""
    gem = dataset.load_gemeenten()
    table = expected(pipeline, asg, as_of)
    sample_p, sample_c = draws(pipeline, asg)
    for key, arr in {**_intervals(sample_p, "persons"), **_intervals(sample_c, "children")}.items():
        table[key] = arr
    table.insert(1, "gm_naam", gem.loc[asg.codes, "gm_naam"].to_numpy())
    table.insert(2, "provincie", gem.loc[asg.codes, "provincie"].to_numpy())
    table.insert(3, "corop_code", gem.loc[asg.codes, "corop_code"].to_numpy())
    regions = []
    for kind, code_col, name_col in (("corop", "corop_code", "corop_naam"), ("provincie", "provincie", "provincie")):
        member = gem.loc[asg.codes, code_col].to_numpy()
        names = gem.groupby(code_col)[name_col].first()
        for code in sorted(set(member)):
            m = member == code
            row = {"region_type": kind, "region_code": code, "region_name": names[code],
                   **table.loc[m, ["expected_households", "expected_persons", "persons_month_1", "persons_month_2",
                                   *BANDS, "expected_children"]].sum().to_dict()}
            row.update({k: float(v) for k, v in _intervals(sample_p[:, m].sum(axis=1), "persons").items()})
            row.update({k: float(v) for k, v in _intervals(sample_c[:, m].sum(axis=1), "children").items()})
            regions.append(row)
    return table.round(6), pd.DataFrame(regions).round(6)
