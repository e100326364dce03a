"""An independent check that every clause of every ``reason`` in a proposal is true of its
household.

A reason is written three ways (``optimizer.koppeling.clauses``): the text in the run's language
(``reason``), the clause codes (``reason_codes``) and the clauses with their values as JSON
(``reason_values``). This checker verifies each clause *by its code and values* against the
inputs (``support.checker.Instance``), the proposal's own columns and an independent
re-evaluation of moves (``support.checker.evaluate``), language-neutrally; and that the text and
the codes are exactly the rendering of those clauses (in Dutch or English), so a text cannot say
more than the checked values. An unknown code is a problem too, so a new kind of clause cannot go
unchecked.
"""

from __future__ import annotations

import math

import pandas as pd

from optimizer.data import dataset
from optimizer.koppeling.clauses import codes, from_json, render
from optimizer.report.strings import LANGS
from support.checker import CLASSES, Instance, evaluate, gemeente_zones, waiting_tolerance

TOL = 1e-6  # values are written with 6 decimals
ALT_TOL = 1e-3  # alternatives' deltas are written with 4 decimals (plus the months' rounding: waiting_tolerance)


def _links(proposal: pd.DataFrame) -> dict[str, str]:
    return {h: (str(g) if s == "linked" else "") for h, g, s in
            zip(proposal["household_id"], proposal["gm_code"], proposal["status"])}


def _group(inst: Instance, hid: str) -> list[str]:
    return next((g for g in inst.groups() if hid in g), [hid])


def _move_costs(inst: Instance, links: dict[str, str], hid: str) -> dict[str, float]:
    """Objective change of linking ``hid``'s group to each allowed gemeente, others unchanged."""
    base, _ = evaluate(inst, links)
    group = _group(inst, hid)
    out = {}
    for g in sorted(set.intersection(*(inst.allowed(x) for x in group))):
        moved, _ = evaluate(inst, {**links, **dict.fromkeys(group, g)})
        out[g] = moved - base
    return out


def _free(inst: Instance, proposal: pd.DataFrame, g: str) -> list[float]:
    """Free dwellings per class at g after the proposal (a shared dwelling counts once)."""
    used = [0.0] * len(CLASSES)
    for r in proposal[(proposal["status"] == "linked") & (proposal["gm_code"] == g)].to_dict("records"):
        shared = str(r["shared_dwelling"]).lower() == "true"
        used[int(r["dwelling_class"]) - 1] += 0.5 if shared else 1.0
    return [inst.st[g].dwellings[d] - used[d] for d in range(len(CLASSES))]


def _fits_somewhere(inst: Instance, links: dict[str, str], group: list[str], allowed: set[str]) -> list[str]:
    """Allowed gemeenten where the group and the households linked there can all be housed."""
    return [g for g in sorted(allowed) if inst.dwelling_cost(
        tuple([inst.hh[x].need for x, gx in links.items() if gx == g] + [inst.hh[x].need for x in group]), g) < math.inf]


def _rule_ok(inst: Instance, hid: str, rule: dict) -> bool:
    """A restriction named in a 'no gemeente is allowed' reason applies to the household."""
    h, code = inst.hh[hid], rule["code"]
    if code == "rule_hard_tie":
        return inst.ties == "hard" and set(rule["gm_codes"]) == set(h.ties)
    if code == "rule_medical_region":
        return inst.medical == "hard" and rule["amr_code"] == h.medical
    if code == "rule_locks_forbid":
        return set(rule["gm_codes"]) == inst.forbid.get(hid, set())
    if code == "rule_family_linked":  # its referent's gemeente, or its nareizigers', linked earlier
        ref = inst.hh.get(h.referent)
        family = {ref.linked_gm} if ref is not None and ref.linked_gm else set()
        family |= {x.linked_gm for x in inst.hh.values() if x.referent == hid and x.linked_gm}
        return bool(family) and rule["gm_codes"] == sorted(family)
    return code in ("rule_allowed_set", "rule_restrictions")


