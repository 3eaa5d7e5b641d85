"""Workflow level: dry run, lint, config errors, a real run of the default pipeline, idempotence,
scenarios side by side, the default profile, reruns on code changes, and shell-injection probes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from linearmodels.panel import PanelOLS

from i4districts.provenance import package_root

from .conftest import REPO, make_workdir, results, snakemake

pytestmark = pytest.mark.workflow

RULES = ("sample", "panel", "specialization", "concentration", "adoption", "exposure", "district_shares", "differences",
         "estimate", "table", "all")


def _edit_config(workdir: Path, **sections) -> dict:
    cfg_path = workdir / "config" / "config.yaml"
    cfg = yaml.safe_load(cfg_path.read_text())
    for section, values in sections.items():
        if isinstance(values, dict) and isinstance(cfg.get(section), dict):
            cfg[section].update(values)
        else:
            cfg[section] = values
    cfg_path.write_text(yaml.safe_dump(cfg, sort_keys=False))  # keep the models' (column) order
    return cfg


def test_dry_run_lists_every_job(workdir: Path):
    out = snakemake(workdir, "--dry-run").stdout
    for rule in RULES:
        assert f"rule {rule}:" in out or f"\n{rule} " in out, rule
    assert not (workdir / "results").exists()


def test_lint_is_clean(workdir: Path):
    proc = snakemake(workdir, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(("patch", "key"), [({"data": {"colour": 1}}, "data.colour"),
                                            ({"data": {"nuts_level": "x"}}, "data.nuts_level")])
def test_bad_config_stops_before_the_dag_naming_the_key(workdir: Path, patch: dict, key: str):
    _edit_config(workdir, **patch)
    proc = snakemake(workdir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert key in proc.stdout + proc.stderr


def test_bad_model_spec_stops_naming_the_file(workdir: Path):
    spec = workdir / "config" / "models" / "ld_robots.yaml"
    spec.write_text(spec.read_text() + "colour: red\n")
    proc = snakemake(workdir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert "ld_robots.yaml" in proc.stdout + proc.stderr and "colour" in proc.stdout + proc.stderr


def test_missing_model_spec_names_the_config_key(workdir: Path):
    _edit_config(workdir, models={"ld_robots": "config/models/absent.yaml"})
    proc = snakemake(workdir, "--dry-run", check=False)
    assert proc.returncode != 0
    assert "models.ld_robots" in proc.stdout + proc.stderr and "absent.yaml" in proc.stdout + proc.stderr


def test_plain_snakemake_runs_with_the_default_profile(workdir: Path):
    # no --cores on the command line: the defaults of workflow/profiles/default apply
    proc = snakemake(workdir, "results/italy/data/sample.parquet", cores=None, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (results(workdir) / "data" / "sample.parquet").is_file()


def test_a_failed_rule_shows_its_log(workdir: Path):
    _edit_config(workdir, data={"country": "DE"})
    proc = snakemake(workdir, "results/italy/data/panel.parquet", check=False)
    assert proc.returncode != 0
    assert "no embedded sample for 'DE'" in proc.stdout + proc.stderr  # the log's content, not only its path


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    workdir = make_workdir(tmp_path_factory.mktemp("default_run"))
    snakemake(workdir)
    return workdir


def test_default_run_rests_on_real_data_only(default_run: Path):
    from i4districts import io

    out = results(default_run)
    texts = [(out / "tables" / f"employment_exposure.{e}").read_text() for e in ("tex", "md", "csv", "html")]
    notes = [n for p in (out / "data").glob("*.parquet") for n in io.read_notes(p)]
    assert len(texts) == 4 and notes
    assert not any("illustrative" in t.lower() for t in [*texts, *notes])
    assert any("isoc_eb_p3dn2" in n for n in notes) and any("nama_10r_3empers" in n for n in notes)
    assert any("cross-sectional exposure" in n for n in notes)


def test_default_run_joins_the_istat_district_measure(default_run: Path):
    frame = pd.read_parquet(results(default_run) / "data" / "stacked_differences.parquet").drop_duplicates("region")
    share = frame.set_index("region")["made_in_italy_share"]
    assert len(share) == 110 and share.between(0, 1).all()
    assert share["ITI35"] == pytest.approx(1.0) and share["ITI15"] == pytest.approx(1.0)  # Fermo, Prato
    assert share["ITI43"] < 0.01  # Roma
    classes = pd.read_parquet(results(default_run) / "data" / "district_shares.parquet")
    sums = classes[classes["level"] == "class"].groupby("region")["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0, abs=1e-12)


def test_default_run_writes_tables_holding_the_estimate(default_run: Path):
    import statsmodels.api as sm

    tables = results(default_run) / "tables"
    long = pd.read_parquet(results(default_run) / "data" / "long_differences.parquet")
    # independent reference: OLS of the 2000-2017 log change on exposure and macro-area dummies, CR1 by province
    x = pd.get_dummies(long["macro_area"], drop_first=True, dtype=float)
    x.insert(0, "exposure", long["exposure"])
    ref = sm.OLS(long["d_ln_employment"], sm.add_constant(x)).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(long["region"])[0]})
    from i4districts.tables.regression import read_coefficients

    coefs = read_coefficients(tables / "employment_exposure.csv")
    assert list(pd.unique(coefs["model"])) == ["ld_robots", "stacked_robots", "stacked_robots_by_district"]
    row = coefs[coefs["model"] == "ld_robots"].set_index("term").loc["exposure"]
    assert row["estimate"] == pytest.approx(ref.params["exposure"], rel=1e-10)
    assert row["std_error"] == pytest.approx(ref.bse["exposure"], rel=1e-8)  # RI studentises with CR1
    tex = (tables / "employment_exposure.tex").read_text()
    assert r"\toprule" in tex and f"{ref.params['exposure']:.4f}" in tex
    assert "Exposure to robot-intensive industries" in tex  # label from config tables.labels
    assert "Inference by column: (1) RI (permuted shifts)" in tex
    assert (results(default_run) / "indicators" / "specialization.parquet").is_file()


def test_default_run_writes_the_publication_outputs(default_run: Path):
    """Tables in every format, maps with the attribution, the coefficient plot, the SLL outputs and a
    self-contained report with provenance (#12, #13)."""
    out = results(default_run)
    for name in ("employment_exposure", "descriptive", "top_lq", "design_diagnostics"):
        for ext in ("tex", "standalone.tex", "md", "csv", "html", "fragment.html"):
            assert (out / "tables" / f"{name}.{ext}").stat().st_size > 0, (name, ext)
    maps = sorted(p.stem for p in (out / "figures").glob("map_*.svg"))
    assert maps == ["map_district_class", "map_exposure", "map_lq_manufacturing", "map_made_in_italy_share"]
    for stem in maps:
        assert "EuroGeographics for the administrative boundaries" in (out / "figures" / f"{stem}.svg").read_text()
    assert (out / "figures" / "coefplot.png").stat().st_size > 10_000
    sll = pd.read_parquet(out / "districts" / "sll_districts.parquet")
    assert len(sll) == 515 and sll["sll"].is_unique
    shares = pd.read_parquet(out / "districts" / "nuts3_district_shares.parquet")
    assert shares["region"].nunique() == 110
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") >= 5 and "Exposure to robot-intensive industries" in page
    assert "sha256" in page and "Provenance" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", page)  # self-contained


def test_readme_replication_section_is_generated_from_the_workflow(default_run: Path):
    """The README's list of tables and figures (rule and file of each) is the workflow's, not hand-written."""
    from i4districts.cli import main

    check = default_run.parent / "readme_check"  # beside the run: the run's own files stay untouched
    (check / "results" / "italy").mkdir(parents=True, exist_ok=True)
    (check / "workflow" / "report").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "README.md", check / "README.md")
    shutil.copy(REPO / "workflow" / "report" / "runtimes.json", check / "workflow" / "report" / "runtimes.json")
    shutil.copy(REPO / "pyproject.toml", check / "pyproject.toml")
    (check / "src" / "i4districts" / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "src" / "i4districts" / "data" / "PROVENANCE.md", check / "src" / "i4districts" / "data")
    # the test's configs read the shared data by absolute path; the README names it ../shared/data
    shared = Path(os.environ.get("I4D_SHARED_DATA", REPO.parent / "shared" / "data")).resolve()
    beside = check.parent / "shared"
    if not beside.exists():
        beside.symlink_to(shared.parent, target_is_directory=True)
    shutil.copytree(results(default_run), check / "results" / "italy", dirs_exist_ok=True)  # titles, files
    manifest = (results(default_run) / "report_manifest.json").read_text()
    (check / "results" / "italy" / "report_manifest.json").write_text(manifest.replace(str(shared), "../shared/data"))
    cwd = os.getcwd()
    os.chdir(check)
    try:
        code = main(["report", "replication", "--summary", "results/italy/report_manifest.json", "--readme",
                     "README.md", "--runtimes", "workflow/report/runtimes.json", "--check"])
    finally:
        os.chdir(cwd)
    assert code == 0, "README's replication section is stale: regenerate it (README: Replication)"


