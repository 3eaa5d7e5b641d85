# The model frame, one estimate per model spec declared in config['models'], then the regression table.
import json


rule model_frame:
    input:
        unpack(frame_traits),
        panel=rules.panel.output.panel,
        exposure=rules.exposure.output.table,
    output:
        f"{R}/data/model_frame.parquet",
    params:
        code=CODE,
        base_year=config["exposure"]["base_year"],
        traits=frame_traits_args,
    log:
        f"{R}/logs/model_frame.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d data frame -i {input.panel:q} --exposure {input.exposure:q} "
        "--base-year {params.base_year:q} {params.traits:q} -o {output:q} 2> {log:q}"


rule differences:
    input:
        unpack(difference_traits),
        panel=rules.panel.output.panel,
        exposure=rules.exposure.output.table,
    output:
        f"{R}/data/{{kind}}_differences.parquet",
    wildcard_constraints:
        kind="long|stacked",
    params:
        code=CODE,
        periods=difference_periods,
        extra=difference_args,
    log:
        f"{R}/logs/{{kind}}_differences.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d data differences -i {input.panel:q} --exposure {input.exposure:q} --periods {params.periods:q} "
        "{params.extra:q} -o {output:q} 2> {log:q}"


rule estimate:
    input:
        frame=model_frame_input,
        design=rules.exposure.output.design,
    output:
        record=report(f"{R}/models/{{model}}.json", caption="../report/diagnostics.rst", category="Diagnostics",
                      subcategory="{model}"),
        coefficients=f"{R}/models/{{model}}.parquet",
    params:
        code=CODE,
        command=estimate_command,
        # the spec by content, not by timestamp (a fresh clone's new mtimes rerun nothing)
        spec=model_spec,
        spec_sha256=model_spec_sha256,
    log:
        f"{R}/logs/estimate_{{model}}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        ENV
    shell:
        "i4d estimate {params.command:q} -i {input.frame:q} --spec {params.spec:q} -o {output.record:q} "
        "--parquet {output.coefficients:q} 2> {log:q}"


rule table:
    input:
        results=model_results,
        frame=frames_used,
    output:
        table_files("employment_exposure"),
    params:
        code=CODE,
        out_dir=table_dir,
        formats=config["tables"]["formats"],
        digits=config["tables"]["digits"],
        title=config["tables"]["title"],
        labels=json.dumps(config["tables"]["labels"], ensure_ascii=False, sort_keys=True),
        columns=json.dumps(config["tables"]["columns"], ensure_ascii=False, sort_keys=True),
        units=json.dumps(config["tables"]["units"], ensure_ascii=False, sort_keys=True),
        groups=json.dumps(config["tables"]["column_groups"], ensure_ascii=False, sort_keys=True),
        statistic=config["tables"]["statistic"],
        stars=table_star_args,
    log:
        f"{R}/logs/table.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d tables regression -i {input.results:q} --frames {input.frame:q} -o {params.out_dir:q} "
        "--name employment_exposure --formats {params.formats:q} --digits {params.digits:q} "
        "--title {params.title:q} --labels-json {params.labels:q} --columns-json {params.columns:q} "
        "--units-json {params.units:q} --column-groups-json {params.groups:q} --statistic {params.statistic:q} "
        "{params.stars:q} 2> {log:q}"
