"""Config validation: defaults from the schema, errors that name the key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from i4districts.config import ConfigError, fill_defaults, load_config, load_schema, validate_config


def test_empty_config_gets_every_default():
    cfg = validate_config({})
    assert cfg["data"] == {"source": "embedded", "country": "IT", "nuts_level": 3,
                           "years": {"start": 2000, "end": 2017}, "sectors": "A10_split_C",
                           "drop_extra_regio": True, "filters": {}, "unpublished": "refuse", "nuts_version": "2016",
                           "nuts_changes": "../shared/data/nuts", "synthetic": {"scale": "regional", "seed": 0}}
    assert cfg["adoption"]["source"] == "eurostat" and cfg["adoption"]["indicator"] == "robots"  # real by default
    assert cfg["exposure"]["base_year"] == 2000 and cfg["exposure"]["design"] == "cross_section"
    assert cfg["models"] == {"growth_exposure": "config/models/growth_exposure.yaml"}
    assert cfg["tables"]["formats"] == ["tex", "md", "csv", "html"]


def test_user_values_are_kept_and_nested_defaults_filled():
    cfg = validate_config({"data": {"years": {"start": 2005}}, "exposure": {"base_year": 2005}})
    assert cfg["data"]["years"] == {"start": 2005, "end": 2017}
    assert cfg["data"]["nuts_level"] == 3


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"data": {"nuts_level": "three"}}, "data.nuts_level"),
        ({"data": {"colour": "red"}}, "'data.colour'"),
        ({"bogus": 1}, "'bogus'"),
        ({"data": {"years": {"start": 2001, "finish": 2003}}}, "'data.years.finish'"),
        ({"tables": {"formats": ["pdf"]}}, "tables.formats.0"),
        ({"adoption": {"seed": -1}}, "adoption.seed"),
        ({"models": {"Bad-Id": "x.yaml"}}, "models"),
        ({"data": {"source": "fetched"}}, "key 'data': 'dataset' is a required property"),
        ({"adoption": {"source": "table", "table": "robots.xlsx"}}, "adoption.table"),
        ({"exposure": {"normalisation": "zscore"}}, "exposure.normalisation"),
    ],
)
def test_bad_config_names_the_key(config, fragment):
    with pytest.raises(ConfigError) as err:
        validate_config(config)
    assert fragment in str(err.value)


def test_every_error_is_reported_at_once():
    with pytest.raises(ConfigError) as err:
        validate_config({"data": {"nuts_level": 9, "country": "Italy"}})
    assert "data.nuts_level" in str(err.value) and "data.country" in str(err.value)


def test_cross_field_checks():
    with pytest.raises(ConfigError, match="data.years"):
        validate_config({"data": {"years": {"start": 2010, "end": 2005}}, "exposure": {"base_year": 2005}})
    with pytest.raises(ConfigError, match="exposure.base_year"):
        validate_config({"exposure": {"base_year": 1995}})


def test_load_config_errors_name_the_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: [unclosed\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_config(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(lst)


def test_repository_config_is_valid_and_schema_is_the_packaged_one(repo_root: Path):
    cfg = load_config(repo_root / "config" / "config.yaml")
    assert cfg["data"]["source"] == "embedded"
    on_disk = json.loads((repo_root / "config" / "config.schema.json").read_text())
    assert on_disk == load_schema()


def test_fill_defaults_does_not_mutate_input():
    raw: dict = {"data": {}}
    fill_defaults(raw, load_schema())
    assert raw == {"data": {}}
