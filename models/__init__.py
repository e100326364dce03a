"""Pure Pyomo formulations (no I/O): ``models.koppeling`` and ``models.reception``."""
