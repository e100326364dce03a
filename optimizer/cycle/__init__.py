"""The half-year cycle's memory: a ledger file of what was planned, linked and housed.

One SQLite file (standard library, no server) records per half-year the taakstelling used, every
accepted koppeling, housing realised and the carry-over into the next half-year, so that a weekly
run is ``ledger -> state -> propose -> accept``:

* :mod:`~optimizer.cycle.schema`: the tables, the schema version and the migrations;
* :mod:`~optimizer.cycle.ledger`: opening (and migrating) the file, one transaction per change;
* :mod:`~optimizer.cycle.periods`: opening a period (its taakstelling) and closing it (carry-over);
* :mod:`~optimizer.cycle.proposals`: accepting a proposal, whole or with a planner's edits;
* :mod:`~optimizer.cycle.housing`: housing realised, per household or per gemeente;
* :mod:`~optimizer.cycle.status`: a period's status on a date, and the next batch's state;
* :mod:`~optimizer.cycle.transfer`: export to plain files and import, losslessly.

See ``docs/ledger.md``.
"""
