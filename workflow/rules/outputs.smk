# Publication outputs beyond the regression table (#13): descriptive statistics, the top regions by
# manufacturing LQ with their district class, the shift-share design diagnostics, the SLL district list;
# maps, coefficient plots and the self-contained report. Every table is written in each configured
# format from one tidy source (plus <name>.standalone.tex and <name>.fragment.html for the report).
import json


rule descriptive_table:
    input:
        frames=frames_used,
    output:
        table_files("descriptive", "descriptive"),
    params:
        code=CODE,
        out_dir=table_dir,
        formats=config["tables"]["formats"],
        labels=json.dumps(config["tables"]["labels"], ensure_ascii=False, sort_keys=True),
        units=json.dumps(config["tables"]["units"], ensure_ascii=False, sort_keys=True),
        variables=descriptive_args,
    log:
        f"{R}/logs/descriptive_table.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d tables descriptive -i {input.frames[0]:q} -o {params.out_dir:q} --name descriptive "
        "--formats {params.formats:q} --labels-json {params.labels:q} --units-json {params.units:q} "
        "{params.variables:q} 2> {log:q}"


rule indicator_table:
    input:
        unpack(indicator_table_inputs),
        lq=rules.specialization.output[0],
    output:
        table_files("top_lq", "top_lq"),
    params:
        code=CODE,
        out_dir=table_dir,
        formats=config["tables"]["formats"],
        extra=indicator_table_args,
    log:
        f"{R}/logs/indicator_table.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d tables indicators -i {input.lq:q} -o {params.out_dir:q} --name top_lq --formats {params.formats:q} "
        "{params.extra:q} 2> {log:q}"


rule diagnostics_table:
    input:
        results=model_results,
        frame=frames_used,
    output:
        table_files("design_diagnostics", "design_diagnostics"),
    params:
        code=CODE,
        out_dir=table_dir,
        formats=config["tables"]["formats"],
        top=config["tables"]["diagnostics"]["top"],
        columns=json.dumps(config["tables"]["columns"], ensure_ascii=False, sort_keys=True),
    log:
        f"{R}/logs/diagnostics_table.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d tables diagnostics -i {input.results:q} --frames {input.frame:q} -o {params.out_dir:q} "
        "--name design_diagnostics --formats {params.formats:q} --top {params.top:q} "
        "--columns-json {params.columns:q} 2> {log:q}"


rule district_table:
    input:
        decisions=district_decisions_table,
    output:
        table_files("districts", "districts"),
    params:
        code=CODE,
        out_dir=table_dir,
        formats=config["tables"]["formats"],
    log:
        f"{R}/logs/district_table.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d tables districts -i {input.decisions:q} -o {params.out_dir:q} --name districts "
        "--formats {params.formats:q} 2> {log:q}"


rule maps:
    input:
        unpack(map_inputs),
        lq=rules.specialization.output[0],
        exposure=rules.exposure.output.table,
        geo3=f"results/fetch/nuts{config['data']['nuts_version']}_l3.geojson",
        geo2=f"results/fetch/nuts{config['data']['nuts_version']}_l2.geojson",
    output:
        [report(f"{R}/figures/{stem}.png", caption="../report/map.rst", category="Maps") for stem in MAP_STEMS],
        expand(f"{R}/figures/{{stem}}.svg", stem=MAP_STEMS),
        manifest=f"{R}/figures/maps.json",
    params:
        code=CODE,
        results=lambda wildcards, output: str(Path(output.manifest).parents[1]),
        only=",".join(MAP_STEMS),
        out_dir=lambda wildcards, output: str(Path(output.manifest).parent),
    log:
        f"{R}/logs/maps.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d figures default-maps --results {params.results:q} --geometry {input.geo3:q} {input.geo2:q} "
        "--only {params.only:q} -o {params.out_dir:q} 2> {log:q}"


# Shift-share columns are drawn with their AKM0 confidence sets (valid for the design; an unbounded set is
# drawn as arrows), not with region-cluster bars, which over-reject with few sectors.
rule coefplot:
    input:
        results=model_results,
        frame=frames_used,
    output:
        report(f"{R}/figures/coefplot.png", caption="../report/coefplot.rst", category="Coefficient plots"),
        f"{R}/figures/coefplot.svg",
        expand(f"{R}/figures/coefplot_periods.{{ext}}", ext=["png", "svg"]),
    params:
        code=CODE,
        labels=json.dumps(config["tables"]["labels"], ensure_ascii=False, sort_keys=True),
        columns=json.dumps(config["tables"]["columns"], ensure_ascii=False, sort_keys=True),
        title=config["tables"]["title"],
        stem=lambda wildcards, output: str(Path(output[0]).with_suffix("")),
        periods=lambda wildcards, output: str(Path(output[2]).with_suffix("")),
    log:
        f"{R}/logs/coefplot.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d figures coefplot -i {input.results:q} --frames {input.frame:q} --labels-json {params.labels:q} "
        "--models-json {params.columns:q} --title {params.title:q} -o {params.stem:q} "
        "--periods-out {params.periods:q} --method akm0 2> {log:q}"


# On demand (not in `all`): compare this run with the golden results in golden/<scenario>/.
rule validate:
    input:
        model_results,
    output:
        f"{R}/validate.json",
    params:
        run=lambda wildcards, output: str(Path(output[0]).parent),
        code=CODE,
    log:
        f"{R}/logs/validate.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d validate --run {params.run:q} --golden golden --summary {output:q} > {log:q} 2>&1"


# On demand: fetch a new vintage of every configured dataset and write the revision report
# (`i4d refresh` without --no-rerun also reruns the workflow; it starts Snakemake itself).
rule refresh:
    localrule: True
    params:
        configfile=(workflow.overwrite_configfiles or ["config/config.yaml"])[0],
    log:
        "results/logs/refresh.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d refresh --configfile {params.configfile:q} --no-rerun --exit-zero > {log:q} 2>&1"
