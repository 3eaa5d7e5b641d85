"""``i4d figures`` commands: outputs written, exit status 2 with a one-line message on user errors."""

from __future__ import annotations

import json

import pandas as pd

from i4districts.cli import main
from i4districts.figures.style import EUROGEOGRAPHICS

from .test_coefplot import panel_record, shiftshare_record


def _ok(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def _fails(argv, capsys, *needles):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("i4d figures")
    for n in needles:
        assert n in err, err
    return err


def test_map_command(run_dir, nuts3_2016_path, nuts2_2016_path, tmp_path, capsys):
    stem = tmp_path / "lq"
    err = _ok(["figures", "map", "-i", str(run_dir / "indicators" / "specialization.parquet"),
               "--geometry", str(nuts3_2016_path), str(nuts2_2016_path), "--filter", "sector=C",
               "--filter", "indicator=lq", "--year", "latest", "--scheme", "userdefined",
               "--bins", "0.5", "0.8", "1", "1.25", "1.5", "--center", "1",
               "--title", "Manufacturing LQ, {year}", "-o", str(stem)], capsys)
    assert "110 region(s) mapped" in err
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    assert png.stat().st_size > 50_000
    text = svg.read_text(encoding="utf-8")
    assert EUROGEOGRAPHICS in text and "Manufacturing LQ, 2017" in text
    assert "Source: Eurostat, nama_10r_3empers" in text  # from the table's provenance notes


def test_map_command_errors(run_dir, nuts3_2016_path, tmp_path, capsys):
    spec = str(run_dir / "indicators" / "specialization.parquet")
    geo = ["--geometry", str(nuts3_2016_path)]
    out = ["-o", str(tmp_path / "x")]
    _fails(["figures", "map", "-i", spec, *geo, "--column", "lq", *out], capsys, "column 'lq' not found")
    _fails(["figures", "map", "-i", spec, *geo, "--filter", "sector=ZZ", *out], capsys, "no row with sector = 'ZZ'")
    _fails(["figures", "map", "-i", spec, *geo, "--filter", "sector=C", *out], capsys,
           "several rows per region", "indicator")
    _fails(["figures", "map", "-i", spec, *geo, "--filter", "sector=C", "--filter", "indicator=lq",
            "--year", "1990", *out], capsys, "no row for year 1990")
    _fails(["figures", "map", "-i", spec, *geo, "--filter", "sector=C", "--filter", "indicator=lq",
            "--country", "ES", *out], capsys, "no region of countries")
    sll = tmp_path / "values.csv"
    sll.write_text("region,value\nXX001,1\nXX002,2\n")
    _fails(["figures", "map", "-i", str(sll), *geo, *out], capsys, "none of the 2 region code")
    _fails(["figures", "map", "-i", spec, "--filter", "sector=C", "--filter", "indicator=lq", "--geometry",
            str(tmp_path / "none.geojson"), *out], capsys, "geometry file not found")
    assert not list(tmp_path.glob("x.*"))


def test_default_maps(run_dir, nuts3_2016_path, nuts2_2016_path, tmp_path, capsys):
    out = tmp_path / "figures"
    _ok(["figures", "default-maps", "--results", str(run_dir), "--geometry", str(nuts3_2016_path),
         str(nuts2_2016_path), "-o", str(out)], capsys)
    stems = ["map_lq_manufacturing", "map_district_class", "map_made_in_italy_share", "map_exposure",
             "map_polarization"]
    for s in stems:
        for ext in ("png", "svg"):
            f = out / f"{s}.{ext}"
            assert f.stat().st_size > 20_000, f
        assert EUROGEOGRAPHICS in (out / f"{s}.svg").read_text(encoding="utf-8")
    manifest = json.loads((out / "maps.json").read_text())
    assert sorted(manifest["maps"]) == sorted(stems) and manifest["skipped"] == {}
    assert manifest["maps"]["map_lq_manufacturing"]["matched"] == 110
    assert manifest["maps"]["map_lq_manufacturing"]["year"] == 2017
    pol = manifest["maps"]["map_polarization"]
    assert pol["matched"] + len(pol["no_data"]) == 21 and pol["geometry_nuts_version"] == "2016"
    assert pol["no_data"] == ["ITH5", "ITI3"]  # no 2000 attainment shares under these NUTS 2013 codes
    assert "2000\u20132015" in pol["title"]


def test_default_maps_skips_absent_inputs_and_needs_one(run_dir, nuts3_2016_path, tmp_path, capsys):
    err = _ok(["figures", "default-maps", "--results", str(run_dir), "--geometry", str(nuts3_2016_path),
               "--only", "map_exposure", "-o", str(tmp_path / "f")], capsys)
    assert (tmp_path / "f" / "map_exposure.png").is_file()
    manifest = json.loads((tmp_path / "f" / "maps.json").read_text())
    assert list(manifest["maps"]) == ["map_exposure"] and manifest["skipped"] == {}
    # an A*10 run (no sector C): the LQ map is skipped with the reason, the others are drawn
    a10 = tmp_path / "a10"
    (a10 / "indicators").mkdir(parents=True)
    spec = pd.read_parquet(run_dir / "indicators" / "specialization.parquet")
    spec[spec["sector"] != "C"].to_parquet(a10 / "indicators" / "specialization.parquet")
    _ok(["figures", "default-maps", "--results", str(a10), "--geometry", str(nuts3_2016_path),
         "--only", "map_lq_manufacturing", "-o", str(tmp_path / "h")], capsys)
    skipped = json.loads((tmp_path / "h" / "maps.json").read_text())["skipped"]
    assert "no sector C" in skipped["map_lq_manufacturing"]
    _fails(["figures", "default-maps", "--results", str(tmp_path / "empty"), "--geometry", str(nuts3_2016_path),
            "-o", str(tmp_path / "g")], capsys, "no input for any default map")
    _fails(["figures", "default-maps", "--results", str(run_dir), "--geometry", str(nuts3_2016_path),
            "--only", "map_nothing", "-o", str(tmp_path / "g")], capsys, "unknown map")


def test_coefplot_command(tmp_path, capsys):
    paths = []
    for rec in (shiftshare_record("ld"), panel_record()):
        p = tmp_path / f"{rec['model_id']}.json"
        p.write_text(json.dumps(rec))
        paths.append(str(p))
    stem = tmp_path / "coef"
    _ok(["figures", "coefplot", "-i", *paths, "--labels-json", '{"exposure": "Exposure to robots"}',
         "--models-json", '{"ld": "Long difference"}', "--title", "Specifications", "-o", str(stem),
         "--periods-out", str(tmp_path / "periods")], capsys)
    text = stem.with_suffix(".svg").read_text(encoding="utf-8")
    assert "Exposure to robots" in text and "Long difference" in text
    assert (tmp_path / "periods.png").is_file()  # placeholder saying there are no period terms
    assert "No period-specific terms" in (tmp_path / "periods.svg").read_text(encoding="utf-8")
    _fails(["figures", "coefplot", "-i", *paths, "--labels-json", "[1]", "-o", str(stem)], capsys,
           "--labels-json")
    _fails(["figures", "coefplot", "-i", *paths, "--method", "nope", "-o", str(stem)], capsys, "method 'nope'")
    _fails(["figures", "coefplot", "-i", str(tmp_path / "none.json"), "-o", str(stem)], capsys, "not found")
