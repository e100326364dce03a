"""Inequality measures: Lorenz curve, Gini and Theil indices, with optional weights.

Generic helpers, used for reception places per 1,000 inhabitants (weights = inhabitants) and
reusable for any other per-capita quantity (e.g. statushouders linked per gemeente).

Conventions, for values ``y_i >= 0`` with weights ``w_i > 0`` (default: all 1):

* **Lorenz curve**: sort units by ``y_i`` ascending; the points are
  ``(X_k, Y_k) = (sum_{i<=k} w_i / W, sum_{i<=k} w_i y_i / sum_i w_i y_i)`` starting at (0, 0).
  With population weights and ``y`` = places per inhabitant this is the share of places held by
  the share of inhabitants living in the least-hosting gemeenten.
* **Gini** = 1 - 2 * (area under the Lorenz curve), the area computed exactly by trapezoids
  between the points: ``G = 1 - sum_k (X_k - X_{k-1}) (Y_k + Y_{k-1})``. For ``n`` equal
  weights this is the usual ``sum_ij |y_i - y_j| / (2 n^2 mean)``; its maximum is ``(n-1)/n``.
* **Theil T** = ``sum_i (w_i / W) (y_i / mu) ln(y_i / mu)`` with ``mu`` the weighted mean and
  ``0 ln 0 = 0``; 0 for perfect equality, at most ``ln(W / w_min)``.

All-zero values give 0 for both indices (nothing to share unequally).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def _prepare(values: ArrayLike, weights: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float).ravel()
    if y.shape != w.shape:
        raise ValueError(f"values ({y.size}) and weights ({w.size}) differ in length")
    if y.size == 0:
        raise ValueError("no values")
    if not np.all(np.isfinite(y)) or not np.all(np.isfinite(w)):
        raise ValueError("values and weights must be finite")
    if np.any(y < 0):
        raise ValueError("values must be >= 0")
    if np.any(w <= 0):
        raise ValueError("weights must be > 0")
    return y, w


def lorenz_curve(values: ArrayLike, weights: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz points ``(X, Y)``, both starting at 0 and ending at 1 (length n + 1).

    Ties are ordered stably (input order), which does not change the curve's area.
    """
    y, w = _prepare(values, weights)
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    x_cum = np.concatenate([[0.0], np.cumsum(w)]) / w.sum()
    mass = w * y
    total = mass.sum()
    if total <= 0:
        y_cum = x_cum.copy()  # no mass at all: treat as equality
    else:
        y_cum = np.concatenate([[0.0], np.cumsum(mass)]) / total
    x_cum[-1] = 1.0
    y_cum[-1] = 1.0
    return x_cum, y_cum


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Gini index in [0, 1) from the exact area under the (weighted) Lorenz curve."""
    x, y = lorenz_curve(values, weights)
    area2 = float(np.sum(np.diff(x) * (y[1:] + y[:-1])))
    return max(0.0, 1.0 - area2)


def theil(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Theil T index (>= 0) of the (weighted) values; 0 for equality or all zeros."""
    y, w = _prepare(values, weights)
    share = w / w.sum()
    mu = float(np.sum(share * y))
    if mu <= 0:
        return 0.0
    r = y / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return max(0.0, float(np.sum(share * terms)))


def dissimilarity(actual: ArrayLike, reference: ArrayLike) -> float:
    """Share of the total that would have to move to turn ``actual`` into ``reference`` scaled
    to the same total: ``0.5 * sum_i |a_i / A - r_i / R|`` (0 = same distribution, 1 = disjoint)."""
    a = np.asarray(actual, dtype=float).ravel()
    r = np.asarray(reference, dtype=float).ravel()
    if a.shape != r.shape:
        raise ValueError("actual and reference differ in length")
    if a.sum() <= 0 or r.sum() <= 0:
        return 0.0
    return float(0.5 * np.abs(a / a.sum() - r / r.sum()).sum())
