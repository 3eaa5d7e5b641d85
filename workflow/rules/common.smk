# Shared set-up of the rules: config validation, defaults of the workflow profile, the code
# fingerprint that reruns rules when the package or its embedded data change, input functions.
import json
import os
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.logging import logger as snakemake_logger

from i4districts.config import validate_config
from i4districts.errors import SpecError
from i4districts.specs import load_model_spec
from i4districts.fetch.cli import mirrored_names
from i4districts.fetch.ledger import load_ledger
from i4districts.fetch.settings import default_mirror
from i4districts.provenance import package_fingerprint
from i4districts.sample import EMBEDDED_SAMPLES

_validated = validate_config(config, source="config (config/config.yaml and --config overrides)")
config.clear()
config.update(_validated)
MODEL_KINDS = {}  # model id -> "panel" | "shiftshare" (the estimate command to run)
MODEL_FRAMES = {}  # model id -> "annual" | "long" | "stacked" (the frame it is estimated on)
MODEL_SPECS = {}  # model id -> spec path
for _model_id, _entry in config["models"].items():
    _spec_path = _entry if isinstance(_entry, str) else _entry["spec"]
    MODEL_SPECS[_model_id] = _spec_path
    MODEL_FRAMES[_model_id] = "annual" if isinstance(_entry, str) else _entry.get("frame", "annual")
    try:
        _spec = load_model_spec(_spec_path)  # raises naming the file and field of a bad model spec
    except SpecError as _exc:
        raise SpecError(f"config key 'models.{_model_id}': {_exc}") from None
    MODEL_KINDS[_model_id] = _spec.kind

# With the root Snakefile, Snakemake does not look in workflow/profiles/default; apply its
# defaults here so that plain `snakemake` runs (explicit command-line flags still win).
_PROFILE = yaml.safe_load((Path(workflow.basedir) / "workflow/profiles/default/config.yaml").read_text())
if workflow.resource_settings.cores is None and workflow.resource_settings.nodes is None:  # not on a cluster
    workflow.resource_settings.cores = int(_PROFILE["cores"])
for _handler in snakemake_logger.handlers:  # the log handlers exist before the Snakefile is read
    if _PROFILE.get("show-failed-logs") and hasattr(_handler.formatter, "show_failed_logs"):
        _handler.formatter.show_failed_logs = True
    for _filter in _handler.filters:
        if _PROFILE.get("printshellcmds") and hasattr(_filter, "printshellcmds"):
            _filter.printshellcmds = True

# Another run holding this directory's lock would otherwise surface as advice to --rerun-incomplete
# (its outputs in progress look incomplete): say what is really going on.
_locks = sorted(Path(".snakemake/locks").glob("*.lock"))
if _locks and not {"--unlock", "--nolock", "-n", "--dry-run", "--dryrun"} & set(sys.argv):
    raise WorkflowError(
        f"the working directory is locked by another Snakemake run ({', '.join(map(str, _locks))}). Wait for "
        "that run to finish; if none is running (it was killed), remove the stale lock with `snakemake --unlock`, "
        "then finish its half-written outputs with `snakemake --rerun-incomplete`."
    )

SCENARIO = config["scenario"]
R = f"results/{SCENARIO}"  # every output of this scenario lives below it
ENV = "../envs/i4districts.yaml"
# sha256 over the package's code and data files: a param of every rule that runs package code,
# so editing the code or the embedded sample reruns them (Snakemake's params rerun trigger).
CODE = package_fingerprint()

FETCH_LEDGER = load_ledger()
FETCH_TABLES = [n for n, s in FETCH_LEDGER.items() if s.api != "file"]
FETCH_FILES = [n for n, s in FETCH_LEDGER.items() if s.api == "file" and s.format == "geojson"]
FETCH_DOWNLOADS = {n: s.ext for n, s in FETCH_LEDGER.items() if s.api == "file" and s.format != "geojson"}
if config["data"]["source"] == "fetched" and config["data"]["dataset"] not in FETCH_TABLES:
    raise ValueError(f"config key 'data.dataset': {config['data']['dataset']!r} is not a table of the ledger "
                     f"({sorted(FETCH_TABLES)})")
_unknown_datasets = sorted(set(config["fetch"].get("datasets", [])) - set(FETCH_LEDGER))
if _unknown_datasets:
    raise ValueError(
        f"config key 'fetch.datasets': unknown dataset(s) {_unknown_datasets}; "
        f"the ledger has {sorted(FETCH_LEDGER)}"
    )


