"""The one YAML loader of i4districts: safe types only, no anchors or aliases.

Configurations, model specifications and the fetch ledger are small
hand-written documents that never need YAML anchors (``&name``) or aliases
(``*name``). Aliases are what makes a "billion laughs" document possible: a
483-byte file whose nested aliases expand to gigabytes once the loader
builds Python objects. :func:`load_yaml` therefore refuses any anchor or
alias while composing the document (before anything is expanded) and raises
an error naming the file and the line.

Usage::

    from i4districts.safeyaml import load_yaml
    doc = load_yaml(Path("config/config.yaml"))                 # a file: named in errors
    doc = load_yaml(text, source="spec.yaml", error=SpecError)  # text already read

Other limits: documents larger than :data:`MAX_BYTES` are refused, and only
the first document of a stream is allowed (``---`` separating several is an
error).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from i4districts.errors import ConfigError, I4DError

#: Largest YAML document accepted (configs and specs are a few kilobytes).
MAX_BYTES = 4 * 1024 * 1024


def _loader_class(source: str, error: type[Exception]) -> type[yaml.SafeLoader]:
    class NoAliasSafeLoader(yaml.SafeLoader):
        """SafeLoader that refuses anchors and aliases while composing nodes."""

        def compose_node(self, parent, index):  # type: ignore[override]
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise error(f"{source}: line {line}: YAML alias '*{event.anchor}' is not allowed "
                            "(anchors and aliases are refused: write the value out)")
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise error(f"{source}: line {line}: YAML anchor '&{anchor}' is not allowed "
                            "(anchors and aliases are refused: write the value out)")
            return super().compose_node(parent, index)

    return NoAliasSafeLoader


def load_yaml(
    text_or_path: str | bytes | os.PathLike[str],
    *,
    source: str | None = None,
    error: type[Exception] = ConfigError,
) -> Any:
    """Parse one YAML document with safe types only and no anchors/aliases.

    ``text_or_path``: a path (``pathlib.Path`` or any ``os.PathLike``) is read
    as UTF-8; a ``str``/``bytes`` is the YAML text itself. ``source`` names
    the document in messages (default: the path, or ``"<yaml>"``). Every
    problem (missing file, syntax error, alias, anchor, size) raises
    ``error(message)`` with the source in the message; ``error`` defaults to
    :class:`~i4districts.errors.ConfigError` (pass ``SpecError`` for model
    specifications, a fetch error for the ledger).
    """
    if isinstance(text_or_path, os.PathLike):
        path = Path(text_or_path)
        source = source or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise error(f"{source}: YAML file of {size} bytes exceeds the limit of {MAX_BYTES}")
            text: str | bytes = path.read_text("utf-8")
        except FileNotFoundError:
            raise error(f"{source}: file not found") from None
        except UnicodeDecodeError as exc:
            raise error(f"{source}: not UTF-8 text ({exc})") from None
        except OSError as exc:
            raise error(f"{source}: cannot read ({exc.strerror or exc})") from None
    else:
        text = text_or_path
        source = source or "<yaml>"
        if len(text) > MAX_BYTES:
            raise error(f"{source}: YAML text of {len(text)} bytes exceeds the limit of {MAX_BYTES}")
    loader = _loader_class(source, error)(text)
    loader.name = source  # positions in syntax errors name the file
    try:
        return loader.get_single_data()
    except I4DError:
        raise
    except yaml.YAMLError as exc:
        raise error(f"{source}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()


__all__ = ["MAX_BYTES", "load_yaml"]
