"""The self-contained HTML report: tables, figures, diagnostics and provenance in one file.

Everything the page shows is embedded: table fragments re-serialised through an allow-list
(:mod:`i4districts.report.fragment`), images as ``data:`` URIs (PNG, SVG, JPEG, GIF, WebP; an SVG as
an image keeps its scripts and ids isolated from the page), CSS and one small script inline. A
Content-Security-Policy meta element (``default-src 'none'``; images only from ``data:``; the script
only by its sha256) makes the browser refuse any external request, and external URLs appear only as
text. The one script marks the ``<html>`` element with ``data-images="ok"`` once every image has
decoded, which the headless-browser test reads.

The page is deterministic apart from the run-time block between :data:`RUNTIME_START` and
:data:`RUNTIME_END`. Items flagged ``synthetic`` (or whose table says it rests on illustrative data)
carry a banner and show no significance stars.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import i4districts
from i4districts.errors import InputError
from i4districts.io import sha256_bytes, write_text
from i4districts.provenance import package_fingerprint
from i4districts.report import diagnostics as diag
from i4districts.report.fragment import clean_fragment, table_from_csv, table_from_markdown, title_of
from i4districts.report.manifest import Item, Manifest, resolve_path
from i4districts.report.provenance import (
    ConfigProvenance,
    GitState,
    RunTime,
    config_provenance,
    git_state,
    machine_info,
    package_versions,
)
from i4districts.report.sources import SourceRecord, resolve_inputs

__all__ = ["CHECK_SCRIPT", "RUNTIME_END", "RUNTIME_START", "Provenance", "build_report", "collect_provenance",
           "item_title", "render_page", "strip_runtime", "write_report"]

RUNTIME_START = "<!-- run-time:start -->"
RUNTIME_END = "<!-- run-time:end -->"
SYNTHETIC_MARKS = ("illustrative adoption data", "illustrative (synthetic) data", "synthetic data")
STAR_LEGEND = "* p<0.10, ** p<0.05, *** p<0.01"
NO_STARS = "No significance stars: this item rests on illustrative (synthetic) data"
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp"}
_MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8", ".gif": b"GIF8",
          ".webp": b"RIFF"}
TABLE_SUFFIXES = (".html", ".htm", ".md", ".csv")
SECTION_TITLES = {"table": "Tables", "figure": "Figures", "diagnostics": "Diagnostics"}
SECTION_IDS = {"table": "tables", "figure": "figures", "diagnostics": "diagnostics"}

CHECK_SCRIPT = (
    "(function(){function check(){var imgs=Array.prototype.slice.call(document.images);"
    "var ok=imgs.every(function(i){return i.complete&&i.naturalWidth>0;});"
    "var root=document.documentElement;root.setAttribute('data-images',ok?'ok':'broken');"
    "root.setAttribute('data-image-count',String(imgs.length));"
    "root.setAttribute('data-table-count',String(document.getElementsByTagName('table').length));}"
    "if(document.readyState==='complete'){check();}else{window.addEventListener('load',check);}})();"
)
_SCRIPT_HASH = base64.b64encode(bytes.fromhex(sha256_bytes(CHECK_SCRIPT.encode()))).decode()
CSP = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{_SCRIPT_HASH}'; "
       "base-uri 'none'; form-action 'none'")

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#1b1b1b;
background:#fff;line-height:1.45}
header,main,nav,footer{max-width:72rem;margin:0 auto;padding:0 1.25rem}
header{padding-top:1.5rem}h1{font-size:1.7rem;margin:.2rem 0}h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;
margin-top:2.5rem}h3{margin-top:1.8rem}.meta{color:#555;font-size:.92rem}
nav>ol{columns:2;font-size:.95rem}nav>ol>li{break-inside:avoid}nav li{margin:.1rem 0}
.banner{background:#fff4d6;border:1px solid #e0b84b;padding:.6rem .9rem;border-radius:4px;margin:.8rem 0}
.item{margin:1.5rem 0 2.5rem}.caption{color:#333}.source{color:#555;font-size:.85rem;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}th,td{padding:.25rem .6rem;vertical-align:top}
table.regression td:not(:first-child),table.fallback td{text-align:right}
table.fallback td:first-child,table.kv td{text-align:left}
thead th{border-bottom:1px solid #888}tbody tr:last-child td{border-bottom:1px solid #888}
caption{caption-side:top;font-weight:600;text-align:left;padding-bottom:.3rem}
tfoot td{font-size:.8rem;color:#444;text-align:left}
table.kv th{text-align:left;font-weight:600;background:#f6f6f6}table.kv td,table.kv th{border:1px solid #ddd}
table.sources{width:100%}table.sources td,table.sources th{border:1px solid #ddd;text-align:left;font-size:.82rem}
table.sources td:nth-child(2){max-width:16rem}
.url{font-family:ui-monospace,monospace;font-size:.78rem;word-break:break-all}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.7rem;overflow-x:auto;white-space:pre-wrap}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#333;font-size:.92rem;margin-top:.4rem}.sha{font-family:ui-monospace,monospace;font-size:.8rem;
overflow-wrap:anywhere}
footer{color:#666;font-size:.8rem;padding-bottom:2rem;margin-top:3rem}
"""


