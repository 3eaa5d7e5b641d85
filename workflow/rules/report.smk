# The report. Every output a rule flags with report(...) lands both in Snakemake's own report
# (`snakemake --report`) and in the self-contained results/<scenario>/report.html, whose manifest names
# each item with the rule that makes it; the provenance lists the inputs read in place.
import json
import os

from i4districts.sample import EMBEDDED_SAMPLES

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
    for rule in workflow.rules:
        for f in rule.output:
            flag = f.flags.get("report") if hasattr(f, "flags") else None
            if not flag or rule.name == "report_html" or not rule_in_scenario(rule.name):
                continue
            names = [w for w in rule.wildcard_names]
            if any(w not in REPORT_WILDCARDS for w in names):
                continue
            paths = expand(str(f), **{w: REPORT_WILDCARDS[w] for w in names}) if names else [str(f)]
            kind = REPORT_KIND.get(os.path.splitext(paths[0])[1])
            if kind is None:
                continue
            common = {"rule": rule.name, "caption_file": _caption_file(flag), "category": flag.category or ""}
            if kind == "diagnostics":
                items.append({"kind": kind, "id": f"{rule.name}_diagnostics", "title": "Design diagnostics",
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


rule report_manifest:
    output:
        f"{R}/report_manifest.json",
    params:
        code=CODE,
        entries=lambda w: json.dumps(report_items(), sort_keys=True),
        inputs=report_inputs,
        configfiles=[os.path.relpath(f) for f in workflow.configfiles] or ["config/config.yaml"],
        effective=json.dumps(config, sort_keys=True, ensure_ascii=False),
        title=config["tables"]["title"],
        scenario=SCENARIO,
    log:
        f"{R}/logs/report_manifest.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d report manifest --items-json {params.entries:q} --inputs {params.inputs:q} --config {params.configfiles:q} "
        "--effective-config-json {params.effective:q} --title {params.title:q} --scenario {params.scenario:q} "
        "-o {output:q} 2> {log:q}"


rule report_html:
    input:
        manifest=rules.report_manifest.output,
        files=report_item_files,
        inputs=report_input_files,
    output:
        report(f"{R}/report.html", caption="../report/report.rst", category="Report"),
    params:
        code=CODE,
    log:
        f"{R}/logs/report_html.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d report html --manifest {input.manifest:q} --snakemake-dir .snakemake -o {output:q} 2> {log:q}"