def table_files(name, caption="table"):
    """A table's files in every configured format; its HTML fragment goes into the reports with the caption
    workflow/report/<caption>.rst."""
    files = expand(f"{R}/tables/{name}.{{fmt}}", fmt=config["tables"]["formats"])
    if "html" in config["tables"]["formats"]:
        files.append(report(f"{R}/tables/{name}.fragment.html", caption=f"../report/{caption}.rst",
                            category="Tables"))
    return files


def model_spec(wildcards):
    """Path of the model-spec YAML declared for this model id in config['models']."""
    return MODEL_SPECS[wildcards.model]


def model_spec_sha256(wildcards):
    """sha256 of the model spec: a param, so that an edit reruns the model and a new mtime does not."""
    from i4districts.io import sha256_file

    return sha256_file(MODEL_SPECS[wildcards.model])


def frame_path(model_id):
    """The frame a model is estimated on: the annual model frame or a long/stacked difference frame."""
    kind = MODEL_FRAMES[model_id]
    return rules.model_frame.output[0] if kind == "annual" else f"{R}/data/{kind}_differences.parquet"


def model_frame_input(wildcards):
    return frame_path(wildcards.model)


def difference_periods(wildcards):
    """Periods of the long or stacked differences, as START-END arguments."""
    d = config["differences"]
    periods = [d["long"]] if wildcards.kind == "long" else d["stacked"]
    return [f"{a}-{b}" for a, b in periods]


def district_traits():
    """The region traits joined to the frames: ISTAT class shares per province, or the synthetic world's
    district employment share per NUTS-3 region."""
    measure = config["districts"]["measure"]
    if measure == "none":
        return {}
    if measure == "synthetic":
        return {"traits": f"{R}/data/district_traits.parquet"}
    return {"traits": rules.district_shares.output.summary}


def difference_traits(wildcards):
    return district_traits()


def difference_args(wildcards, input):
    args = ["--traits", input.traits] if config["districts"]["measure"] != "none" else []
    if config["differences"]["interact"]:
        args += ["--interact", *config["differences"]["interact"]]
    return args


def frames_used(wildcards):
    """Every frame the configured models use (their notes go in the table)."""
    return sorted({frame_path(m) for m in config["models"]})


def estimate_command(wildcards, input):
    """`panel`, or `shiftshare --shares <exposure design>` (AKM inference on the pipeline's own shares)."""
    if MODEL_KINDS[wildcards.model] == "shiftshare":
        return ["shiftshare", "--shares", input.design]
    return ["panel"]


def model_results(wildcards):
    return expand(rules.estimate.output.record, model=list(config["models"]))


def adoption_table(wildcards):
    """The adoption table as an input (so edits trigger a rerun), or nothing for illustrative paths."""
    return [config["adoption"]["table"]] if config["adoption"]["source"] in ("table", "eurostat") else []


def adoption_table_args(wildcards, input):
    """Arguments naming the adoption table and its options (a list: each item is shell-quoted by :q)."""
    adoption = config["adoption"]
    if adoption["source"] == "table":
        return ["--table", input.table, "--column", adoption["column"], "--unit", adoption["unit"]]
    if adoption["source"] == "eurostat":
        return ["--table", input.table, "--indicator", adoption["indicator"], "--uncovered", adoption["uncovered"],
                "--instrument-countries", adoption["instrument_countries"]]
    return []


def table_dir(wildcards, output):
    """Directory of the table files (derived from the outputs)."""
    return str(Path(output[0]).parent)


def fetched_sample_inputs(wildcards):
    """The fetched table and its pin when data.source is fetched (they come from rule fetch_table), or the
    synthetic world's sample."""
    if config["data"]["source"] == "synthetic":
        return {"table": f"{R}/world/sample.parquet"}
    if config["data"]["source"] != "fetched":
        return {}
    name = config["data"]["dataset"]
    return {"table": f"results/fetch/{name}.parquet", "pin": f"results/fetch/{name}.vintage.json"}


def fetched_sample_args(wildcards, input):
    """Arguments of `i4d data sample` for a fetched source (a list: each item is shell-quoted by :q)."""
    if config["data"]["source"] == "synthetic":
        return ["-i", input.table]
    if config["data"]["source"] != "fetched":
        return []
    args = ["-i", input.table, "--pin", input.pin]
    for dim, code in sorted(config["data"]["filters"].items()):
        args += ["--filter", f"{dim}={code}"]
    return args


def synthetic_args(wildcards):
    s = config["data"]["synthetic"]
    return ["--scale", s["scale"], "--seed", str(s["seed"])]


def district_inputs(wildcards):
    """ISTAT's files read by rule district_shares (inputs, so that a new file reruns it)."""
    from i4districts.harmonize.istat import FRAME_SBS_FILE, SLL_CROSSWALK_FILE, SLL_SPECIALISATION_FILE

    root = Path(config["districts"]["data"])
    return [str(root / f) for f in (SLL_CROSSWALK_FILE, SLL_SPECIALISATION_FILE, FRAME_SBS_FILE)]


