"""A household's reason as language-neutral clauses, and their rendering in Dutch or English.

A reason is a list of **clauses**; a clause is a code and its values, ``{"code": "linked",
"gm_code": "GM0363", "gm_naam": "Amsterdam"}``. The engine decides *what* is true of a household
in codes and values (:mod:`optimizer.koppeling.explain`, :mod:`optimizer.koppeling.inputs`); the
words are templates per code and language (section ``reason`` of
:mod:`optimizer.report.strings`). ``proposal.csv`` keeps both: ``reason`` (the text in the run's
language), ``reason_codes`` (the clause codes, ``;``-separated) and ``reason_values`` (the clauses
as JSON), so that a checker can verify every clause from its values and a tool can re-render it.

Rendering: each clause by its template; a value that is a list is joined with the language's
``and`` when it is a list of clauses (``rules``) or of words (``ties``, ``missing``), else with
commas (codes, ids); ``stop`` and ``ties`` are words translated by key. A reason whose first
clause is a heading (``not_linked``, ``excluded``) reads ``Heading: clause; clause.``, any other
``Clause; clause.``.
"""

from __future__ import annotations

import json
from typing import Any

from optimizer.report.strings import STRINGS, text

Clause = dict[str, Any]

#: Codes that head a reason (followed by ": ").
HEADINGS = ("not_linked", "excluded")
#: List values joined with "and" (else with commas).
AND_LISTS = ("rules", "ties", "missing")
#: Values that are words, translated by the key ``reason.<prefix>_<value>`` (untranslated if none).
WORDS = {"ties": "tie", "stop": "stop"}


def clause(code: str, **values: Any) -> Clause:
    """One clause: ``code`` and its values (numbers as plain Python numbers, lists as lists)."""
    return {"code": code, **values}


def _word(key: str, value: object, lang: str) -> str:
    name = f"reason.{WORDS[key]}_{value}"
    return STRINGS[lang].get(name, str(value).replace("_", " "))


def _value(key: str, value: Any, lang: str) -> Any:
    """A clause value as its template shows it (lists joined, words translated, numbers as they are)."""
    if isinstance(value, list):
        if key in WORDS:
            parts = [_word(key, v, lang) for v in value]
        else:
            parts = [render_clause(v, lang) if isinstance(v, dict) else str(v) for v in value]
        return STRINGS[lang]["reason.and"].join(parts) if key in AND_LISTS else ", ".join(parts)
    if key in WORDS:
        return _word(key, value, lang)
    return value


def render_clause(c: Clause, lang: str) -> str:
    """One clause in words (``KeyError`` for an unknown code or a missing value)."""
    values = {k: _value(k, v, lang) for k, v in c.items() if k != "code"}
    return text(lang, f"reason.{c['code']}", **values)


def render(clauses: list[Clause], lang: str) -> str:
    """A whole reason in words, in ``lang`` (module docstring)."""
    return _joined(clauses, [render_clause(c, lang) for c in clauses])


def _joined(clauses: list[Clause], parts: list[str]) -> str:
    """The rendered ``parts`` of ``clauses`` as one reason (a heading first: ``Heading: a; b.``)."""
    if clauses and clauses[0]["code"] in HEADINGS:
        return f"{parts[0]}: {'; '.join(parts[1:])}."
    return "; ".join(parts) + "."


def _key(value: Any) -> Any:
    """A hashable stand-in for a clause value (lists and clauses as tuples, types kept apart:
    ``1`` and ``1.0`` and ``True`` render differently)."""
    if isinstance(value, list):
        return ("list", *(_key(v) for v in value))
    if isinstance(value, dict):
        return ("clause", *((k, _key(v)) for k, v in value.items()))
    if isinstance(value, float):  # -0.0 == 0.0 but they print apart
        return ("float", value.hex())
    return (type(value).__name__, value)


def render_all(reasons: list[list[Clause]], lang: str) -> list[str]:
    """:func:`render` of every reason, each distinct clause rendered once (a batch repeats
    most clauses: the gemeente, the heading, the dwelling, the COA region)."""
    done: dict[Any, str] = {}
    out = []
    for clauses in reasons:
        parts = []
        for c in clauses:
            key = _key(c)
            if key not in done:
                done[key] = render_clause(c, lang)
            parts.append(done[key])
        out.append(_joined(clauses, parts))
    return out


def codes(clauses: list[Clause]) -> str:
    """The ``reason_codes`` cell: the clause codes in order, ``;``-separated."""
    return ";".join(c["code"] for c in clauses)


def to_json(clauses: list[Clause]) -> str:
    """The ``reason_values`` cell: the clauses as compact JSON (keys in the order given)."""
    return json.dumps(clauses, ensure_ascii=False, separators=(",", ":"))


def from_json(cell: str) -> list[Clause]:
    """The clauses of a ``reason_values`` cell."""
    return json.loads(cell)
