"""spreiding: transparent optimisation for the Dutch asylum chain.

Data flows one way:
files -> validated frames (``optimizer.core.tables``, ``optimizer.data.schemas``)
-> model inputs (``optimizer.koppeling.inputs`` ...) -> Pyomo model (``models``)
-> HiGHS (``optimizer.solve.highs``) -> solution -> explanations/metrics -> files and report.
"""

import time as _time

__version__ = "0.1.0"

#: ``time.perf_counter()`` when the package was first imported: the start of a command's clock
#: (``spreiding propose``'s time limit is for the whole command, :mod:`optimizer.koppeling.anytime`).
STARTED = _time.perf_counter()
