# The report. Every output a rule flags with report(...) lands both in Snakemake's own report
# (`snakemake --report`) and in the self-contained results/<scenario>/report.html, whose manifest names
# each item with the rule that makes it; the provenance lists the inputs read in place.


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