def unplaced_problems(inst: Instance, proposal: pd.DataFrame, r: dict, c: dict) -> list[str]:
    """The clause that says why an unplaced household is not linked, checked by its code and values."""
    hid, code = r["household_id"], c["code"]
    h = inst.hh[hid]
    group = _group(inst, hid)
    allowed = set.intersection(*(inst.allowed(x) for x in group))
    links = _links(proposal)
    names = dataset.load_gemeenten()["gm_naam"]
    tol = ALT_TOL + waiting_tolerance(inst)
    ok = True
    if code == "no_gemeente_rules":
        ok = not inst.allowed(hid) and all(_rule_ok(inst, hid, rule) for rule in c["rules"])
    elif code == "no_common_gemeente_referent":
        ref = c["referent_id"]
        ok = h.referent == ref and ref in group and not allowed
    elif code == "no_common_gemeente_nareiziger":
        n = c["nareiziger_id"]
        ok = inst.hh[n].referent == hid and n in group and not allowed
    elif code == "nothing_allowed":
        ok = not allowed
    elif code == "no_free_dwelling":
        ok = c["needed_class"] == h.need and bool(allowed) and not _fits_somewhere(inst, links, group, allowed)
    elif code == "caps_reached":
        feasible = {g: x for g, x in _move_costs(inst, links, hid).items() if x < math.inf}
        # no link is possible, yet a dwelling fits somewhere (else it is the dwelling reason)
        ok = not feasible and bool(_fits_somewhere(inst, links, group, allowed))
    elif code == "solver_stopped":
        cost = _move_costs(inst, links, hid).get(c["gm_code"], math.inf)
        ok = cost < 0 and abs(cost + c["points"]) < tol and c["gm_naam"] == names[c["gm_code"]]
    elif code == "costs_more_than_waiting":
        costs = {g: x for g, x in _move_costs(inst, links, hid).items() if x < math.inf}
        cheapest = min(costs.values()) if costs else math.nan
        ok = (bool(costs) and cheapest >= -TOL and abs(cheapest - c["points"]) < tol
              and abs(costs.get(c["gm_code"], math.inf) - cheapest) < tol and c["gm_naam"] == names[c["gm_code"]])
    else:
        return [f"{hid}: unknown reason code for an unplaced household: {code!r}"]
    return [] if ok else [f"{hid}: untrue clause {c!r}"]


def _labour_ok(inst: Instance, hid: str, g: str, c: dict) -> bool:
    """A labour clause: the scores here and at best, where the best is, and the digits shown."""
    if inst.scores is None:  # the embedded scores: not re-derived here
        return True
    zones = gemeente_zones()
    s = inst.scores.loc[hid].astype(float)
    here, best = float(s[zones.loc[g, "amr_code"]]), float(s.max())
    if abs(c["here"] - here) > TOL:
        return False
    if c["code"] == "labour_best":
        return here >= best - 1e-9
    digits = 2 if f"{here:.2f}" != f"{best:.2f}" else 4
    return (abs(c["best"] - best) <= TOL and c["best_amr"] == s.idxmax() and c["digits"] == digits
            and (c["code"] == "labour_score" or here < best - 1e-9))