def test_default_run_latex_tables_compile(default_run: Path, tmp_path: Path):
    if not shutil.which("pdflatex"):
        if os.environ.get("CI"):
            pytest.fail("pdflatex missing in CI (.ci/run installs texlive-latex-base and -recommended)")
        pytest.skip("no TeX engine here")
    for tex in sorted((results(default_run) / "tables").glob("*.standalone.tex")):
        shutil.copy(tex, tmp_path / tex.name)
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, (tex.name, run.stdout[-1500:])


def test_every_default_model_passes_its_placebo(default_run: Path):
    """Random shift vectors through the shipped design reject at 5% in 2-8% of 500 draws under the
    inference each column uses (issue: a design that survives its placebo)."""
    import json

    for path in sorted((results(default_run) / "models").glob("*.json")):
        record = json.loads(path.read_text())
        summary = record["extra"]["diagnostics_summary"]
        assert record["kind"] == "shiftshare" and record["inference"]["method"] == "ri", path.name
        assert summary["placebo_draws"] >= 500
        assert 0.02 <= summary["placebo_rejection"] <= 0.08, (path.name, summary)
        if record["model_id"] == "ld_robots":  # region-clustered errors over-reject on the same design
            assert record["extra"]["placebo"]["rejection"]["cluster"] > 0.15


