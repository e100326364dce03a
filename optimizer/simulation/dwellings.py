"""Dwellings of a simulated half-year: the offer released week by week, and the housing delay.

* **Offer** per gemeente and size class: the modelled half-year offer of the housing table
  (``optimizer.data.dataset.load_housing``, columns ``dwellings_c1..c5``) times the scenario's
  ``scale * offer_factor``; the realised offer is Poisson around it,
  :math:`D_{g,k} \\sim \\mathrm{Poisson}(\\lambda_{g,k})`, and each dwelling is released in a
  week drawn uniformly from the weeks of the period (:func:`release_schedule`).
* **Housing delay**: a linked household moves into its dwelling after a delay in weeks drawn
  from a log-normal distribution with median :data:`DELAY_MEDIAN_WEEKS` and shape
  :data:`DELAY_SIGMA`, chosen so that 20% are housed within the norm of 10 weeks plus 2 to move
  and 70% take longer than 14 weeks (COA: about 70% are not housed within 14 weeks;
  DOMAIN.md). The delay belongs to the household (drawn when it arrives) so every policy meets
  the same delays (common random numbers).
"""

from __future__ import annotations

import math

import numpy as np

#: The housing norm: 10 weeks from link to dwelling plus 2 weeks to move.
NORM_WEEKS = 12
#: Share of linked households housed within :data:`NORM_WEEKS` [A].
WITHIN_NORM_SHARE = 0.20
#: Share housed after more than 14 weeks (COA, January 2026: about 70%).
OVER_14_SHARE = 0.70
_Z_NORM = 0.8416212335729143  # standard normal quantile of 1 - WITHIN_NORM_SHARE
_Z_14 = 0.5244005127080407  # standard normal quantile of OVER_14_SHARE
#: Log-normal shape and median (weeks) solving P(X <= 12) = 0.2 and P(X > 14) = 0.7.
DELAY_SIGMA = math.log(14 / NORM_WEEKS) / (_Z_NORM - _Z_14)
DELAY_MEDIAN_WEEKS = 14 * math.exp(_Z_14 * DELAY_SIGMA)


def housing_delay_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Days from link to housed for ``n`` households: ``round(7 * X)``, X log-normal in weeks."""
    weeks = rng.lognormal(math.log(DELAY_MEDIAN_WEEKS), DELAY_SIGMA, size=n)
    return np.rint(7 * weeks).astype(np.int64)


def release_schedule(rng: np.random.Generator, offer: np.ndarray, weeks: int) -> np.ndarray:
    """Dwellings released per week: array (weeks, gemeenten, 5).

    ``offer`` (gemeenten, 5) is the expected half-year offer; the realised number is Poisson
    around it and every dwelling gets a release week uniformly at random.
    """
    realised = rng.poisson(np.clip(offer, 0, None))
    out = np.zeros((weeks, *offer.shape), dtype=np.int64)
    for (g, k), n in np.ndenumerate(realised):
        if n:
            out[:, g, k] = rng.multinomial(int(n), np.full(weeks, 1.0 / weeks))
    return out

