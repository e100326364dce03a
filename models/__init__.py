"""Pure Pyomo formulations (no I/O): ``models.koppeling`` and ``models.reception``.

Conventions shared by both models:

* ``build_model(inputs)`` adds the families one after the other in a fixed order. A family is
  a small function ``add_<family>(m, inputs, ...)`` with its algebra in its docstring; the
  docstring names every component the family creates.
* A component's name is its attribute name (``m.quota_deviation`` is ``quota_deviation`` in
  LP files, solver reports and duals): snake_case ``<family>_<subject>`` (``dwelling_need``,
  ``site_size_max``, ``deviation_band_surplus``), or the bare family name for a family of one
  component (``link``, ``payment``). Index sets are capitals as in the algebra (``G``, ``GO``,
  ``SG``). The raw objective terms are the indexed expression ``objective_term[t]``, the
  objective is ``objective``.
* Families share derived data through explicit, frozen index objects built once in
  ``build_model`` and passed as arguments (:class:`models.koppeling.PairIndex`,
  :class:`models.koppeling.GemeenteIndex`, :class:`models.reception.ReceptionIndex`); the
  model holds Pyomo components only.
* No post-solve code: reading a solution back is done in ``optimizer.koppeling.extract`` and
  ``optimizer.reception.solve`` (integral_split) and ``optimizer.reception.extract`` (term_values).
* Every constraint family and the objective of both models have a golden LP snapshot
  (``tests/math``).
"""
