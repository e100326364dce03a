"""Arrivals of a simulated half-year: which households get a permit when, and when their
dossier is complete.

* **Persons**: households are drawn from the synthetic generator
  (:func:`optimizer.data.synthetic.generate_households`, so composition, ties and nareizigers
  follow ``docs/households.md``) on the gemeenten of the scope, and taken in order until their
  persons reach the period's target (the taakstelling of the scope): the period's arrivals
  match the taakstelling.
* **Permit dates**: a share ``backlog_share`` already waits at the start (permit uniformly in
  the :data:`BACKLOG_DAYS` days before it); the others get a permit uniformly over the period
  up to its last batch date. A household is first considered in the first weekly batch on or
  after its permit date.
* **Dossiers**: households the generator draws with an incomplete dossier (no BSN and/or IBAN)
  complete it after ``1 + Geometric(p)`` weeks (:data:`COMPLETION_P`, mean 3 weeks); until
  then the engine excludes them and the baseline skips them.
* **Nareizigers** point to a referent linked before the period (the generator's referent
  rows, context of every batch): they arrive after their referent and must join its gemeente.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd

from optimizer.data import schemas
from optimizer.data.synthetic import generate_households

#: Days before the period in which the backlog's permits fall.
BACKLOG_DAYS = 84
#: Weekly probability that an incomplete dossier is completed [A].
COMPLETION_P = 1 / 3
#: Mean persons per household (synthetic generator), to size the pool drawn.
MEAN_PERSONS = 2.0


def draw_households(rng: np.random.Generator, seed: int, persons: int, gemeenten: pd.DataFrame,
                    reception: pd.Series) -> pd.DataFrame:
    """Typed households (index household_id) whose awaiting rows sum to at least ``persons``
    persons (the first rows of one generated pool), plus the referent rows they point to."""
    pool_n = int(math.ceil(persons / MEAN_PERSONS * 1.5)) + 20
    pool = generate_households(pool_n, seed, gemeenten=gemeenten, reception=reception)
    main = pool[pool["linked_gm"] == ""]
    take = int(np.searchsorted(main["persons"].cumsum().to_numpy(), persons) + 1) if persons > 0 else 0
    main = main.iloc[:take]
    refs = pool[pool["household_id"].isin(set(main["referent_id"]) - {""})]
    return schemas.load_households(pd.concat([main, refs], ignore_index=True))


def permit_dates(rng: np.random.Generator, n: int, start: date, last: date, backlog_share: float) -> list[date]:
    """Permit date per household: the backlog before ``start``, the rest uniform in [start, last]."""
    backlog = rng.random(n) < backlog_share
    before = rng.integers(1, BACKLOG_DAYS + 1, size=n)
    during = rng.integers(0, (last - start).days + 1, size=n)
    return [start - timedelta(days=int(b)) if k else start + timedelta(days=int(d))
            for k, b, d in zip(backlog, before, during)]


def completion_delay_days(rng: np.random.Generator, complete: np.ndarray) -> np.ndarray:
    """Days from permit to a complete dossier: 0 when complete, else 7 * (1 + Geometric)."""
    weeks = rng.geometric(COMPLETION_P, size=len(complete))
    return np.where(complete, 0, 7 * weeks).astype(np.int64)
