r"""Prices from sampled futures: the duals of the rest-of-period LP relaxation.

The look-ahead policy (:class:`optimizer.simulation.policies.LookAhead`) needs to know what a
free dwelling, a person linked to a gemeente and a household kept for later are worth to the
rest of the half-year. As in the dynamic refugee-placement literature (Ahani et al., "Dynamic
placement in refugee resettlement"; Bansak & Paulson, GeoMatch), the worth is an
*opportunity cost* learned from sampled futures:

1. for each of :math:`K` sampled futures :math:`\xi` (households still to arrive and dwellings
   still to be released, drawn with the policy's own seed), build the koppeling model of the
   rest of the half-year: the pending households and the sample, the half-year target still
   open :math:`T_g - \text{linked}_g`, the dwellings free now plus the drawn future ones,
   without the quota secant rows (``build_model(..., quota_secants=False)``: valid inequalities
   that would take part of the person price from the ``quota_deviation`` row);
2. relax its integer variables (:func:`relax`) and solve the LP with HiGHS, row duals on
   (:func:`lp_duals`): the dual :math:`y^\xi_{g,d} \le 0` of the dwelling-capacity row of
   gemeente g and class d (``dwelling_capacity[g, d]``, :math:`\sum_{k \le d} w_{g,k,d} +
   v_g[d=2] \le D_{g,d}`), the person price :math:`\pi^\xi_g` (minus the dual of
   ``quota_deviation[g]``) and the value :math:`\mu^\xi_u` of every unit (the dual of its
   balance row ``assign_unit[u]``);
3. average over the samples: :math:`\lambda_{g,d} = \frac1K \sum_\xi \max(0, -y^\xi_{g,d})`
   (:func:`average_prices`), :math:`\bar\pi_g`, :math:`\bar\mu_h` (of each household's unit).

The weekly model then pays :math:`\sum_{g,d} \lambda_{g,d} \cdot (\text{dwellings of class d
used in g})` (:func:`add_dwelling_prices`) and :math:`\sum_g \bar\pi_g \cdot \text{persons}_g`
(:func:`add_person_prices`) on top of its own objective, and leaving household h for later
costs :math:`\min(c_h, \bar\mu_h) + \text{patience}` (:func:`add_deferral_values`): a single
takes a class-3 dwelling only when that beats waiting for a class-1 dwelling the future will
bring, and the family that will need the class-3 dwelling next month finds it free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimizer.solve import highs
from optimizer.solve.highs import SolverOptions

#: Name of the priced expression added to a model by :func:`add_dwelling_prices`.
PRICE_TERM = "dwelling_price_term"
#: Name of the expression added by :func:`add_deferral_values`.
DEFERRAL_TERM = "deferral_term"
#: Name of the expression added by :func:`add_person_prices`.
PERSON_TERM = "person_price_term"


def relax(model: pyo.ConcreteModel) -> pyo.ConcreteModel:
    """The LP relaxation, in place: every integer or binary variable continuous within its bounds."""
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(model)
    return model


@dataclass
class LPDuals:
    """The duals the look-ahead uses, of one solved LP relaxation (model order)."""

    dwelling: np.ndarray  # (gemeenten, 5): y_{g,d} of dwelling_capacity (<= 0)
    person: np.ndarray  # per gemeente: pi_g = -dual of quota_deviation, the cost of one more person in g
    unit: dict[int, float]  # unit -> mu_u of assign_unit: the cost of one more household of unit u


def lp_duals(model: pyo.ConcreteModel, options: SolverOptions | None = None) -> LPDuals:
    """Solve ``model`` (already relaxed) as an LP. Returns (:class:`LPDuals`) the dual
    :math:`y_{g,d}` of every ``dwelling_capacity`` row as a (gemeenten, 5) array (0 where the
    row does not exist, i.e. g offers no class d); and the person price
    :math:`\\pi_g = -\\partial z / \\partial T_g` of the ``quota_deviation`` row
    (:math:`\\text{persons}_g - e^+_g + e^-_g = T_g`: one more person linked to g changes the
    optimum as one person less of target): negative while g is expected to stay under its
    target; and the dual :math:`\\mu_u` of every unit's balance row ``assign_unit[u]``
    (:math:`\\sum_o a_o + \\sum_h q_h = n_u`): what one more household of unit u costs the rest
    of the half-year. Raises ``RuntimeError`` when the LP has no optimum."""
    result = highs.solve(model, options, duals=True)
    if result.duals is None:
        raise RuntimeError(f"LP relaxation not solved to optimality (status {result.solver_status})")
    y = np.zeros((len(model.G), 5))
    if hasattr(model, "dwelling_capacity"):
        for (g, d), con in model.dwelling_capacity.items():
            y[g, d - 1] = result.duals.get(con.name, 0.0)
    pi = np.array([-result.duals.get(model.quota_deviation[g].name, 0.0) for g in model.G])
    mu = {int(u): result.duals.get(con.name, 0.0) for u, con in model.assign_unit.items()} \
        if hasattr(model, "assign_unit") else {}
    return LPDuals(dwelling=y, person=pi, unit=mu)


def average_prices(duals: list[np.ndarray]) -> np.ndarray:
    r""":math:`\lambda = \frac1K \sum_\xi \max(0, -y^\xi)` (a capacity row of a minimisation has
    :math:`y \le 0`; the clip removes rounding noise); zeros when no sample was solved."""
    if not duals:
        return np.zeros((0, 5))
    return np.mean([np.maximum(0.0, -y) for y in duals], axis=0)


def add_dwelling_prices(model: pyo.ConcreteModel, prices: np.ndarray) -> None:
    r"""Add :math:`\sum_{g,d} \lambda_{g,d} \cdot \text{lhs}(\texttt{dwelling\_capacity}[g,d])`
    (the dwellings of class d used in g, a shared dwelling once) to the objective, as the
    expression :data:`PRICE_TERM`; ``prices`` is (gemeenten in model order, 5)."""
    terms = []
    if hasattr(model, "dwelling_capacity"):
        for (g, d), con in model.dwelling_capacity.items():
            p = float(prices[g, d - 1])
            if p > 1e-9:
                terms.append(p * con.body)
    model.add_component(PRICE_TERM, pyo.Expression(expr=pyo.quicksum(terms) if terms else 0.0))
    model.objective.expr = model.objective.expr + model.component(PRICE_TERM)


def add_person_prices(model: pyo.ConcreteModel, prices: np.ndarray) -> None:
    r"""Add :math:`\sum_g \pi_g \cdot \text{persons}_g` (persons linked to g: the
    ``quota_deviation`` row's :math:`\text{persons}_g` part) to the objective, as the expression
    :data:`PERSON_TERM`; ``prices`` per gemeente in model order."""
    terms = []
    for g in model.G:
        p = float(prices[g])
        if abs(p) > 1e-9:
            terms.append(p * (model.quota_deviation[g].body + model.quota_over[g] - model.quota_under[g]))
    model.add_component(PERSON_TERM, pyo.Expression(expr=pyo.quicksum(terms) if terms else 0.0))
    model.objective.expr = model.objective.expr + model.component(PERSON_TERM)


def add_deferral_values(model: pyo.ConcreteModel, unplaced_cost: np.ndarray, deferral: np.ndarray) -> None:
    r"""Make leaving decision household h unlinked this week cost its deferral value
    :math:`v_h` instead of its unplaced cost :math:`c_h` (``unplaced`` + ``waiting``): adds
    :math:`\sum_h (v_h - c_h)\, q_h` (expression :data:`DEFERRAL_TERM`); ``deferral``
    :math:`v_h` per decision household in model order."""
    coef = np.asarray(deferral, dtype=float) - unplaced_cost
    q = model.assign_unplaced
    terms = [float(c) * q[h] for h, c in enumerate(coef) if abs(c) > 1e-9]
    model.add_component(DEFERRAL_TERM, pyo.Expression(expr=pyo.quicksum(terms) if terms else 0.0))
    model.objective.expr = model.objective.expr + model.component(DEFERRAL_TERM)
