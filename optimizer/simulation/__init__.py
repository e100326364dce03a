"""Simulation of a half-year of weekly koppelingen (issue 10, ``docs/simulation.md``).

A *scenario* (:mod:`~optimizer.simulation.scenario`) draws one *world*: households arriving
week by week (:mod:`~optimizer.simulation.arrivals`), dwellings released week by week and the
housing delay after a link (:mod:`~optimizer.simulation.dwellings`). A *policy*
(:mod:`~optimizer.simulation.policies`) decides every week with what it knows that week; the
weekly loop (:mod:`~optimizer.simulation.weekly`) keeps the books. The hindsight optimum
(:mod:`~optimizer.simulation.hindsight`) solves the same model over the whole half-year at once.
:mod:`~optimizer.simulation.metrics` measures the outcome, :mod:`~optimizer.simulation.runner`
runs scenarios x policies x variants as Dask tasks, :mod:`~optimizer.simulation.charts` draws,
and :mod:`~optimizer.simulation.run` chains the stages of ``spreiding simulate``.
"""
