"""The self-contained HTML report: contents, provenance, well-formedness, no external loads, determinism."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import metadata, resources
from pathlib import Path

import pytest

from i4districts.cli import main
from i4districts.errors import InputError
from i4districts.report.fragment import clean_fragment
from i4districts.report.manifest import InputRef, Item, build_manifest, load_manifest, write_manifest
from i4districts.report.page import RUNTIME_END, RUNTIME_START, build_report, strip_runtime
from i4districts.report.provenance import git_state, run_time
from i4districts.report.sources import resolve_input

FIXED = dict(started="2026-01-02T03:04:05+00:00", ended="2026-01-02T03:05:10+00:00")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Balance(HTMLParser):
    """Records unbalanced tags and every src/href value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.links: list[str] = []
        self.tags: dict[str, int] = {}

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.links += [v or "" for k, v in attrs if k in ("src", "href", "srcset", "action", "data", "poster")]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def parse(page: str) -> Balance:
    checker = Balance()
    checker.feed(page)
    checker.close()
    return checker


@pytest.fixture()
def page(report_fixture) -> str:
    return build_report(report_fixture.manifest, run_time(**FIXED), git_dir=report_fixture.root)


def test_page_is_well_formed_and_loads_nothing_external(page):
    checker = parse(page)
    assert checker.errors == [] and checker.stack == []
    assert page.startswith("<!DOCTYPE html>")
    external = [link for link in checker.links if re.match(r"^\s*(https?:|//|ftp:|file:)", link, re.I)]
    assert external == []
    assert all(link.startswith(("#", "data:image/")) for link in checker.links)
    assert "default-src 'none'" in page and "img-src data:" in page
    assert "@import" not in page and "url(" not in page
    assert checker.tags["img"] == 2 and checker.tags["table"] >= 6


def test_page_embeds_tables_figures_and_diagnostics(page, report_fixture):
    root = report_fixture.root
    # tables: the HTML fragment (with its stars: the item is not synthetic), Markdown and CSV fallbacks
    assert "Fixture regression table" in page and "-0.8154***" in page and "(0.4617)" in page
    assert "<td>ITC11</td><td>1,234,567</td><td>0.4321</td>" in page
    assert "<td>G-I</td><td>-0.0381</td><td>-2.9051</td>" in page
    # figures: base64 data URIs of the very bytes of the files
    import base64

    png = base64.b64encode((root / "results/fixture/figures/gradient.png").read_bytes()).decode()
    svg = base64.b64encode((root / "results/fixture/figures/shapes.svg").read_bytes()).decode()
    assert f"src='data:image/png;base64,{png}'" in page and f"src='data:image/svg+xml;base64,{svg}'" in page
    # diagnostics from the record, numbers formatted to 4 decimals, no stars
    for text in ("-0.8154", "0.4617", "0.5417", "3.37", "C (122.8%)", "5.8% of 500 draws", "46.8%"):
        assert text in page
    section = page.split("id='diagnostics'", 1)[1].split("id='provenance'", 1)[0]
    assert "*" not in re.sub(r"<[^>]+>", "", section)
    # caption from the .rst file (comment dropped), rule and sha256 of each file
    assert "A <em>fixture</em> caption with <code>code</code>." in page and "a comment" not in page
    assert "made by rule <code>table</code>" in page
    assert sha256(root / "results/fixture/tables/regression.html") in page
    # a table of contents linking every item
    for item in report_fixture.manifest.items:
        assert f"href='#item-{item.id}'" in page and f"id='item-{item.id}'" in page


