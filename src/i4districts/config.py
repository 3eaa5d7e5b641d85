"""Load and validate the workflow configuration against its JSON Schema.

Defaults live in the schema (``schemas/config.schema.json``) and are filled in
before validation, so a config may be as short as ``{}``. Every error names the
offending key as a dotted path, e.g. ``data.nuts_level``.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from i4districts.errors import ConfigError
from i4districts.safeyaml import load_yaml

__all__ = ["ConfigError", "fill_defaults", "load_config", "load_schema", "validate_config"]


def load_schema() -> dict[str, Any]:
    """The packaged configuration schema."""
    text = resources.files("i4districts").joinpath("schemas/config.schema.json").read_text("utf-8")
    return json.loads(text)


def fill_defaults(config: Any, schema: dict[str, Any]) -> Any:
    """Return a copy of ``config`` with schema defaults filled in, recursively.

    Only object-typed nodes with ``properties`` are descended into; values the
    user gave are never changed.
    """
    if not isinstance(config, dict) or "properties" not in schema:
        return config
    out = copy.deepcopy(config)
    for key, sub in schema["properties"].items():
        if key not in out and "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
        if key in out:
            out[key] = fill_defaults(out[key], sub)
    return out


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "<top level>"


def _describe(error: jsonschema.ValidationError) -> str:
    where = _key_path(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in error.instance if k not in allowed)
        if unknown and allowed:
            prefix = "" if where == "<top level>" else where + "."
            names = ", ".join(f"'{prefix}{k}'" for k in unknown)
            return f"unknown key {names} (allowed here: {', '.join(sorted(allowed))})"
    return f"key '{where}': {error.message}"


def validate_config(config: dict[str, Any] | None, *, source: str = "config") -> dict[str, Any]:
    """Fill defaults into ``config`` and validate it; raise :class:`ConfigError` listing every problem."""
    schema = load_schema()
    filled = fill_defaults({} if config is None else config, schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = "\n".join(f"  - {_describe(e)}" for e in errors)
        raise ConfigError(f"{source}: invalid configuration\n{lines}")
    years = filled["data"]["years"]
    if years["start"] > years["end"]:
        raise ConfigError(
            f"{source}: key 'data.years': start ({years['start']}) is after end ({years['end']})"
        )
    base = filled["exposure"]["base_year"]
    if not years["start"] <= base <= years["end"]:
        raise ConfigError(
            f"{source}: key 'exposure.base_year': {base} lies outside data.years "
            f"[{years['start']}, {years['end']}]"
        )
    return filled


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config file and validate it (see :func:`validate_config`).

    The YAML is read with :func:`i4districts.safeyaml.load_yaml`: safe types
    only, anchors and aliases refused (a few hundred bytes of nested aliases
    would otherwise expand to gigabytes).
    """
    p = Path(path)
    raw = load_yaml(p, source=str(p), error=ConfigError)
    if raw is not None and not isinstance(raw, dict):
        raise ConfigError(f"{p}: the top level must be a mapping, got {type(raw).__name__}")
    return validate_config(raw, source=str(p))
