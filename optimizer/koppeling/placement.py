"""Generic placement inputs of the koppeling: scores per household and gemeente, named resources
with a capacity per gemeente, allowed sets, and the pruning of closed pairs (``docs/model.md``,
"Generic placement").

These turn validated frames into plain arrays for :func:`optimizer.koppeling.inputs.build_inputs`:

* :func:`score_matrix`: the employment score of every decision household at every gemeente,
  from the embedded score, a region file (household x arbeidsmarktregio) or a gemeente file
  (household x gemeente; a pair without a score is not allowed);
* :func:`resource_usage`: the use of each named resource by each household (built-in
  ``households`` = 1, ``persons``, ``adults``, ``children``; any other resource is a column of
  the households file);
* :func:`open_pairs`: which size types may go to which gemeente at all: a fitting dwelling, and
  room under every cap and resource capacity for one household (closed pairs generate no
  variable).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.koppeling import KoppelingInputs
from optimizer.core.errors import InputError, Violation
from optimizer.data import schemas
from optimizer.data.schemas import BUILTIN_RESOURCES
from optimizer.koppeling.objective import Assignment, evaluate
from optimizer.koppeling.scoring import employment_scores


@dataclass
class Scores:
    """Employment scores of the decision households.

    ``table``: households x columns (arbeidsmarktregio codes, or gemeente codes with
    ``level == "gemeente"``; NaN = no score, the pair is not allowed); ``column_of``: per
    gemeente (model order) its column in ``table``; ``exact``: given by the user (full
    precision), not the embedded score (rounded to its stated 4 decimals).
    """

    table: pd.DataFrame
    column_of: np.ndarray
    level: str
    exact: bool

    def at_gemeenten(self) -> np.ndarray:
        """Score of every household at every gemeente (households x gemeenten)."""
        return self.table.to_numpy(dtype=float)[:, self.column_of]

    def best(self) -> tuple[np.ndarray, pd.Series]:
        """Best score of every household and where (column label; '' when it has none)."""
        values = self.table.to_numpy(dtype=float)
        has = ~np.isnan(values).all(axis=1)
        best = np.where(has, np.where(np.isnan(values), -np.inf, values).max(axis=1, initial=-np.inf), np.nan)
        label = pd.Series([""] * len(self.table), index=self.table.index, dtype=object)
        if has.any():
            label[has] = self.table[has].idxmax(axis=1, skipna=True)
        return best, label


def score_matrix(decision: pd.DataFrame, scores: pd.DataFrame | None, gem: pd.DataFrame) -> Scores:
    """The scores of ``decision`` (households in model order) against the gemeenten of ``gem``.

    ``scores``: ``None`` (embedded score), or a user table from
    :func:`optimizer.koppeling.scoring.load_scores` whose ``attrs["level"]`` is ``"amr"`` or
    ``"gemeente"``.
    """
    level = "amr" if scores is None else scores.attrs.get("level", "amr")
    table = employment_scores(decision) if scores is None else scores.loc[decision.index]
    if level == "gemeente":
        table = table.reindex(columns=list(gem.index))
        column_of = np.arange(len(gem))
    else:
        position = {a: j for j, a in enumerate(table.columns)}
        column_of = np.array([position[a] for a in gem["amr_code"]], dtype=int)
    return Scores(table=table, column_of=column_of, level=level, exact=scores is not None)


def resource_usage(decision: pd.DataFrame, resources: list[str], usage: pd.DataFrame | None) -> np.ndarray:
    """(households, resources): the use of each resource by each decision household."""
    out = np.zeros((len(decision), len(resources)))
    for r, name in enumerate(resources):
        if name == "households":
            out[:, r] = 1.0
        elif name in BUILTIN_RESOURCES:
            out[:, r] = decision[name].to_numpy(dtype=float)
        else:
            assert usage is not None, f"no usage column for resource {name}"
            out[:, r] = usage[name].reindex(decision.index).to_numpy(dtype=float)
    return out


def capacity_matrix(capacities: pd.DataFrame | None, codes: list[str]) -> tuple[list[str], np.ndarray]:
    """Resource names (sorted) and their capacity per gemeente (gemeenten x resources, NaN = no cap)
    from a validated capacities table (gm_code, resource, capacity)."""
    if capacities is None or capacities.empty:
        return [], np.zeros((len(codes), 0))
    wide = capacities.pivot(index="gm_code", columns="resource", values="capacity").astype(float)
    names = sorted(wide.columns)
    return names, wide.reindex(index=codes, columns=names).to_numpy(dtype=float)


def open_pairs(size_persons: np.ndarray, size_class: np.ndarray, size_usage: np.ndarray, dwellings: np.ndarray,
               cap_persons: np.ndarray, cap_households: np.ndarray, resource_cap: np.ndarray) -> np.ndarray:
    r"""(size types, gemeenten) bool: one household of size type s fits gemeente g at all.

    Open iff g offers a dwelling of class :math:`\ge k_s` (a single may share a class-2 one,
    which is also :math:`\ge 1`), :math:`p_s \le C^p_g`, :math:`1 \le C^h_g` and
    :math:`u_{s,r} \le C_{g,r}` for every resource (missing caps are no limit). A closed pair
    can hold no household in any feasible solution, so dropping its variables leaves the
    optimum unchanged.
    """
    S, G = len(size_persons), len(dwellings)
    room = np.cumsum(dwellings[:, ::-1], axis=1)[:, ::-1]  # (G, 5): dwellings of class >= d
    ok = room[:, size_class - 1].T > 0 if S else np.zeros((0, G), dtype=bool)
    cp = np.where(np.isnan(cap_persons), np.inf, cap_persons)
    ok &= size_persons[:, None] <= cp[None, :] + 1e-9
    ch = np.where(np.isnan(cap_households), np.inf, cap_households)
    ok &= (ch >= 1 - 1e-9)[None, :]
    if resource_cap.size:
        rc = np.where(np.isnan(resource_cap), np.inf, resource_cap)  # (G, R)
        ok &= (size_usage[:, None, :] <= rc[None, :, :] + 1e-9).all(axis=2)
    return ok


# ------------------------------------------------------------------------------------------
# The generic-placement files of a run, read and checked together
# ------------------------------------------------------------------------------------------

@dataclass
class Placement:
    """The validated generic-placement inputs of a run (all optional) and notes for run.json."""

    allowed: pd.DataFrame | None = None
    capacities: pd.DataFrame | None = None
    usage: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def inputs(self) -> dict:
        """Keyword arguments of :func:`optimizer.koppeling.inputs.build_inputs`."""
        return {"allowed": self.allowed, "capacities": self.capacities, "usage": self.usage}


def load_placement(households_source, allowed_source, capacities_source, households: pd.DataFrame | None,
                   variant, scores_given: bool, violations: list[Violation]) -> Placement:
    """Read ``--allowed`` and ``--capacities`` (with the households' usage columns of the named
    resources) and check that the households file has every column the run needs
    (:func:`optimizer.data.schemas.check_needed_columns`); violations are appended, not raised."""
    out = Placement()
    if households is None:
        return out
    file = households.attrs.get("file", "households")
    if variant is not None:
        violations += schemas.check_needed_columns(households, file, scores_given=scores_given,
                                                   weights=variant.weights.model_dump())
    absent = [c for c in schemas.DOSSIER_COLUMNS if c in households.attrs.get("absent", ())]
    if absent:
        out.notes.append(f"the households file has no {' / '.join(absent)} column: every dossier taken as complete")

    def collect(read):
        try:
            return read()
        except InputError as exc:
            violations.extend(exc.violations)
            return None

    if allowed_source is not None:
        out.allowed = collect(lambda: schemas.load_allowed(allowed_source, households))
    if capacities_source is not None:
        out.capacities = collect(lambda: schemas.load_capacities(capacities_source))
        resources = schemas.capacity_resources(capacities_source) if out.capacities is None \
            else set(out.capacities["resource"])  # usage columns are checked even when a capacity row is wrong
        if resources - set(BUILTIN_RESOURCES):
            out.usage = collect(lambda: schemas.load_usage(households_source, resources, households))
    return out


def gap_of_change(inp: KoppelingInputs, objective: float | None, bound: float | None) -> dict:
    r"""The gap stated on the part of the objective that the decision changes.

    HiGHS's gap (``gap`` in run.json) is :math:`|z - b| / |z|` for objective z and bound b: it
    depends on constant offsets (the unplaced cost of households no gemeente can take, the
    deviation of gemeenten nobody can reach, a constant added to every score). With
    :math:`E` the objective of linking nobody (the trivial solution every solve starts from),
    :math:`E - b` is the most any solution can improve on it, and

    .. math:: \text{gap of change} = (z - b) / (E - b)

    the share of that possible improvement the returned solution may still miss (0 = proven
    optimal, 1 = no better than linking nobody); adding a constant to the objective changes
    neither.
    """
    n = len(inp.hh_unit)
    empty = evaluate(inp, Assignment(gemeente=np.full(n, -1, dtype=int), dwelling_class=np.zeros(n, dtype=int),
                                     shared=np.zeros(n, dtype=bool))).objective
    gap = None
    if objective is not None and bound is not None:
        room = empty - bound
        gap = max(0.0, (objective - bound) / room) if room > 1e-9 else 0.0
    return {"gap": gap, "objective_all_unplaced": empty,
            "definition": "(objective - bound) / (objective_all_unplaced - bound): the share of the largest possible "
                          "improvement on linking nobody that the proposal may still miss; unlike HiGHS's gap it does "
                          "not depend on constant offsets of the objective (docs/model.md, 'The gap')"}
