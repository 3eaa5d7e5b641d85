"""i4districts.safeyaml: safe types only, anchors and aliases refused (YAML alias bombs)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from i4districts.errors import ConfigError, SpecError
from i4districts.safeyaml import load_yaml

# a few hundred bytes that expand to 9**9 = 387 420 489 strings (about 1.8 GB) once aliases are resolved
BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_file_is_refused_naming_the_file(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text(BOMB)
    assert p.stat().st_size < 500
    t0 = time.monotonic()
    with pytest.raises(ConfigError, match=rf"{p}: line 1: YAML anchor '&a' is not allowed"):
        load_yaml(p)
    assert time.monotonic() - t0 < 1.0


def test_alias_without_anchor_and_error_class(tmp_path):
    with pytest.raises(SpecError, match=r"model\.yaml: line 2: YAML alias '\*x'"):
        load_yaml("a: 1\nb: *x\n", source="model.yaml", error=SpecError)


def test_merge_keys_need_anchors_and_are_refused():
    with pytest.raises(ConfigError, match="anchor"):
        load_yaml("base: &b {x: 1}\nother:\n  <<: *b\n", source="c.yaml")


def test_plain_documents_load_like_safe_load():
    doc = load_yaml("outcome: y\nfilters: {geo: [IT, FR]}\nurl: 'https://x/?a=1&b=2'\nn: 3\n", source="s")
    assert doc == {"outcome": "y", "filters": {"geo": ["IT", "FR"]}, "url": "https://x/?a=1&b=2", "n": 3}
    assert load_yaml("", source="empty") is None


def test_unsafe_tags_syntax_errors_and_missing_files(tmp_path):
    with pytest.raises(ConfigError, match=r"t\.yaml: not valid YAML"):
        load_yaml("!!python/object/apply:os.system ['echo hi']\n", source="t.yaml")
    with pytest.raises(ConfigError, match=r"t\.yaml: not valid YAML"):
        load_yaml("a: [1\n", source="t.yaml")
    with pytest.raises(ConfigError, match="file not found"):
        load_yaml(tmp_path / "none.yaml")


def test_repository_yaml_files_have_no_aliases():
    import yaml

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("config/**/*.yaml"), *root.glob("src/i4districts/**/*.yaml")]
    assert files
    for f in files:
        assert load_yaml(f) == yaml.safe_load(f.read_text()), f


def test_load_config_refuses_aliases(tmp_path):
    from i4districts import config

    p = tmp_path / "config.yaml"
    p.write_text("data: &d {nuts_level: 3}\nother: *d\n")
    with pytest.raises(ValueError, match=rf"{p}: line 1: YAML anchor"):
        config.load_config(p)


def test_fetch_ledger_refuses_aliases(tmp_path):
    from i4districts.fetch.errors import QueryError
    from i4districts.fetch.ledger import load_ledger

    p = tmp_path / "ledger.yaml"
    p.write_text(BOMB)
    with pytest.raises(QueryError, match=rf"{p}: line 1"):
        load_ledger(p)