def linked_clause_problems(inst: Instance, proposal: pd.DataFrame, gemeenten: pd.DataFrame, r: dict,
                           c: dict) -> list[str]:
    """One clause of a linked household's reason, checked by its code and values."""
    hid, g, code = r["household_id"], r["gm_code"], c["code"]
    h = inst.hh[hid]
    zones = gemeente_zones()
    names = dataset.load_gemeenten()["gm_naam"]
    gem = gemeenten.set_index("gm_code")
    tie_columns = {"family": "tie_family_gm", "work": "tie_work_gm", "study": "tie_study_gm"}
    ok: bool
    if code == "linked":
        ok = c["gm_code"] == g and c["gm_naam"] == names[g]
    elif code == "lock_fixed_here":
        ok = inst.fix.get(hid) == g
    elif code == "lock_forbids":
        ok = set(c["gm_codes"]) == inst.forbid.get(hid, set()) and g not in c["gm_codes"]
    elif code == "joins_referent":
        ref = c["referent_id"]
        ok = h.referent == ref and (_links(proposal).get(ref) or inst.hh[ref].linked_gm) == g
    elif code == "tie_there":
        row = inst.households.loc[hid]
        ok = bool(c["ties"]) and c["ties"] == [t for t, col in tie_columns.items() if str(row[col]) == g]
    elif code == "tie_overridden_by_lock":
        ok = inst.fix.get(hid) == g and bool(h.ties) and g not in h.ties
    elif code == "hard_tie_overridden_medical":
        in_med = {t for t in h.ties if zones.loc[t, "amr_code"] == h.medical}
        ok = (inst.ties == inst.medical == "hard" and c["amr_code"] == h.medical and not in_med
              and zones.loc[g, "amr_code"] == h.medical and g not in h.ties)
    elif code == "hard_tie_overridden_family":
        ok = inst.ties == "hard" and g in c["gm_codes"] and g not in h.ties
    elif code == "tie_not_honoured_soft":
        ok = inst.ties == "soft" and bool(h.ties) and g not in h.ties
    elif code in ("medical_inside", "medical_outside_soft"):
        inside = zones.loc[g, "amr_code"] == h.medical
        ok = c["amr_code"] == h.medical != "" and (inside if code == "medical_inside"
                                                   else not inside and inst.medical == "soft")
    elif code == "target_progress":
        ok = (c["persons"] == h.persons and c["gm_code"] == g and c["gm_naam"] == names[g]
              and c["after"] == int(gem.loc[g, "persons"]) and c["before"] == c["after"] - c["persons"]
              and abs(c["target"] - inst.st[g].target) < TOL)
    elif code == "dwelling_as_needed":
        ok = c["dwelling_class"] == h.need == int(r["dwelling_class"]) and str(r["shared_dwelling"]).lower() != "true"
    elif code in ("dwelling_larger_none_smaller", "dwelling_larger_smaller_free"):
        d, k = c["dwelling_class"], c["needed_class"]
        free = _free(inst, proposal, g)
        none_free = all(free[x - 1] <= 0 for x in range(k, d))
        ok = d == int(r["dwelling_class"]) and k == h.need and d > k and none_free == code.endswith("none_smaller")
    elif code == "dwelling_shared":
        ok = str(r["shared_dwelling"]).lower() == "true" and h.need == 1 and int(r["dwelling_class"]) == 2
    elif code in ("labour_best", "labour_worse", "labour_score"):
        ok = _labour_ok(inst, hid, g, c)
    elif code == "coa_stays":
        ok = zones.loc[g, "coa_region"] == zones.loc[h.coa_gm, "coa_region"] == c["coa_region"]
    elif code == "coa_moves":
        ok = (zones.loc[h.coa_gm, "coa_region"], zones.loc[g, "coa_region"]) == (c["coa_from"], c["coa_to"]) \
            and c["coa_from"] != c["coa_to"]
    elif code == "next_best":
        alt = str(r["alt1_gm_code"])
        ok = alt == c["gm_code"] and names[alt] == c["gm_naam"] and abs(float(r["alt1_delta"]) - c["points"]) < TOL
    else:
        return [f"{hid}: unknown clause code {code!r}"]
    return [] if ok else [f"{hid}: untrue clause {c!r}"]