def test_default_run_concentration_per_sector_year(default_run: Path):
    conc = pd.read_parquet(results(default_run) / "indicators" / "concentration.parquet")
    assert not conc.duplicated(["sector", "year"]).any()
    assert len(conc) == 11 * 18  # A10_split_C sectors x 2000-2017


def test_second_run_does_nothing(default_run: Path):
    out = snakemake(default_run, "--dry-run")
    assert "Nothing to be done" in out.stdout + out.stderr


def test_fresh_timestamps_rerun_nothing_but_an_edited_spec_reruns_its_model(default_run: Path):
    """A fresh clone gives every config file and model spec a new mtime: nothing reruns. An edit of a
    spec's content reruns that model (specs are tracked by sha256, not by timestamp)."""
    for f in (default_run / "config").rglob("*.yaml"):
        os.utime(f)  # a fresh clone's timestamps
    assert "Nothing to be done" in snakemake(default_run, "--dry-run").stdout
    spec = default_run / "config" / "models" / "ld_robots.yaml"
    original = spec.read_text()
    spec.write_text(original + "\n# an edit\n")
    try:
        out = snakemake(default_run, "--dry-run").stdout
    finally:
        spec.write_text(original)
    assert re.search(r"^estimate\s+1$", out, re.M), out[-1500:]  # that model only
    assert "models/ld_robots.json" in out


def test_a_change_of_package_code_reruns_the_rules(default_run: Path):
    probe = package_root() / "_fingerprint_probe.py"
    probe.write_text("# a change of the package's code\n")
    try:
        out = snakemake(default_run, "--dry-run").stdout
    finally:
        probe.unlink()
    assert "Nothing to be done" not in out
    for rule in ("sample", "panel", "estimate", "table"):
        assert f"rule {rule}:" in out, rule
    assert "Nothing to be done" in snakemake(default_run, "--dry-run").stdout  # back to the original code


def test_scenarios_live_side_by_side(default_run: Path):
    out = snakemake(default_run, "--dry-run", "--config", "scenario=robustness").stdout
    assert "results/robustness/tables/employment_exposure.md" in out
    assert "results/italy/" not in out  # a variant writes beside the default, never over it


