"""Koppeling variant files (``optimizer.koppeling.variant``): the shipped variants load, bad files are
rejected with messages naming the file and the field, variants load by name and by path."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import pytest
from support.checker import WEIGHT_NAMES, variant_toml, weights

from optimizer.core.errors import InputError
from optimizer.core.paths import variants_dir
from optimizer.koppeling.variant import load_variant

SHIPPED = ("default", "labour-first", "quota-minimax", "linear-quota")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_variants_load_with_their_file_values(name):
    path = variants_dir() / f"{name}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    v = load_variant(name)
    assert v.kind == "koppeling" and v.name == raw["name"] == name
    assert Path(v.source) == path
    assert v.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    w = v.weights.model_dump()
    assert set(w) == set(WEIGHT_NAMES)
    for key, value in raw.get("weights", {}).items():
        assert w[key] == value
    for key, value in raw.get("options", {}).items():
        assert getattr(v.options, key) == (tuple(value) if isinstance(value, list) else value)
    assert all(x >= 0 for x in w.values())


def test_default_is_used_without_a_name():
    assert load_variant(None).name == "default"
    assert load_variant(None).weights == load_variant("default").weights


def test_shipped_variant_characteristics():
    # what each variant is for, from its description
    assert load_variant("default").weights.minimax == 0
    assert load_variant("quota-minimax").weights.minimax > 0
    lf = load_variant("labour-first")
    assert lf.options.ties == "soft" and lf.weights.labour > load_variant("default").weights.labour


def test_variant_by_path_and_by_name(tmp_path, monkeypatch):
    path = variant_toml(tmp_path / "mine.toml", weights(quota=7, unplaced=500), ties="soft", sharing=False)
    by_path = load_variant(path)
    assert by_path.weights.quota == 7 and by_path.weights.unplaced == 500 and by_path.weights.labour == 0
    assert by_path.options.ties == "soft" and by_path.options.sharing is False
    assert by_path.source == str(path)
    # a path given as text works too; a .toml path to a shipped name still reads the file given
    assert load_variant(str(path)).weights == by_path.weights
    assert load_variant("labour-first.toml").name == "labour-first"


def test_omitted_weights_take_the_documented_defaults(tmp_path):
    path = tmp_path / "partial.toml"
    path.write_text('kind = "koppeling"\nname = "partial"\n[weights]\nquota = 1.0\n', encoding="utf-8")
    v = load_variant(path)
    default = load_variant("default").weights.model_dump()
    assert v.weights.quota == 1.0
    assert {k: x for k, x in v.weights.model_dump().items() if k != "quota"} == \
        {k: x for k, x in default.items() if k != "quota"}


def violations_of(path: Path) -> list:
    with pytest.raises(InputError) as exc:
        load_variant(path)
    return exc.value.violations


@pytest.mark.parametrize("body, column", [
    ("[weights]\nhappiness = 1.0\n", "weights.happiness"),
    ("[options]\nsharing_mode = true\n", "options.sharing_mode"),
    ("colour = \"red\"\n", "colour"),
])
def test_unknown_keys_are_rejected(tmp_path, body, column):
    path = tmp_path / "v.toml"
    path.write_text('kind = "koppeling"\n' + body, encoding="utf-8")
    v = violations_of(path)
    assert any(x.column == column and x.file == str(path) for x in v), v
    assert column in str(v[0]) and str(path) in str(v[0])


@pytest.mark.parametrize("name", WEIGHT_NAMES)
def test_negative_weights_are_rejected(tmp_path, name):
    path = tmp_path / "v.toml"
    path.write_text(f'kind = "koppeling"\n[weights]\n{name} = -0.5\n', encoding="utf-8")
    v = violations_of(path)
    assert [(x.file, x.column) for x in v] == [(str(path), f"weights.{name}")]


def test_every_violation_is_reported_at_once(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text('kind = "koppeling"\n[weights]\nquota = -1.0\nlabour = "high"\nfoo = 2.0\n'
                    '[options]\nties = "maybe"\nquota_min_scale = 0.0\n', encoding="utf-8")
    cols = {x.column for x in violations_of(path)}
    assert cols == {"weights.quota", "weights.labour", "weights.foo", "options.ties", "options.quota_min_scale"}


@pytest.mark.parametrize("body, column", [
    ('[weights]\nquota = "a lot"\n', "weights.quota"),
    ("[weights]\nquota = [1, 2]\n", "weights.quota"),
    ('[options]\nties = "sometimes"\n', "options.ties"),
    ("[options]\nschool_age = [4]\n", "options.school_age"),
    ("weights = 3\n", "weights"),
])
def test_wrong_types_are_rejected(tmp_path, body, column):
    path = tmp_path / "v.toml"
    path.write_text('kind = "koppeling"\n' + body, encoding="utf-8")
    v = violations_of(path)
    assert any(x.column == column or (x.column or "").startswith(column) for x in v), v
    assert all(x.file == str(path) for x in v)


def test_reception_kind_is_rejected(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text('kind = "reception"\nname = "r"\n', encoding="utf-8")
    v = violations_of(path)
    assert v[0].column == "kind" and v[0].file == str(path) and "koppeling" in v[0].rule
    # a shipped reception variant by name is not a koppeling variant either
    with pytest.raises(InputError):
        load_variant("reception-statutory")


def test_invalid_toml_and_missing_file(tmp_path):
    path = tmp_path / "v.toml"
    path.write_text('kind = "koppeling"\n[weights\n', encoding="utf-8")
    v = violations_of(path)
    assert v[0].file == str(path) and "TOML" in v[0].rule
    with pytest.raises(InputError) as exc:
        load_variant(tmp_path / "absent.toml")
    assert "absent" in str(exc.value)


@pytest.mark.parametrize("value", ["inf", "1e400"])
def test_infinite_weight_is_rejected(tmp_path, value):
    path = tmp_path / "v.toml"
    path.write_text(f'kind = "koppeling"\n[weights]\nunplaced = {value}\n', encoding="utf-8")
    v = violations_of(path)
    assert v[0].column == "weights.unplaced"


@pytest.mark.parametrize("body", ["[weights]\nminimax = true\n", '[weights]\nquota = "50"\n'])
def test_boolean_or_quoted_weight_is_rejected(tmp_path, body):
    path = tmp_path / "v.toml"
    path.write_text('kind = "koppeling"\n' + body, encoding="utf-8")
    violations_of(path)


def test_weight_table_names_every_model_term_once():
    """models/koppeling_terms.toml (the [weights] schema) and the model's TERMS agree."""
    import tomllib

    from models.koppeling import TERMS
    from optimizer.core.paths import REPO_ROOT
    from optimizer.koppeling.variant import Weights

    table = tomllib.loads((REPO_ROOT / "models" / "koppeling_terms.toml").read_text(encoding="utf-8"))
    assert list(table) == list(Weights.model_fields)
    assert sorted(table) == sorted(TERMS)
    assert all(spec["weight"] >= 0 and spec["unit"] for spec in table.values())