def frame_traits(wildcards):
    """The district summary as region traits of the model frame, when a district measure is configured."""
    return district_traits()


def frame_traits_args(wildcards, input):
    return ["--traits", input.traits] if config["districts"]["measure"] != "none" else []


def nuts_change_sheets(wildcards):
    """Eurostat's NUTS change sheets found in data.nuts_changes (none if the directory is absent)."""
    from i4districts.harmonize.correspondence import find_change_sheets

    return [str(p) for p in find_change_sheets(config["data"]["nuts_changes"])]


def nuts_args(wildcards, input):
    """--nuts-version and the change sheets (a list: each item is shell-quoted by :q)."""
    return ["--nuts-version", config["data"]["nuts_version"], "--nuts-changes", *input.nuts_changes]


def polarization_outputs(wildcards):
    """Education polarization outputs when polarization.education is on (needs the fetched LFS table)."""
    if not config["polarization"]["education"]:
        return []
    return [f"{R}/indicators/education_tier_shares.parquet", f"{R}/indicators/education_polarization.parquet"]


def fetch_targets(wildcards):
    """Outputs of config['fetch']['datasets'] (default: every dataset the mirror covers)."""
    names = config["fetch"].get("datasets") or mirrored_names(FETCH_LEDGER)
    ext = {n: ("geojson" if n in FETCH_FILES else FETCH_DOWNLOADS.get(n, "parquet")) for n in FETCH_LEDGER}
    return [f"results/fetch/{n}.{ext[n]}" for n in names]


def sll_decisions(wildcards):
    """The screen's decisions as an input of the SLL table when districts.screen is on."""
    return {"decisions": rules.district_screen.output[0]} if config["districts"]["screen"] else {}


def sll_decision_args(wildcards, input):
    return ["--decisions", input.decisions] if config["districts"]["screen"] else []


def district_outputs(wildcards):
    """SLL table and NUTS-3 shares when a district measure is configured."""
    if config["districts"]["measure"] == "none":
        return []
    if config["districts"]["measure"] == "synthetic":
        return [*rules.synthetic_districts.output]
    return [rules.sll_districts.output.table, rules.sll_districts.output.shares]


def table_star_args(wildcards):
    """--stars LEVELS, or --no-stars (a list: each item shell-quoted by :q); --no-design-rows if configured."""
    t = config["tables"]
    args = ["--no-stars"] if t["stars"] is False else ["--stars", *[str(x) for x in t["stars"]]]
    return args + ([] if t["design_rows"] else ["--no-design-rows"])


def descriptive_args(wildcards):
    v = config["tables"]["descriptive"]["variables"]
    return ["--variables", *v] if v else []


def indicator_table_inputs(wildcards):
    """District summary and ISTAT groups beside the LQs when the ISTAT district measure is on."""
    if config["districts"]["measure"] != "istat_sll2021":
        return {}
    from i4districts.harmonize.istat import SLL_SPECIALISATION_FILE

    return {"summary": rules.district_shares.output.summary,
            "groups": str(Path(config["districts"]["data"]) / SLL_SPECIALISATION_FILE)}


def indicator_table_args(wildcards, input):
    t = config["tables"]["indicators"]
    args = ["--sector", t["sector"], "--top", str(t["top"])] + (["--year", str(t["year"])] if t["year"] else [])
    if config["districts"]["measure"] == "istat_sll2021":
        args += ["--summary", input.summary, "--groups", input.groups]
    return args


def district_decisions_table(wildcards):
    """The decisions behind the district list: the method's on a synthetic world, else the screen's."""
    if config["districts"]["measure"] == "synthetic":
        return f"{R}/districts/district_decisions.parquet"
    return rules.district_screen.output[0]


def _map_stems():
    stems = []
    if config["data"]["sectors"].endswith("_split_C"):  # the LQ map needs manufacturing (C) on its own
        stems.append("map_lq_manufacturing")
    if config["districts"]["measure"] == "istat_sll2021":
        stems += ["map_district_class", "map_made_in_italy_share"]
    stems.append("map_exposure")
    if config["polarization"]["education"]:
        stems.append("map_polarization")
    return stems


MAP_STEMS = _map_stems()


def map_inputs(wildcards):
    """District shares and the polarization table beside the LQs and the exposure, when configured."""
    extra = {}
    if config["districts"]["measure"] == "istat_sll2021":
        extra.update(shares=rules.district_shares.output.shares, summary=rules.district_shares.output.summary)
    if config["polarization"]["education"]:
        extra["polarization"] = f"{R}/indicators/education_polarization.parquet"
    return extra


