"""spreiding: transparent optimisation for the Dutch asylum chain.

Data flows one way:
files -> validated frames (``optimizer.core.tables``, ``optimizer.data.schemas``)
-> model inputs (``optimizer.koppeling.inputs`` ...) -> Pyomo model (``models``)
-> HiGHS (``optimizer.solve.highs``) -> solution -> explanations/metrics -> files and report.
"""

__version__ = "0.1.0"
