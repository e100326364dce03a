"""An independent check that every clause of every ``reason`` in a proposal is true of its
household: each clause the engine can print is recognised here by its words and verified
against the inputs (``support.checker.Instance``), the proposal's own columns and an independent
re-evaluation of moves (``support.checker.evaluate``). An unrecognised clause is a problem too,
so a new kind of reason cannot go unchecked."""

from __future__ import annotations

import math
import re

import pandas as pd

from optimizer.data import dataset
from support.checker import CLASSES, Instance, evaluate, gemeente_zones


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


def unplaced_problems(inst: Instance, proposal: pd.DataFrame, r: dict, text: str) -> list[str]:
    hid = r["household_id"]
    h = inst.hh[hid]
    group = _group(inst, hid)
    allowed = set.intersection(*(inst.allowed(x) for x in group))
    links = _links(proposal)
    problems = []
    if text.startswith("no gemeente is allowed"):
        if allowed:
            problems.append(f"{hid}: says no gemeente allowed, but {sorted(allowed)[:3]} are")
    elif m := re.match(r"no free dwelling of class (\d) or larger in any allowed gemeente", text):
        if int(m.group(1)) != h.need or not allowed:
            problems.append(f"{hid}: wrong class or no gemeente allowed at all: {text}")
        for g in allowed:
            needs = [inst.hh[x].need for x, gx in links.items() if gx == g] + [inst.hh[x].need for x in group]
            if inst.dwelling_cost(tuple(needs), g) < math.inf:
                problems.append(f"{hid}: a dwelling for it can be found in {g}")
    elif text.startswith("every allowed gemeente with a fitting free dwelling has reached its cap"):
        costs = _move_costs(inst, links, hid)
        feasible = {g: c for g, c in costs.items() if c < math.inf}
        fits = [g for g in allowed if inst.dwelling_cost(
            tuple([inst.hh[x].need for x, gx in links.items() if gx == g] + [inst.hh[x].need for x in group]), g) < math.inf]
        if feasible or not fits:  # a link is possible, or no dwelling fits anywhere (a different reason)
            problems.append(f"{hid}: cap reason, but links are possible ({feasible}) or nothing fits ({fits})")
    elif m := re.match(r"the solver stopped \(.*\) before linking it: linking it to .* \((GM\d{4})\) would lower "
                       r"the objective by ([\d.]+) points", text):
        cost = _move_costs(inst, links, hid).get(m.group(1), math.inf)
        if not cost < 0 or abs(cost + float(m.group(2))) > 0.06:
            problems.append(f"{hid}: solver-stopped reason, but linking to {m.group(1)} costs {cost}")
    elif m := re.match(r"linking it anywhere, all other links unchanged, would cost more than waiting for the next "
                       r"batch \(cheapest: .*, \+([\d.]+) points\)", text):
        costs = {g: c for g, c in _move_costs(inst, links, hid).items() if c < math.inf}
        if not costs or min(costs.values()) < -1e-6 or abs(min(costs.values()) - float(m.group(1))) > 0.06:
            problems.append(f"{hid}: 'costs more than waiting', but the links cost {costs}")
    else:
        problems.append(f"{hid}: unrecognised reason for an unplaced household: {text!r}")
    return problems


