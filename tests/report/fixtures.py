"""Files of the report tests: small hand-built tables, images, an estimation record, a config and a pin.

Nothing here reads a workflow run: every file is written into the test's temporary directory, apart
from the inputs read in place from the shared reference data and the package's embedded sample.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from i4districts.report.manifest import InputRef, Item, Manifest, build_manifest

TABLE_HTML = """<table class='regression'>
<caption>Fixture regression table</caption>
<thead><tr><th></th><th>(1) Long difference</th><th>(2) Stacked</th></tr></thead>
<tbody>
<tr><td>Exposure</td><td>-0.8154***</td><td>-0.0433*</td></tr>
<tr><td></td><td>(0.4617)</td><td>(0.0270)</td></tr>
<tr class='stat'><td>Observations</td><td>110</td><td>330</td></tr>
</tbody>
<tfoot><tr><td colspan='3'>Note: * p&lt;0.10, ** p&lt;0.05, *** p&lt;0.01</td></tr></tfoot>
</table>
"""

TABLE_MD = """**Fixture markdown table**

| region | employment | share |
|---|---:|---:|
| ITC11 | 1,234,567 | 0.4321 |
| ITC12 | 89,012 | 0.0345 |

Note: hand-built fixture
"""

TABLE_CSV = "sector,alpha,beta\nC,1.0439,-0.9588\nG-I,-0.0381,-2.9051\n"

SVG = ("<?xml version='1.0' encoding='utf-8'?>\n"
       "<svg xmlns='http://www.w3.org/2000/svg' width='120' height='60' viewBox='0 0 120 60'>"
       "<rect x='0' y='0' width='120' height='60' fill='#ffffff'/>"
       "<rect x='10' y='10' width='40' height='40' fill='#1f77b4'/>"
       "<circle cx='85' cy='30' r='20' fill='#d62728'/></svg>\n")

RECORD = {
    "model_id": "fixture_model",
    "kind": "shiftshare",
    "estimator": "ols",
    "outcome": "d_ln_employment",
    "regressor": "exposure",
    "nobs": 110,
    "n_sectors": 5,
    "n_region_clusters": 110,
    "inference": {"label": "RI (permuted shifts)", "n_clusters": 110, "method": "ri"},
    "coefficients": [{"term": "exposure", "estimate": -0.815364306425619, "std_error": 0.4617469552577298,
                      "t": -1.7658249765188234, "p": 0.5416666666666666, "ci_low": None, "ci_high": None}],
    "extra": {
        "diagnostics_summary": {"effective_shocks": 3.3720133963189842, "placebo_draws": 500,
                                "placebo_mc_se": 0.010453324829928513, "placebo_rejection": 0.058,
                                "top_sector": "C", "top_sector_share": 1.2275676827306992, "first_stage_f": None},
        "diagnostics": {"rotemberg": {"sum_alpha": 1.0, "sum_negative_alpha": -0.0443,
                                      "top": [{"sector": "C", "alpha": 1.0439133032907737, "beta": -0.958810342836897,
                                               "contribution": -1.0009148722202243,
                                               "share_of_estimate": 1.2275676827306992}]},
                        "shock_level": {"hhi": 0.2965587269290322}},
        "placebo": {"alpha": 0.05, "draws": 500, "rejection": {"ri": 0.058, "cluster": 0.468},
                    "mc_se": {"ri": 0.0105, "cluster": 0.0223}, "seed": 0, "shifts": "i.i.d. N(0,1)"},
    },
}

PIN = {
    "name": "nama_10r_3empers",
    "source": "eurostat",
    "dataset": "nama_10r_3empers",
    "licence": "Eurostat copyright notice, free re-use with attribution (Decision 2011/833/EU)",
    "attribution": "Source: Eurostat, nama_10r_3empers",
    "rows": 17,
    "vintages": [{"vintage_id": "eurostat/nama_10r_3empers/1f2e3d4c5b6a7980/20261123T184501.123456Z",
                  "sha256": "ab" * 32, "data_sha256": "cd" * 32,
                  "url": "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/nama_10r_3empers?format=TSV"}],
}

CONFIG = "# fixture scenario\nscenario: fixture\ndata:\n  country: IT\n"


def png_bytes(width: int = 16, height: int = 8) -> bytes:
    """A valid RGB PNG (a colour gradient), written with zlib and struct only."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes((16 * x % 256, 32 * y % 256, 160)) for x in range(width))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dataclass
class Fixture:
    root: Path
    manifest: Manifest
    shared_csv: str


def make_report_fixture(tmp_path: Path, shared_data: Path) -> Fixture:
    """A working directory with tables, figures, a record, a config and a pin, and its manifest."""
    root = tmp_path / "run"
    (root / "results/fixture/tables").mkdir(parents=True)
    (root / "results/fixture/figures").mkdir(parents=True)
    (root / "results/fixture/models").mkdir(parents=True)
    (root / "results/fetch").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "results/fixture/tables/regression.html").write_text(TABLE_HTML)
    (root / "results/fixture/tables/employment.md").write_text(TABLE_MD)
    (root / "results/fixture/tables/rotemberg.csv").write_text(TABLE_CSV)
    (root / "results/fixture/figures/gradient.png").write_bytes(png_bytes())
    (root / "results/fixture/figures/shapes.svg").write_text(SVG)
    (root / "results/fixture/models/fixture_model.json").write_text(json.dumps(RECORD))
    (root / "results/fetch/nama_10r_3empers.vintage.json").write_text(json.dumps(PIN))
    (root / "config/config.yaml").write_text(CONFIG)
    (root / "report").mkdir()
    (root / "report/table.rst").write_text("A *fixture* caption with ``code``.\n\n.. a comment, left out\n")
    shared_csv = str(shared_data / "isoc" / "isoc_eb_p3dn2_E_RBT_sector_country_year.csv")
    items = [
        Item(kind="table", id="regression", path=("results/fixture/tables/regression.html",), rule="table",
             caption_file="report/table.rst", category="Tables"),
        Item(kind="table", id="employment", path=("results/fixture/tables/employment.md",), rule="describe"),
        Item(kind="table", id="rotemberg", path=("results/fixture/tables/rotemberg.csv",), rule="describe",
             title="Rotemberg weights"),
        Item(kind="figure", id="gradient", path=("results/fixture/figures/gradient.png",), rule="maps",
             title="A gradient", caption="A PNG made in the test."),
        Item(kind="figure", id="shapes", path=("results/fixture/figures/shapes.svg",), rule="coefplot",
             title="Shapes"),
        Item(kind="diagnostics", id="diagnostics", path=("results/fixture/models/fixture_model.json",),
             rule="estimate"),
    ]
    manifest = build_manifest(
        title="Fixture report", scenario="fixture", items=items,
        inputs=[InputRef(shared_csv), InputRef("package:data/it_nama_10r_3empers.parquet", "nama_10r_3empers"),
                InputRef("results/fetch/nama_10r_3empers.vintage.json")],
        config_files=["config/config.yaml"], base_dir=root)
    return Fixture(root=root, manifest=manifest, shared_csv=shared_csv)