def figure_outputs(wildcards):
    return [*rules.maps.output, *rules.coefplot.output]


def table_outputs(wildcards):
    """Every publication table of the scenario."""
    out = [*rules.descriptive_table.output]
    if has_shiftshare_models():
        out += rules.diagnostics_table.output
    if lq_sector_in_panel():
        out += rules.indicator_table.output
    if config["districts"]["screen"] or config["districts"]["measure"] == "synthetic":
        out += rules.district_table.output
    return out


# The shared data beside the repository serves the fetch layer as its mirror when no mirror is set
# (the GISCO geometries of the maps come through the fetch layer, offline). Runtime default only:
# I4D_MIRROR / I4D_FETCH_MODE set by the user win.
default_mirror(config["districts"]["data"])


def has_shiftshare_models():
    """Whether any configured model is a shift-share model (the design-diagnostics table needs one)."""
    return "shiftshare" in MODEL_KINDS.values()


def lq_sector_in_panel():
    """Whether the sector of the top-LQ table is a sector of the panel (C needs a *_split_C sector set)."""
    return config["tables"]["indicators"]["sector"] != "C" or config["data"]["sectors"].endswith("_split_C")


def rule_in_scenario(name):
    """Whether a rule's outputs belong to this scenario's run (its report items only come from those)."""
    if name == "indicator_table":
        return lq_sector_in_panel()
    if name == "diagnostics_table":
        return has_shiftshare_models()
    if name == "district_table":
        return bool(config["districts"]["screen"]) or config["districts"]["measure"] == "synthetic"
    return True


# ---------------------------------------------------------------- report items (workflow/rules/report.smk)

# Values of the wildcards of flagged outputs (a flagged output with another wildcard is left out of report.html).
REPORT_WILDCARDS = {"model": list(config["models"])}
REPORT_KIND = {".html": "table", ".md": "table", ".csv": "table", ".png": "figure", ".svg": "figure",
               ".json": "diagnostics"}


def _caption_file(flag):
    """The report() caption file, as a path the report builder can open from the working directory."""
    if flag.caption is None:
        return ""
    path = getattr(flag.caption, "path", flag.caption)  # a LocalSourceFile (Snakemake >= 8) or a str
    # relative to the working directory (the repository's own, or a run directory elsewhere)
    return os.path.relpath(path)


def report_items(wildcards=None):
    """Manifest items: the outputs flagged report() by the rules (except the report itself), wildcards expanded;
    one item per file, or one diagnostics item per rule for estimation records."""
    items = []
    for producer in workflow.rules:
        for f in producer.output:
            flag = f.flags.get("report") if hasattr(f, "flags") else None
            if not flag or producer.name == "report_html" or not rule_in_scenario(producer.name):
                continue
            names = [w for w in producer.wildcard_names]
            if any(w not in REPORT_WILDCARDS for w in names):
                continue
            paths = expand(str(f), **{w: REPORT_WILDCARDS[w] for w in names}) if names else [str(f)]
            kind = REPORT_KIND.get(os.path.splitext(paths[0])[1])
            if kind is None:
                continue
            common = {"rule": producer.name, "caption_file": _caption_file(flag), "category": flag.category or ""}
            if kind == "diagnostics":
                items.append({"kind": kind, "id": f"{producer.name}_diagnostics", "title": "Design diagnostics",
                              "path": paths, **common})
            else:
                items += [{"kind": kind, "id": os.path.basename(p).split(".")[0], "path": [p], **common}
                          for p in paths]
    return items


def report_item_files(wildcards):
    return [p for item in report_items() for p in item["path"]]


def report_inputs(wildcards=None):
    """[NAME=]PATH of every file the run reads in place or fetched (NAME: a ledger dataset), for the provenance."""
    d = config["data"]
    out = []
    if d["source"] == "embedded":
        out.append(f"nama_10r_3empers=package:{EMBEDDED_SAMPLES[d['country']]}")
    elif d["source"] == "synthetic":
        out.append(f"{R}/world/truth.json")
    else:
        out.append(f"results/fetch/{d['dataset']}.vintage.json")
    out += adoption_table(wildcards)
    if config["districts"]["measure"] == "istat_sll2021":
        out += district_inputs(wildcards)
    out += nuts_change_sheets(wildcards)
    if config["polarization"]["education"]:
        out.append("results/fetch/lfst_r_lfe2eedu_bulk.vintage.json")
    return out


def report_input_files(wildcards):
    """The files of report_inputs() as inputs of the report (package files are covered by the code fingerprint)."""
    return [s.split("=", 1)[-1] for s in report_inputs(wildcards) if "package:" not in s]
