"""HTML fragments that are safe to embed in the self-contained report.

:func:`clean_fragment` re-serialises a table fragment (``i4d tables ...``, great_tables' raw HTML, a
hand-written ``<table>``) through :class:`html.parser.HTMLParser` with an allow-list: table and text
tags only, no scripts, frames, forms or images, no event-handler attributes, and ``<style>`` blocks
and ``style`` attributes without ``@import`` or ``url(...)``, so nothing in the page can load an
external resource. The output is well-formed: every element opened is closed, stray end tags are
dropped. Text can be rewritten on the way (``text_filter``), which the report uses to remove
significance stars from tables resting on synthetic data.

:func:`table_from_rows`, :func:`table_from_markdown` and :func:`table_from_csv` build a fragment
when a table exists only as Markdown (pipe table) or CSV.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

__all__ = ["ALLOWED_TAGS", "clean_fragment", "table_from_csv", "table_from_markdown", "table_from_rows",
           "strip_css", "text_of", "title_of"]

ALLOWED_TAGS = frozenset({
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "div", "span", "p", "br", "hr", "sup", "sub", "em", "strong", "b", "i", "u", "code", "small", "abbr",
    "ul", "ol", "li", "style",
})
VOID_TAGS = frozenset({"br", "col", "hr"})
#: dropped together with everything inside them
DROPPED_WITH_CONTENT = frozenset({
    "script", "title", "noscript", "template", "iframe", "frame", "frameset", "object", "embed", "applet",
    "canvas", "audio", "video", "form", "textarea", "select", "button", "svg", "math", "head",
})
ALLOWED_ATTRIBUTES = frozenset({"class", "id", "style", "colspan", "rowspan", "scope", "align", "title",
                                "headers", "span", "width", "role", "aria-label", "aria-labelledby",
                                "aria-describedby"})
_CSS_BAD = re.compile(r"@import[^;]*;?|url\s*\([^)]*\)|expression\s*\(|javascript:|behaviou?r\s*:",
                      re.IGNORECASE)


def strip_css(css: str) -> str:
    """CSS without ``@import``, ``url(...)``, ``expression(`` or ``javascript:`` (nothing to load) and ``<``."""
    return _CSS_BAD.sub("", css).replace("<", "")


class _Cleaner(HTMLParser):
    def __init__(self, text_filter: Callable[[str], str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip: list[str] = []  # open elements whose content is dropped
        self.text_filter = text_filter or (lambda s: s)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1] or tag in DROPPED_WITH_CONTENT:
                self.skip.append(tag)
            return
        if tag in DROPPED_WITH_CONTENT:
            self.skip.append(tag)
            return
        if tag not in ALLOWED_TAGS:
            return  # unwrap: keep the content, drop the tag
        kept = []
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES:
                continue
            value = strip_css(value) if name == "style" else value
            kept.append(f' {name}="{html.escape(value or "", quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1] == tag and not self.skip:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            self.out.append(f"</{top}>")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.stack and self.stack[-1] == "style":
            self.out.append(strip_css(data))
        else:
            self.out.append(html.escape(self.text_filter(data), quote=False))

    def close_all(self) -> str:
        self.close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
        return "".join(self.out)


def clean_fragment(fragment: str, *, text_filter: Callable[[str], str] | None = None) -> str:
    """The fragment re-serialised through the allow-list (see the module docstring); comments are dropped."""
    cleaner = _Cleaner(text_filter)
    cleaner.feed(fragment)
    return cleaner.close_all()


class _Text(HTMLParser):
    """Text inside the elements that ``match(tag, attrs)`` selects (nested matches counted once)."""

    def __init__(self, match: Callable[[str, dict[str, str]], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.match, self.open, self.parts = match, [], []

    def handle_starttag(self, tag, attrs):
        if self.open or self.match(tag, {k: v or "" for k, v in attrs}):
            if tag not in VOID_TAGS:
                self.open.append(tag)

    def handle_endtag(self, tag):
        if self.open and tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if self.open:
            self.parts.append(data)


def _select_text(fragment: str, match: Callable[[str, dict[str, str]], bool]) -> str:
    parser = _Text(match)
    parser.feed(fragment)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def text_of(fragment: str, tag: str) -> str:
    """The text inside the ``<tag>`` elements of a fragment (e.g. a table's ``caption``)."""
    return _select_text(fragment, lambda t, a: t == tag)


def title_of(page: str) -> str:
    """A table's title: its ``<caption>``, else the page ``<title>``, else great_tables' ``gt_title`` heading."""
    return (text_of(page, "caption") or text_of(page, "title")
            or _select_text(page, lambda t, a: "gt_title" in a.get("class", "").split()))


def table_from_rows(header: Sequence[str], rows: Sequence[Sequence[str]], *, caption: str = "",
                    notes: Sequence[str] = ()) -> str:
    """An escaped HTML ``<table>`` from text cells (notes in a ``<tfoot>``)."""
    e = html.escape
    width = max([len(header), *(len(r) for r in rows)]) if (header or rows) else 1
    parts = ["<table class='fallback'>"]
    if caption:
        parts.append(f"<caption>{e(caption)}</caption>")
    if header:
        parts.append("<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in header) + "</tr></thead>")
    parts.append("<tbody>")
    parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
    parts.append("</tbody>")
    if notes:
        parts.append("<tfoot>" + "".join(f"<tr><td colspan='{width}'>{e(n)}</td></tr>" for n in notes) + "</tfoot>")
    parts.append("</table>")
    return "\n".join(parts)


def _md_cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [html.unescape(c.strip().replace("\\|", "|")) for c in cells]


_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def table_from_markdown(text: str) -> str:
    """An HTML table from a Markdown pipe table; a ``**bold**`` line before it is the caption, other lines notes."""
    caption, notes, table_lines = "", [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            table_lines.append(stripped)
        elif stripped.startswith("**") and stripped.endswith("**") and not table_lines and not caption:
            caption = stripped.strip("*").strip()
        elif stripped:
            notes.append(html.unescape(stripped))
    rows = [_md_cells(line) for line in table_lines if not _MD_RULE.match(line)]
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return table_from_rows(header, body, caption=caption, notes=notes)


def table_from_csv(text: str) -> str:
    """An HTML table from CSV text (the first row is the header)."""
    rows = list(csv.reader(io.StringIO(text)))
    return table_from_rows(rows[0] if rows else [], rows[1:])