def _modifier_problems(inst: Instance, r: dict, clauses: list[dict]) -> list[str]:
    """The clauses after an unplaced household's reason: who moves with it, and its locks."""
    hid, problems = r["household_id"], []
    for c in clauses:
        if c["code"] == "moves_together":
            ok = sorted(c["household_ids"]) == sorted(x for x in _group(inst, hid) if x != hid)
        elif c["code"] == "lock_not_honoured":
            ok = inst.fix.get(hid) == c["gm_code"]
        elif c["code"] == "lock_forbids":
            ok = set(c["gm_codes"]) == inst.forbid.get(hid, set())
        else:
            problems.append(f"{hid}: unknown clause code after the reason of an unplaced household: {c['code']!r}")
            continue
        if not ok:
            problems.append(f"{hid}: untrue clause {c!r}")
    return problems


def _excluded_problems(inst: Instance, r: dict, clauses: list[dict]) -> list[str]:
    hid = r["household_id"]
    h = inst.hh[hid]
    if [c["code"] for c in clauses[:1]] != ["excluded"] or len(clauses) != 2:
        return [f"{hid}: an excluded household's reason is 'excluded' and why: {clauses!r}"]
    c = clauses[1]
    row = inst.households.loc[hid]
    if c["code"] == "incomplete_dossier":
        missing = [name for name, col in (("BSN", "has_bsn"), ("IBAN", "has_iban")) if not bool(row[col])]
        ok = bool(missing) and c["missing"] == missing
    elif c["code"] == "referent_excluded":
        ok = h.complete and c["referent_id"] == h.referent and inst.status.get(h.referent) == "excluded"
    else:
        return [f"{hid}: unknown reason code for an excluded household: {c['code']!r}"]
    return [] if ok else [f"{hid}: untrue clause {c!r}"]


def _text_problems(r: dict, clauses: list[dict]) -> list[str]:
    """The text and the codes are the rendering of the clauses (in one of the languages)."""
    hid, problems = r["household_id"], []
    try:
        texts = {render(clauses, lang) for lang in LANGS}
    except KeyError as exc:  # an unknown code or a missing value
        return [f"{hid}: clauses that have no words: {exc}"]
    if str(r["reason"]) not in texts:
        problems.append(f"{hid}: the reason text is not the rendering of its clauses: {r['reason']!r}")
    if str(r["reason_codes"]) != codes(clauses):
        problems.append(f"{hid}: reason_codes {r['reason_codes']!r} are not the clauses' {codes(clauses)!r}")
    return problems


def reason_problems(inst: Instance, proposal: pd.DataFrame, gemeenten: pd.DataFrame) -> list[str]:
    """Every clause of every household's reason that is not true of it (or not known)."""
    problems = []
    for r in proposal.to_dict("records"):
        clauses = from_json(str(r["reason_values"]))
        problems += _text_problems(r, clauses)
        hid, status = r["household_id"], r["status"]
        first = [c["code"] for c in clauses[:1]]
        if status == "unplaced":
            if first != ["not_linked"] or len(clauses) < 2:
                problems.append(f"{hid}: an unplaced household's reason starts 'not_linked' and says why")
                continue
            problems += unplaced_problems(inst, proposal, r, clauses[1])
            problems += _modifier_problems(inst, r, clauses[2:])
        elif status == "linked":
            if first != ["linked"]:
                problems.append(f"{hid}: a linked household's reason starts 'linked'")
            codes_here = [c["code"] for c in clauses]
            if ("lock_fixed_here" in codes_here) != (hid in inst.fix) or \
                    ("lock_forbids" in codes_here) != bool(inst.forbid.get(hid)):
                problems.append(f"{hid}: the reason does not name exactly the household's locks: {codes_here}")
            for c in clauses:
                problems += linked_clause_problems(inst, proposal, gemeenten, r, c)
        elif status == "excluded":
            problems += _excluded_problems(inst, r, clauses)
        elif [c["code"] for c in clauses] != ["linked_earlier"] or clauses[0]["gm_code"] != inst.hh[hid].linked_gm:
            problems.append(f"{hid}: a context row's reason is 'linked_earlier' at its linked_gm: {clauses!r}")
    return problems