def linked_clause_problems(inst: Instance, proposal: pd.DataFrame, gemeenten: pd.DataFrame, r: dict,
                           clause: str) -> list[str]:
    hid, g = r["household_id"], r["gm_code"]
    h = inst.hh[hid]
    zones = gemeente_zones()
    names = dataset.load_gemeenten()["gm_naam"]
    gem = gemeenten.set_index("gm_code")
    ok: bool
    if m := re.match(r"Linked to (.*) \((GM\d{4})\)( \(.*\))?$", clause):
        ok = m.group(2) == g and m.group(1) == names[g]
        locks = m.group(3) or ""
        if "fixed here by a planner's lock" in locks:
            ok &= inst.fix.get(hid) == g
        if "forbids" in locks:
            ok &= bool(inst.forbid.get(hid)) and g not in inst.forbid[hid]
        if not locks:
            ok &= hid not in inst.fix and hid not in inst.forbid
    elif m := re.match(r"joins referent (\S+)$", clause):
        ref = m.group(1)
        ok = h.referent == ref and (_links(proposal).get(ref) or inst.hh[ref].linked_gm) == g
    elif m := re.match(r"((?:family|work|study)(?: and (?:family|work|study))*) tie there$", clause):
        cols = {"family": "tie_family_gm", "work": "tie_work_gm", "study": "tie_study_gm"}
        row = inst.households.loc[hid]
        ok = all(str(row[cols[t]]) == g for t in m.group(1).split(" and "))
    elif clause == "tie elsewhere overridden by a lock":
        ok = inst.fix.get(hid) == g and bool(h.ties) and g not in h.ties
    elif m := re.match(r"hard tie elsewhere overridden by its medical region (\S+) \(hard\)$", clause):
        in_med = {t for t in h.ties if zones.loc[t, "amr_code"] == h.medical}
        ok = (inst.ties == inst.medical == "hard" and m.group(1) == h.medical and not in_med
              and zones.loc[g, "amr_code"] == h.medical and g not in h.ties)
    elif m := re.match(r"hard tie elsewhere overridden by its family already linked to (.*)$", clause):
        ok = inst.ties == "hard" and g in m.group(1).split(", ") and g not in h.ties
    elif clause == "tie elsewhere not honoured (soft tie)":
        ok = inst.ties == "soft" and bool(h.ties) and g not in h.ties
    elif clause in ("within its medical region", "outside its medical region (soft)"):
        inside = zones.loc[g, "amr_code"] == h.medical
        ok = bool(h.medical) and (inside if clause.startswith("within") else (not inside and inst.medical == "soft"))
    elif m := re.match(r"(\d+) person\(s\) bring (.*) from (\d+) to (\d+) of its batch target (\d+)$", clause):
        p, before, after, target = (int(m.group(i)) for i in (1, 3, 4, 5))
        ok = (p == h.persons and m.group(2) == names[g] and after == int(gem.loc[g, "persons"])
              and before == after - p and target == inst.st[g].target)
    elif m := re.match(r"class-(\d) dwelling as needed$", clause):
        ok = int(m.group(1)) == h.need == int(r["dwelling_class"]) and str(r["shared_dwelling"]).lower() != "true"
    elif m := re.match(r"class-(\d) dwelling \(needs class (\d), (none smaller free|a smaller one is still free)\)$",
                       clause):
        d, k = int(m.group(1)), int(m.group(2))
        free = _free(inst, proposal, g)
        none_free = all(free[c - 1] <= 0 for c in range(k, d))
        ok = d == int(r["dwelling_class"]) and k == h.need and d > k and none_free == (m.group(3) == "none smaller free")
    elif clause == "shares a class-2 dwelling with another single adult":
        ok = str(r["shared_dwelling"]).lower() == "true" and h.need == 1 and int(r["dwelling_class"]) == 2
    elif m := re.match(r"best labour region for this household \(([\d.]+) expected employed adults\)$", clause):
        ok = inst.scores is None or (abs(inst.scores.loc[hid].max() - float(m.group(1))) < 0.006 and (
            inst.scores.loc[hid, zones.loc[g, "amr_code"]] >= inst.scores.loc[hid].max() - 1e-9))
    elif m := re.match(r"labour score ([\d.]+) here vs ([\d.]+) in (\S+)$", clause):
        ok = inst.scores is None or (abs(inst.scores.loc[hid, zones.loc[g, "amr_code"]] - float(m.group(1))) < 0.006
                                     and inst.scores.loc[hid].idxmax() == m.group(3))
    elif m := re.match(r"stays in COA region (\S+)$", clause):
        ok = zones.loc[g, "coa_region"] == zones.loc[h.coa_gm, "coa_region"] == m.group(1)
    elif m := re.match(r"moves from COA region (\S+) to (\S+)$", clause):
        ok = (zones.loc[h.coa_gm, "coa_region"], zones.loc[g, "coa_region"]) == (m.group(1), m.group(2)) \
            and m.group(1) != m.group(2)
    elif m := re.match(r"next best (.*) \(([+-][\d.]+) points\)$", clause):
        alt = str(r["alt1_gm_code"])
        ok = bool(alt) and names[alt] == m.group(1) and abs(float(r["alt1_delta"]) - float(m.group(2))) < 0.06
    else:
        return [f"{hid}: unrecognised clause {clause!r}"]
    return [] if ok else [f"{hid}: untrue clause {clause!r}"]


def reason_problems(inst: Instance, proposal: pd.DataFrame, gemeenten: pd.DataFrame) -> list[str]:
    """Every clause of every decided household's reason that is not true of it (or not known)."""
    problems = []
    for r in proposal.to_dict("records"):
        if r["status"] not in ("linked", "unplaced"):
            continue
        reason = str(r["reason"]).removesuffix(".")
        if r["status"] == "unplaced":
            text = reason.removeprefix("Not linked: ")
            text = re.sub(r" \(it moves together with [^)]*\)", "", text)
            text = re.sub(r" \((a planner's lock [^)]*)\)$", "", text)
            problems += unplaced_problems(inst, proposal, r, text)
        else:
            for clause in reason.split("; "):
                problems += linked_clause_problems(inst, proposal, gemeenten, r, clause)
    return problems