def test_user_table_with_injection_probes_runs_quoted(default_run: Path, tmp_path: Path):
    """A user adoption table whose unit and model-spec file name carry shell syntax: no command runs from them."""
    from i4districts.cli import main

    workdir = make_workdir(tmp_path / "user_table")
    paths = illustrative = workdir / "illustrative.parquet"
    assert main(["exposure", "adoption", "-i", str(results(default_run) / "data" / "panel.parquet"),
                 "-o", str(paths), "--source", "illustrative"]) == 0
    illustrative = pd.read_parquet(paths)
    table = workdir / "robots.csv"
    illustrative.rename(columns={"value": "robots"})[["sector", "year", "robots"]].to_csv(table, index=False)
    models = workdir / "config" / "models"
    evil_spec = models / "m$(touch SPEC_PWNED).yaml"
    (models / "growth_exposure.yaml").rename(evil_spec)
    cfg = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    cfg["models"] = {"growth_exposure": f"config/models/{evil_spec.name}"}  # annual growth on the annual frame
    cfg["tables"]["descriptive"] = {"variables": []}  # the default's variables belong to the difference frames
    cfg["tables"]["column_groups"] = {}  # they name the default's models
    cfg["adoption"] = {"source": "table", "table": "robots.csv", "column": "robots",
                       "unit": "robots per 1'000 workers x'$(touch UNIT_PWNED)'"}
    cfg["exposure"]["design"] = "annual"  # a user table by year: annual exposure and its change
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    snakemake(workdir)
    assert not list(workdir.rglob("*PWNED*")) or all(p == evil_spec for p in workdir.rglob("*PWNED*"))
    assert not (workdir / "SPEC_PWNED").exists() and not (workdir / "UNIT_PWNED").exists()
    md = (results(workdir) / "tables" / "employment_exposure.md").read_text()
    assert "illustrative" not in md and "robots.csv" in md
    units = set(pd.read_parquet(results(workdir) / "data" / "exposure.parquet")["unit"])
    assert units == {"robots per 1'000 workers x'$(touch UNIT_PWNED)'"}  # the value arrives intact


def _run_in_background(workdir: Path) -> "subprocess.Popen":
    import os
    import subprocess
    import sys

    from .conftest import REPO

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.Popen([sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
                             "--directory", str(workdir), "--cores", "1"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_for_a_job(workdir: Path, proc, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (results(workdir) / "data" / "sample.parquet").exists() and proc.poll() is None:
            return
        time.sleep(0.05)
    raise AssertionError("the background run did not start a job in time")


def test_concurrent_run_names_the_lock_and_sigkill_recovers(default_run: Path, tmp_path: Path):
    import os
    import signal

    workdir = make_workdir(tmp_path / "killed")
    proc = _run_in_background(workdir)
    try:
        _wait_for_a_job(workdir, proc)
        second = snakemake(workdir, check=False)  # a second run while the first holds the lock
        assert second.returncode != 0
        assert "locked by another Snakemake run" in second.stdout + second.stderr
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # kill the first run mid-way, jobs included
        proc.wait()
    stale = snakemake(workdir, check=False)
    assert stale.returncode != 0 and "snakemake --unlock" in stale.stdout + stale.stderr
    snakemake(workdir, "--unlock")
    snakemake(workdir, "--rerun-incomplete")
    ours = pd.read_csv(results(workdir) / "tables" / "employment_exposure.csv")
    ref = pd.read_csv(results(default_run) / "tables" / "employment_exposure.csv")
    pd.testing.assert_frame_equal(ours, ref)
    assert not list(workdir.rglob(".*.tmp"))  # no half-written temporaries left behind
    assert "Nothing to be done" in snakemake(workdir, "--dry-run").stdout


def test_spain_runs_by_config_only(tmp_path: Path, shared_data: Path):
    workdir = make_workdir(tmp_path / "spain")
    snakemake(workdir, "--configfile", "config/spain.yaml")
    out = workdir / "results" / "spain"
    for ext in ("tex", "md", "csv", "html"):
        assert (out / "tables" / f"employment_exposure.{ext}").is_file()
    lq = pd.read_parquet(out / "indicators" / "specialization.parquet")
    lq = lq[(lq["indicator"] == "lq") & (lq["sector"] == "C") & (lq["year"] == 2015)].set_index("region")["value"]
    assert lq.index.str.startswith("ES").all() and len(lq) == 59
    # Hand check from the published CSV: LQ_C = (C_r / E_r) / (C_ES / E_ES), NUTS-3 provinces as the reference
    raw = pd.read_csv(shared_data / "eurostat" / "ES_nama_10r_3empers.csv")
    raw["geo"] = raw["GeoId"].str.removeprefix("dcid:nuts/")
    r = raw[(raw["Date"] == 2015) & (raw["geo"].str.len() == 5) & ~raw["geo"].str.endswith("Z")].set_index("geo")
    c, t = r["Count_Person_Employed_NACE/C"].round(), r["Count_Person_Employed"].round()
    for province in ("ES521", "ES522"):  # Alicante (Vinalopó footwear, Toy Valley), Castellón (ceramics)
        assert lq[province] == pytest.approx((c[province] / t[province]) / (c.sum() / t.sum()), rel=1e-12)
    assert lq["ES522"] > 2 > 1 > lq["ES521"]  # Castellón's ceramics vs Alicante's large service economy
    assert not (workdir / "results" / "italy").exists()
