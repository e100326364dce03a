"""One place for every user-facing string (``optimizer.report.strings``): every key in both
languages with the same placeholders, numbers written in the language's style."""

from __future__ import annotations

import string

import pytest

from optimizer.core.errors import InputError
from optimizer.report.strings import COLUMN_LABELS, LANGS, SECTIONS, STRINGS, check_lang, column_label, text, texts


def _fields(template: str) -> set[tuple[str, str]]:
    """The placeholders of a template with their format specs (``{x:.2f}`` -> ("x", ".2f"))."""
    return {(name, spec or "") for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


def test_one_language_list_and_every_key_in_both_languages():
    assert LANGS == ("nl", "en")
    for name, table in SECTIONS.items():
        assert set(table) == set(LANGS), name
        assert table["nl"].keys() == table["en"].keys(), (name, set(table["nl"]) ^ set(table["en"]))
    assert set(STRINGS) == set(COLUMN_LABELS) == set(LANGS)
    assert COLUMN_LABELS["nl"].keys() == COLUMN_LABELS["en"].keys()
    # STRINGS joins the sections without losing a key (no two sections make the same key)
    assert len(STRINGS["nl"]) == sum(len(t["nl"]) for t in SECTIONS.values())
    assert column_label("nl", "target") == "taak" and column_label("en", "no_such_column") == "no_such_column"


@pytest.mark.parametrize("key", sorted(STRINGS["nl"]))
def test_same_placeholders_and_formats_in_both_languages(key):
    nl, en = STRINGS["nl"][key], STRINGS["en"][key]
    assert nl.strip() and en.strip()
    assert _fields(nl) == _fields(en), key


def test_text_writes_numbers_in_the_language_style_and_sections_are_reachable():
    values = dict(gm_naam="Bergen (L.)", before=1.0, after=2.5, persons=1.5, target=1234.0)
    assert text("nl", "reason.target_progress", **values) == \
        "Bergen (L.) heeft nu 2,5 van een batchtaak van 1234 personen (was 1, +1,5)"
    assert text("en", "reason.target_progress", **values) == \
        "Bergen (L.) now has 2.5 of a batch target of 1234 persons (was 1, +1.5)"
    assert text("nl", "reason.next_best", gm_naam="X", points=-4.25) == "op één na beste X (-4,2 punten)"
    assert texts("evaluate", "nl")["title"] == text("nl", "evaluate.title")
    assert texts("status", "en")["unplaced"] == "unplaced"


def test_bad_lang_names_the_option():
    with pytest.raises(InputError, match="--lang"):
        check_lang("fr")
