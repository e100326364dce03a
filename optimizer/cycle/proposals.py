"""Accepting a koppeling proposal into the ledger, whole or with a planner's edits.

A proposal is the folder ``spreiding propose`` wrote: ``run.json`` (a
:class:`~optimizer.core.runrecord.RunRecord`) identifies it: its **run id** is the SHA-256 of
the ``run.json`` bytes. From ``proposal.csv`` only ``household_id``, ``status``, ``gm_code`` and
``persons`` are read; the rows with status ``linked`` are the proposal's links.

An edits file (:data:`EDIT_COLUMNS`: ``household_id``, ``gm_code``) changes them: a gemeente
links the household there (also a household the proposal left ``unplaced``), an empty gm_code
drops the link. A household whose dossier is incomplete (``excluded``) or that was linked
earlier (``context``) cannot be edited into a link.

The links are dated ``day`` (default: the proposal's ``as_of`` date in run.json) and belong to
the period of that day, which must be open in the ledger. A household is linked once: a
household the ledger already holds from another proposal is refused. Accepting the same
proposal again (same run id, same edits, same date) changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from optimizer.core.errors import InputError, Violation, raise_if
from optimizer.core.periods import Period
from optimizer.core.runrecord import RunRecord, sha256_file
from optimizer.cycle.ledger import Change, Ledger, read_strict
from optimizer.data.validation import Col, check_unique, flag, validate

STATUSES = ("linked", "unplaced", "excluded", "context")

#: The columns of proposal.csv the ledger reads (the file has more; they are not read).
PROPOSAL_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str"),
    Col("status", "choice", choices=STATUSES),
    Col("gm_code", "gm", nullable=True, help="gemeente of a linked household"),
    Col("persons", "int", min=1, max=30),
)

#: A planner's edits of a proposal.
EDIT_COLUMNS: tuple[Col, ...] = (
    Col("household_id", "str", help="a household of the proposal"),
    Col("gm_code", "gm", nullable=True, help="link the household here; empty = drop its link"),
)


@dataclass
class Proposal:
    """A proposal folder as the ledger reads it."""

    folder: Path
    run_id: str
    as_of: date | None
    table: pd.DataFrame  # PROPOSAL_COLUMNS, index household_id
    file: str  # proposal.csv path for messages
    sha256: str


def check_linked_have_gemeente(table: pd.DataFrame, file: str) -> list[Violation]:
    """A linked household has a gm_code."""
    return flag(table["status"].eq("linked") & table["gm_code"].eq(""), file,
                "a linked household needs a gm_code", "gm_code", table["gm_code"])


def read_proposal(folder: str | Path) -> Proposal:
    """Read a proposal folder: its run.json (the run id) and proposal.csv."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Violation(str(folder), "proposal folder not found"))
    run_json, csv = folder / "run.json", folder / "proposal.csv"
    missing = [Violation(str(f), "missing: a proposal folder holds run.json and proposal.csv as `spreiding propose` "
                                 "wrote them (run.json identifies the proposal)") for f in (run_json, csv)
               if not f.is_file()]
    raise_if(missing)
    try:
        record = RunRecord.model_validate(json.loads(run_json.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise InputError(Violation(str(run_json), f"not a run record of spreiding: {str(exc).splitlines()[0]}")) \
            from None
    as_of = getattr(record, "as_of", None)
    try:
        as_of = date.fromisoformat(as_of) if as_of else None
    except (TypeError, ValueError):
        raise InputError(Violation(str(run_json), "as_of is not a date YYYY-MM-DD", column="as_of",
                                   value=as_of)) from None
    table, name = validate(csv, PROPOSAL_COLUMNS, checks=(partial(check_unique, columns="household_id"),
                                                          check_linked_have_gemeente))
    table.index = table.index + 2  # spreadsheet rows, kept for messages
    return Proposal(folder, sha256_file(run_json), as_of, table, name, sha256_file(csv))


def read_edits(source: str | Path | pd.DataFrame, proposal: Proposal) -> pd.DataFrame:
    """A planner's edits, checked against the proposal: household_id -> gm_code ('' = drop)."""
    edits, name = read_strict(source, EDIT_COLUMNS, checks=(partial(check_unique, columns="household_id"),))
    status = edits["household_id"].map(proposal.table.set_index("household_id")["status"])
    raise_if(flag(status.isna(), name, "unknown household_id (not in the proposal)", "household_id",
                  edits["household_id"])
             + flag(status.eq("excluded"), name, "the household's dossier is incomplete (no BSN or IBAN): it cannot "
                                                 "be linked", "household_id", edits["household_id"])
             + flag(status.eq("context"), name, "the household was linked earlier (a context row of the proposal); "
                                                "it is not one of this proposal's links", "household_id",
                    edits["household_id"]))
    return edits


def accepted_links(proposal: Proposal, edits: pd.DataFrame | None) -> pd.DataFrame:
    """The links to record: household_id, gm_code, persons, proposed_gm (the proposal's gemeente,
    ``None`` when it had none), row (in proposal.csv); with the edits applied."""
    t = proposal.table
    links = pd.DataFrame({"household_id": t["household_id"], "gm_code": t["gm_code"].where(t["status"] == "linked", ""),
                          "persons": t["persons"].astype("int64"), "row": t.index})
    links["proposed_gm"] = links["gm_code"].replace("", None)
    if edits is not None:
        links["gm_code"] = links["household_id"].map(edits.set_index("household_id")["gm_code"]).fillna(
            links["gm_code"])
    return links[links["gm_code"] != ""].reset_index(drop=True)


def accept_proposal(ledger: Ledger, folder: str | Path, *, edits: str | Path | pd.DataFrame | None = None,
                    day: date | None = None) -> Change:
    """Record a proposal's links (with the planner's edits) in the ledger, in one transaction."""
    proposal = read_proposal(folder)
    edit_table = read_edits(edits, proposal) if edits is not None else None
    edits_sha = sha256_file(edits) if isinstance(edits, (str, Path)) else (
        _frame_sha(edit_table) if edit_table is not None else None)
    day = day or proposal.as_of
    if day is None:
        raise InputError(Violation("--date", f"{proposal.folder / 'run.json'} has no as_of date; give the date of "
                                             "the koppeling"))
    period = Period.of(day)
    ledger.require_open(period, "--date", day.isoformat())
    links = accepted_links(proposal, edit_table)
    with ledger.transaction("accept", period, input_sha256=proposal.run_id) as change:
        proposed = links["proposed_gm"].notna()
        change.summary = {"run_id": proposal.run_id, "folder": str(proposal.folder), "linked_on": day.isoformat(),
                          "households": len(links), "persons": int(links["persons"].sum()),
                          "edited": int((proposed & (links["gm_code"] != links["proposed_gm"])).sum()),
                          "added": int((~proposed).sum()),
                          "dropped": int(proposal.table["status"].eq("linked").sum() - proposed.sum())}
        before = ledger.one("SELECT linked_on, edits_sha256, proposal_sha256, change_id FROM proposals "
                            "WHERE run_id = ?", (proposal.run_id,))
        if before is not None:
            _same_acceptance(proposal, before, day, edits_sha, edits)
            change.summary["already_accepted_in_change"] = before[3]
            change.unchanged = True
            return change
        _check_not_linked(ledger, proposal, links)
        ledger.conn.execute(
            "INSERT INTO proposals (run_id, period, linked_on, folder, proposal_sha256, edits_sha256, households, "
            "persons, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (proposal.run_id, str(period), day.isoformat(), str(proposal.folder.resolve()), proposal.sha256,
             edits_sha, len(links), int(links["persons"].sum()), change.id))
        ledger.conn.executemany(
            "INSERT INTO koppelingen (household_id, period, gm_code, persons, linked_on, run_id, proposed_gm) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(h, str(period), g, int(p), day.isoformat(), proposal.run_id, pg)
             for h, g, p, pg in links[["household_id", "gm_code", "persons", "proposed_gm"]].itertuples(index=False)])
    return change


