"""spreiding: transparent optimisation for the Dutch asylum chain.

Data flows one way:
files -> validated frames (``optimizer.tables``, ``optimizer.schemas``)
-> model inputs (``optimizer.koppeling_inputs`` ...) -> Pyomo model (``models``)
-> HiGHS (``optimizer.solver``) -> solution -> explanations/metrics -> files and report.
"""

__version__ = "0.1.0"