def test_provenance_lists_inputs_config_and_software(page, report_fixture):
    root = report_fixture.root
    csv_path = Path(report_fixture.shared_csv)
    assert sha256(csv_path) in page  # read in place: sha256 of the file itself
    sample = Path(str(resources.files("i4districts").joinpath("data/it_nama_10r_3empers.parquet")))
    assert sha256(sample) in page  # embedded sample inside the package
    assert "ab" * 32 in page and "eurostat/nama_10r_3empers/1f2e3d4c5b6a7980/20261123T184501.123456Z" in page
    assert "2026-11-23T18:45:01Z" in page  # the vintage's date
    assert "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/isoc_eb_p3dn2" in page  # from the ledger
    assert "Decision 2011/833/EU" in page and "Source: Eurostat, isoc_eb_p3dn2" in page
    assert "THIRD-PARTY derivation" in page
    config = root / "config/config.yaml"
    assert sha256(config) in page and "# fixture scenario" in page
    from i4districts.config import load_config

    canonical = json.dumps(load_config(config), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(canonical.encode()).hexdigest() in page
    assert "not a git checkout" in page
    assert f"<th scope='row'>numpy</th><td>{metadata.version('numpy')}</td>" in page
    assert f"<th scope='row'>pandas</th><td>{metadata.version('pandas')}</td>" in page
    from i4districts.provenance import package_fingerprint

    assert package_fingerprint() in page
    assert "Elapsed</th><td>1 min 5 s (65 s)</td>" in page


def test_two_builds_differ_only_in_the_run_time_block(report_fixture):
    first = build_report(report_fixture.manifest, run_time(**FIXED), git_dir=report_fixture.root)
    second = build_report(report_fixture.manifest, run_time(), git_dir=report_fixture.root)
    assert first.count(RUNTIME_START) == 1 and first.count(RUNTIME_END) == 1
    assert first != second
    assert strip_runtime(first) == strip_runtime(second)


def test_synthetic_items_show_no_stars(report_fixture):
    m = report_fixture.manifest
    items = [Item(kind="table", id="regression", path=("results/fixture/tables/regression.html",), rule="table",
                  synthetic=True)]
    page = build_report(build_manifest(title="t", items=items, base_dir=m.base_dir), run_time(**FIXED),
                        git_dir=report_fixture.root)
    table = page.split("<section id='tables'>", 1)[1].split("</section>", 1)[0]
    assert "-0.8154</td>" in table and "-0.0433</td>" in table
    assert "*" not in re.sub(r"<[^>]+>", "", table)
    assert "illustrative (synthetic) data" in table


def test_a_table_marked_illustrative_is_treated_as_synthetic(report_fixture, tmp_path):
    root = report_fixture.root
    (root / "ill.html").write_text("<table><tr><td>0.5**</td></tr><tfoot><tr><td>illustrative adoption data"
                                   "</td></tr></tfoot></table>")
    m = build_manifest(title="t", items=[Item(kind="table", id="ill", path=("ill.html",))], base_dir=root)
    page = build_report(m, run_time(**FIXED), git_dir=root)
    assert "<td>0.5</td>" in page and "0.5**" not in page


def test_fragments_are_cleaned_of_scripts_and_external_resources():
    dirty = ("<div onclick='x()'><style>@import url('https://fonts.example/x.css'); td{color:red;"
             "background:url(https://x.example/i.png)}</style><script>alert(1)</script>"
             "<table><tr><td style='background:url(http://e.example/a)'>1<img src='https://e.example/p.png'>"
             "<a href='https://e.example'>link</a></td><td>2<iframe src='https://e.example'></iframe></td></tr>"
             "</table><svg><script>x</script></svg><p>unclosed")
    clean = clean_fragment(dirty)
    assert "script" not in clean and "onclick" not in clean and "alert" not in clean
    assert "http" not in clean and "@import" not in clean and "url(" not in clean and "<img" not in clean
    assert "<td>1link</td>" in clean.replace(" style=\"background:\"", "")
    assert "td{color:red;" in clean
    checker = parse(clean)
    assert checker.errors == [] and checker.stack == []


def test_sources_match_the_ledger_checksum_or_say_it_differs(shared_data, tmp_path):
    geo = shared_data / "geo" / "NUTS_RG_20M_2016_4326_LEVL_3.geojson"
    [rec] = resolve_input(InputRef(str(geo)))
    assert rec.ledger == "nuts2016_l3" and rec.sha256 == sha256(geo)
    assert rec.checksum == "matches the ledger's pinned sha256"
    assert rec.url.endswith("NUTS_RG_20M_2016_4326_LEVL_3.geojson") and "EuroGeographics" in rec.attribution
    tampered = tmp_path / geo.name
    tampered.write_bytes(geo.read_bytes() + b"\n")
    [bad] = resolve_input(InputRef(str(tampered)))
    assert bad.checksum.startswith("DIFFERS") and bad.sha256 == sha256(tampered)
    unknown = tmp_path / "mystery.csv"
    unknown.write_text("a\n1\n")
    [rec] = resolve_input(InputRef(str(unknown)))
    assert not rec.known and rec.sha256 == sha256(unknown)
    with pytest.raises(InputError, match="not in the ledger"):
        resolve_input(InputRef(str(unknown), "no_such_dataset"))


def test_unrecorded_inputs_are_flagged_in_the_page(report_fixture):
    root = report_fixture.root
    (root / "mystery.csv").write_text("a\n1\n")
    m = build_manifest(title="t", items=report_fixture.manifest.items[:1], inputs=[InputRef("mystery.csv")],
                       base_dir=root)
    page = build_report(m, run_time(**FIXED), git_dir=root)
    assert "Provenance not recorded for 1 input file(s): mystery.csv" in page


def test_git_state_reads_the_checkout(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    assert git_state(repo).commit == "not a git checkout"
    env = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "f.txt").write_text("one\n")
    subprocess.run(["git", *env, "-C", str(repo), "add", "f.txt"], check=True)
    subprocess.run(["git", *env, "-C", str(repo), "commit", "-q", "-m", "one"], check=True)
    head = (repo / ".git/refs/heads/main").read_text().strip()  # read independently of `git rev-parse`
    state = git_state(repo)
    assert (state.commit, state.dirty, state.branch) == (head, False, "main")
    (repo / "f.txt").write_text("two\n")
    assert git_state(repo).dirty is True


def test_run_time_from_snakemake_records(tmp_path):
    import base64

    smk = tmp_path / ".snakemake"
    (smk / "log").mkdir(parents=True)
    (smk / "metadata").mkdir()
    (smk / "log/2026-01-02T030405.123456.snakemake.log").write_text("")
    (smk / "log/2025-12-31T235959.000001.snakemake.log").write_text("")
    out = "results/fixture/tables/regression.html"
    name = base64.urlsafe_b64encode(out.encode()).decode()
    (smk / "metadata" / name).write_text(json.dumps({"rule": "table", "starttime": 1767323045.0,
                                                     "endtime": 1767323048.5}))
    rt = run_time(snakemake_dir=smk, outputs=[out, "results/other.png"], ended="2026-01-02T04:00:00+00:00")
    expected = datetime(2026, 1, 2, 3, 4, 5, 123456).astimezone(UTC)  # the log name is local time
    assert rt.started == expected and "2026-01-02T030405.123456.snakemake.log" in rt.start_source
    assert len(rt.jobs) == 1 and rt.jobs[0].rule == "table" and rt.jobs[0].seconds == pytest.approx(3.5)


def test_missing_item_file_is_a_one_line_error(report_fixture, capsys):
    m = report_fixture.manifest
    manifest_path = report_fixture.root / "manifest.json"
    broken = build_manifest(title="t", items=[Item(kind="figure", id="gone", path=("figures/gone.png",), rule="maps")],
                            base_dir=m.base_dir)
    write_manifest(broken, manifest_path)
    code = main(["report", "html", "--manifest", str(manifest_path), "--base-dir", str(report_fixture.root),
                 "-o", str(report_fixture.root / "out.html")])
    err = capsys.readouterr().err
    assert code == 2 and "gone" in err and "figures/gone.png" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_manifest_fields_are_named(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text(json.dumps({"title": "t", "items": [{"kind": "movie", "path": "x.mp4"}]}))
    with pytest.raises(InputError, match=r"items\[0\]: field 'kind'"):
        load_manifest(bad)
    bad.write_text(json.dumps({"title": "t", "items": [{"kind": "table", "path": "a.html"},
                                                       {"kind": "table", "path": "b/a.html"}]}))
    with pytest.raises(InputError, match=r"items\[1\]: field 'id' 'a' repeats items\[0\]"):
        load_manifest(bad)


def test_cli_manifest_then_html(report_fixture):
    root = report_fixture.root
    manifest_path = root / "results/fixture/report_manifest.json"
    items = json.dumps([i.to_dict() for i in report_fixture.manifest.items])
    assert main(["report", "manifest", "--items-json", items, "--inputs", report_fixture.shared_csv,
                 "nama_10r_3empers=package:data/it_nama_10r_3empers.parquet", "--config", "config/config.yaml",
                 "--title", "CLI report", "--scenario", "fixture", "--base-dir", str(root),
                 "-o", str(manifest_path)]) == 0
    doc = json.loads(manifest_path.read_text())
    assert [i["id"] for i in doc["items"]] == [i.id for i in report_fixture.manifest.items]
    assert doc["inputs"][1] == {"dataset": "nama_10r_3empers", "path": "package:data/it_nama_10r_3empers.parquet"}
    out = root / "results/fixture/report.html"
    assert main(["report", "html", "--manifest", str(manifest_path), "--base-dir", str(root),
                 "--started", FIXED["started"], "-o", str(out)]) == 0
    page = out.read_text()
    assert "<title>CLI report</title>" in page and "Fixture regression table" in page
    # the same page from flags only (no manifest): tables, figures and records listed directly
    flat = root / "flat.html"
    assert main(["report", "html", "--tables", "results/fixture/tables/regression.html", "--figures",
                 "results/fixture/figures/gradient.png", "--records", "results/fixture/models/fixture_model.json",
                 "--config", "config/config.yaml", "--base-dir", str(root), "-o", str(flat)]) == 0
    assert "data:image/png;base64," in flat.read_text() and "fixture_model" in flat.read_text()