def _frame_sha(frame: pd.DataFrame) -> str:
    import hashlib

    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


def _same_acceptance(proposal: Proposal, before: tuple, day: date, edits_sha: str | None, edits: object) -> None:
    """Raise unless accepting again repeats the earlier acceptance exactly."""
    linked_on, before_edits, before_sha, change_id = before
    where = str(edits) if isinstance(edits, (str, Path)) else "--edits"
    if before_sha != proposal.sha256:
        raise InputError(Violation(proposal.file, f"this proposal (run {proposal.run_id[:12]}) was accepted in change "
                                                  f"{change_id}, and its proposal.csv has changed since"))
    if linked_on != day.isoformat():
        raise InputError(Violation("--date", f"this proposal (run {proposal.run_id[:12]}) was accepted in change "
                                             f"{change_id} dated {linked_on}", value=day.isoformat()))
    if before_edits != edits_sha:
        raise InputError(Violation(where, f"this proposal (run {proposal.run_id[:12]}) was accepted in change "
                                          f"{change_id} {'with other' if before_edits else 'without'} edits; it "
                                          "cannot be accepted again differently"))


def _check_not_linked(ledger: Ledger, proposal: Proposal, links: pd.DataFrame) -> None:
    """A household is linked once: refuse links of households the ledger already holds."""
    known = ledger.frame("SELECT household_id, gm_code, linked_on, run_id FROM koppelingen").set_index("household_id")
    hit = links[links["household_id"].isin(known.index)]
    raise_if([Violation(proposal.file, f"already linked to {known.at[h, 'gm_code']} on {known.at[h, 'linked_on']} "
                                       f"(run {known.at[h, 'run_id'][:12]}); a household is linked once",
                        row=int(r), column="household_id", value=h)
              for h, r in zip(hit["household_id"], hit["row"])])