@dataclass(frozen=True)
class Provenance:
    """Everything the provenance section shows (see :mod:`i4districts.report.provenance`)."""

    sources: tuple[SourceRecord, ...]
    config: ConfigProvenance
    git: GitState
    fingerprint: str
    packages: Mapping[str, str]
    machine: Mapping[str, str]


def collect_provenance(manifest: Manifest, *, git_dir: str | Path = ".") -> Provenance:
    """Resolve the manifest's inputs and config and record code, software and machine."""
    base = manifest.base_dir
    return Provenance(
        sources=tuple(resolve_inputs(manifest.inputs, base_dir=base)),
        config=config_provenance(manifest.config_files, manifest.effective_config, base_dir=base),
        git=git_state(git_dir),
        fingerprint=package_fingerprint(),
        packages=package_versions(),
        machine=machine_info(),
    )


# ------------------------------------------------------------------------------------------- helpers
e = html.escape


def rst_to_html(text: str) -> str:
    """A caption in reStructuredText's simple subset: paragraphs, ``literal``, *emphasis*, **strong**;
    directives and comments (``.. ``) are left out."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip() and not p.lstrip().startswith("..")]
    out = []
    for p in paragraphs:
        s = e(" ".join(p.split()), quote=False)
        s = re.sub(r"``(.+?)``", r"<code>\1</code>", s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
        s = re.sub(r"`([^`]+?) <[^>]+>`_", r"\1", s)
        out.append(f"<p>{s}</p>")
    return "\n".join(out)


def _caption(item: Item, base: Path) -> str:
    parts = []
    if item.caption:
        parts.append(rst_to_html(item.caption))
    if item.caption_file:
        p = resolve_path(item.caption_file, base)
        if not p.is_file():
            raise InputError(f"report item {item.id!r}: caption file {item.caption_file} not found")
        parts.append(rst_to_html(p.read_text(encoding="utf-8")))
    return "\n".join(parts)


def _read(item: Item, base: Path, index: int = 0) -> tuple[Path, bytes]:
    p = resolve_path(item.path[index], base)
    if not p.is_file():
        raise InputError(f"report item {item.id!r} (rule {item.rule or '?'}): file {item.path[index]} not found")
    return p, p.read_bytes()


def unstar(text: str) -> str:
    """Text without significance stars after numbers or parentheses, and without the star legend."""
    text = text.replace(STAR_LEGEND, NO_STARS)
    return re.sub(r"(?<=[0-9)%])\*{1,3}(?!\w)", "", text)


def _is_synthetic(item: Item, text: str = "") -> bool:
    low = text.lower()
    return item.synthetic or any(mark in low for mark in SYNTHETIC_MARKS)


def _source_line(item: Item, files: Sequence[tuple[str, str]]) -> str:
    made = f"made by rule <code>{e(item.rule)}</code>" if item.rule else "rule not recorded"
    listed = "; ".join(f"<code>{e(path)}</code> <span class='sha'>sha256 {digest}</span>" for path, digest in files)
    also = [p for p in item.path[1:]] if item.kind != "diagnostics" else []
    alt = f"; also as {', '.join(f'<code>{e(p)}</code>' for p in also)}" if also else ""
    return f"<p class='source'>{made}: {listed}{alt}</p>"


def item_title(item: Item, base: Path | None = None) -> str:
    """The item's title: given in the manifest, else a table's own caption (HTML ``<caption>``, the bold line
    of Markdown), else "Design diagnostics" or the id in words."""
    if item.title:
        return item.title
    p = resolve_path(item.path[0], base)
    suffix = p.suffix.lower()
    if item.kind != "figure" and suffix in (".html", ".htm", ".md") and p.is_file():
        text = p.read_text(encoding="utf-8")
        found = title_of(text if suffix != ".md" else table_from_markdown(text))
        if found:
            return found
    if item.kind == "diagnostics" and suffix == ".json":
        return "Design diagnostics"
    return item.id.replace("_", " ")


@dataclass(frozen=True)
class Rendered:
    item: Item
    title: str
    body: str
    synthetic: bool


def render_table(item: Item, base: Path) -> Rendered:
    path, raw = _read(item, base)
    text = raw.decode("utf-8")
    synthetic = _is_synthetic(item, text)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        fragment = clean_fragment(text, text_filter=unstar if synthetic else None)
    elif suffix == ".md":
        fragment = clean_fragment(table_from_markdown(text), text_filter=unstar if synthetic else None)
    elif suffix == ".csv":
        fragment = clean_fragment(table_from_csv(text), text_filter=unstar if synthetic else None)
    else:
        raise InputError(f"report item {item.id!r}: table file {item.path[0]} is not one of {list(TABLE_SUFFIXES)}")
    title = item.title or title_of(text if suffix in (".html", ".htm") else fragment) or item_title(item, base)
    body = (f"<div class='table-wrap'>{fragment}</div>\n"
            + _source_line(item, [(item.path[0], sha256_bytes(raw))]))
    return Rendered(item, title, body, synthetic)


def _svg_ok(raw: bytes) -> bool:
    head = raw[:4096].decode("utf-8", errors="replace").lower()
    return "<svg" in head


def render_figure(item: Item, base: Path) -> Rendered:
    path, raw = _read(item, base)
    suffix = path.suffix.lower()
    mime = IMAGE_TYPES.get(suffix)
    if mime is None:
        raise InputError(f"report item {item.id!r}: figure {item.path[0]} is not one of {sorted(IMAGE_TYPES)}")
    magic = _MAGIC.get(suffix)
    if (magic and not raw.startswith(magic)) or (suffix == ".svg" and not _svg_ok(raw)):
        raise InputError(f"report item {item.id!r}: figure {item.path[0]} is not a valid {suffix[1:].upper()} file")
    title = item_title(item, base)
    uri = f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"
    body = (f"<figure><img alt='{e(title)}' src='{uri}'></figure>\n"
            + _source_line(item, [(item.path[0], sha256_bytes(raw))]))
    return Rendered(item, title, body, item.synthetic)


def render_diagnostics(item: Item, base: Path) -> Rendered:
    if Path(item.path[0]).suffix.lower() in TABLE_SUFFIXES:
        return render_table(item, base)
    records, files = [], []
    for i, _ in enumerate(item.path):
        path, raw = _read(item, base, i)
        records.append(diag.load_record(path))
        files.append((item.path[i], sha256_bytes(raw)))
    synthetic = item.synthetic or any(_is_synthetic(item, str(r.get("notes", ""))) for r in records)
    title = item_title(item, base)
    parts = [f"<div class='table-wrap'>{diag.summary_table(records, caption=title)}</div>"]
    for rec in records:
        model = str(rec.get("model_id") or "model")
        for heading, table in diag.model_tables(rec):
            parts.append(f"<h4>{e(model)}: {e(heading)}</h4><div class='table-wrap'>{table}</div>")
    parts.append(_source_line(item, files))
    return Rendered(item, title, "\n".join(parts), synthetic)


RENDERERS = {"table": render_table, "figure": render_figure, "diagnostics": render_diagnostics}


# ------------------------------------------------------------------------------------------- sections
def _kv(rows: Sequence[tuple[str, str]], *, raw: bool = False) -> str:
    cells = "".join(f"<tr><th scope='row'>{e(k)}</th><td>{v if raw else e(v)}</td></tr>" for k, v in rows)
    return f"<table class='kv'><tbody>{cells}</tbody></table>"


def _sources_table(sources: Sequence[SourceRecord]) -> str:
    if not sources:
        return "<p>No input files were named in the manifest.</p>"
    head = ["Dataset", "Source and URL", "Vintage", "Licence and attribution", "File, sha256 and how obtained"]
    rows = []
    for s in sources:
        dataset = f"<code>{e(s.dataset or s.name or '?')}</code>" + (f"<br><small>ledger: {e(s.ledger)}</small>"
                                                                      if s.ledger and s.ledger != s.dataset else "")
        url = f"{e(s.source)}<br><span class='url'>{e(s.url)}</span>" if s.url else e(s.source or "not recorded")
        vintage = e(s.vintage or "—") + (f"<br><small>{e(s.vintage_date)}</small>" if s.vintage_date else "")
        size = f" ({s.bytes:,} bytes)" if s.bytes is not None else ""
        licence = f"{e(s.licence)}<br><small>{e(s.attribution)}</small>"
        check = f" ({e(s.checksum)})" if s.checksum else ""
        how = (f"<code>{e(s.path)}</code>{size}<br><span class='sha'>sha256 {s.sha256}</span>{check}"
               f"<br><small>{e(s.how)}{'; ' + e(s.obtained) if s.obtained else ''}</small>")
        notes = "".join(f"<br><small>note: {e(n)}</small>" for n in s.notes)
        cells = (dataset, url, vintage, licence, how + notes)
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{h}</th>" for h in head)
    return f"<table class='sources'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _config_section(cfg: ConfigProvenance) -> str:
    parts = []
    for f in cfg.files:
        parts.append(f"<p>Config file <code>{e(f.path)}</code>, <span class='sha'>sha256 {f.sha256}</span>:</p>"
                     f"<pre>{e(f.text)}</pre>")
    if cfg.effective_yaml:
        parts.append("<p>Effective config (validated, schema defaults filled in, command-line overrides applied), "
                     f"<span class='sha'>sha256 {cfg.effective_sha256}</span> of its canonical JSON:</p>"
                     f"<pre>{e(cfg.effective_yaml)}</pre>")
    return "\n".join(parts) or "<p>No config was named in the manifest.</p>"


def _when(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else "not recorded"


def _seconds(s: float | None) -> str:
    if s is None:
        return "not recorded"
    minutes, sec = divmod(s, 60)
    return f"{s:.1f} s" if s < 60 else f"{int(minutes)} min {sec:.0f} s ({s:.0f} s)"


def _runtime_section(rt: RunTime) -> str:
    rows = [("Run started", f"{_when(rt.started)}" + (f" ({rt.start_source})" if rt.start_source else "")),
            ("Report written", _when(rt.ended)), ("Elapsed", _seconds(rt.elapsed))]
    parts = [RUNTIME_START, "<h3 id='prov-runtime'>Run time</h3>", _kv(rows)]
    if rt.jobs:
        body = "".join(f"<tr><td><code>{e(j.rule)}</code></td><td><code>{e(j.output)}</code></td>"
                       f"<td>{_when(j.started)}</td><td>{_seconds(j.seconds)}</td></tr>" for j in rt.jobs)
        parts.append("<table class='sources'><caption>Jobs that made the report's items (Snakemake metadata)</caption>"
                     "<thead><tr><th>rule</th><th>output</th><th>started</th><th>duration</th></tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    if rt.benchmarks:
        body = "".join(f"<tr><td><code>{e(b)}</code></td><td>{_seconds(s)}</td></tr>" for b, s in rt.benchmarks)
        parts.append("<table class='sources'><caption>Snakemake benchmarks</caption><thead><tr><th>benchmark</th>"
                     f"<th>wall clock</th></tr></thead><tbody>{body}</tbody></table>")
    parts.append(RUNTIME_END)
    return "\n".join(parts)


def render_page(manifest: Manifest, provenance: Provenance, run: RunTime) -> str:
    """The whole page as a string (see the module docstring)."""
    base = manifest.base_dir
    rendered = [RENDERERS[item.kind](item, base) for item in manifest.items]
    captions = {r.item.id: _caption(r.item, base) for r in rendered}
    any_synthetic = any(r.synthetic for r in rendered)
    toc, sections = [], []
    for kind, heading in SECTION_TITLES.items():
        group = [r for r in rendered if r.item.kind == kind]
        if not group:
            continue
        toc.append(f"<li><a href='#{SECTION_IDS[kind]}'>{heading}</a><ol>"
                   + "".join(f"<li><a href='#item-{e(r.item.id)}'>{e(r.title)}</a></li>" for r in group)
                   + "</ol></li>")
        articles = []
        for r in group:
            banner = f"<p class='banner'>{e(NO_STARS)}.</p>" if r.synthetic else ""
            cap = captions[r.item.id]
            if kind == "figure":
                body = r.body.replace("</figure>", f"<figcaption>{cap}</figcaption></figure>", 1) if cap else r.body
                cap_html = ""
            else:
                body, cap_html = r.body, (f"<div class='caption'>{cap}</div>" if cap else "")
            articles.append(f"<article class='item {kind}' id='item-{e(r.item.id)}' data-kind='{kind}'>"
                            f"<h3>{e(r.title)}</h3>{banner}{cap_html}\n{body}</article>")
        sections.append(f"<section id='{SECTION_IDS[kind]}'><h2>{heading}</h2>\n" + "\n".join(articles) + "</section>")
    prov = provenance
    toc.append("<li><a href='#provenance'>Provenance</a><ol><li><a href='#prov-inputs'>Input data</a></li>"
               "<li><a href='#prov-config'>Configuration</a></li><li><a href='#prov-code'>Code</a></li>"
               "<li><a href='#prov-software'>Software and machine</a></li>"
               "<li><a href='#prov-runtime'>Run time</a></li></ol></li>")
    code_rows = [("git commit", prov.git.label)]
    if prov.git.branch:
        code_rows.append(("git branch", prov.git.branch))
    code_rows += [("package fingerprint", prov.fingerprint), ("i4districts version", i4districts.__version__)]
    software = [(name, version) for name, version in prov.packages.items()]
    machine = [(k, v) for k, v in prov.machine.items()]
    unknown = [s.path for s in prov.sources if not s.known]
    gap = (f"<p class='banner'>Provenance not recorded for {len(unknown)} input file(s): "
           f"{e(', '.join(unknown))}.</p>") if unknown else ""
    sections.append(
        "<section id='provenance'><h2>Provenance</h2>\n"
        f"<h3 id='prov-inputs'>Input data</h3>{gap}{_sources_table(prov.sources)}\n"
        f"<h3 id='prov-config'>Configuration</h3>{_config_section(prov.config)}\n"
        f"<h3 id='prov-code'>Code</h3>{_kv(code_rows)}\n"
        f"<h3 id='prov-software'>Software and machine</h3>{_kv(software)}{_kv(machine)}\n"
        f"{_runtime_section(run)}\n</section>"
    )
    scenario = f"Scenario <code>{e(manifest.scenario)}</code> · " if manifest.scenario else ""
    banner = (f"<p class='banner'>Some items rest on illustrative (synthetic) data: they say so and show no "
              f"significance stars.</p>") if any_synthetic else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">\n"
        f"<meta name='generator' content='i4districts {e(i4districts.__version__)}'>\n"
        f"<title>{e(manifest.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{e(manifest.title)}</h1><p class='meta'>{scenario}"
        f"git <code>{e(prov.git.commit[:12] if prov.git.dirty is not None else prov.git.commit)}</code> · "
        f"{e(prov.fingerprint)}</p>{banner}</header>\n"
        f"<nav id='contents'><h2>Contents</h2><ol>{''.join(toc)}</ol></nav>\n<main>\n"
        + "\n".join(sections)
        + "\n</main>\n<footer><p>Written by <code>i4d report html</code>. Self-contained: every table and image "
          "is embedded and the page loads nothing from the network.</p></footer>\n"
        f"<script>{CHECK_SCRIPT}</script>\n</body>\n</html>\n"
    )


def strip_runtime(page: str) -> str:
    """The page without its run-time block (what two builds of the same run share)."""
    return re.sub(re.escape(RUNTIME_START) + r".*?" + re.escape(RUNTIME_END), "", page, flags=re.DOTALL)


def build_report(manifest: Manifest, run: RunTime, *, git_dir: str | Path = ".") -> str:
    """Collect the provenance and render the page."""
    return render_page(manifest, collect_provenance(manifest, git_dir=git_dir), run)


def write_report(manifest: Manifest, out: str | Path, run: RunTime, *, git_dir: str | Path = ".") -> Path:
    """Render and write the page atomically."""
    return write_text(build_report(manifest, run, git_dir=git_dir), out)
