rule estimate:
    input:
        frame="results/data/model_frame.parquet",
        spec=model_spec,
    output:
        record="results/models/{model}.json",
        coefficients="results/models/{model}.parquet",
    params:
        cli=I4D,
    log:
        "results/logs/estimate_{model}.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} estimate --panel {input.frame} --spec {input.spec} --out {output.record} --parquet {output.coefficients} 2> {log}"


rule table:
    input:
        results=model_results,
        frame="results/data/model_frame.parquet",
    output:
        expand("results/tables/{name}.{fmt}", name=TABLE_NAME, fmt=config["tables"]["formats"]),
    params:
        cli=I4D,
        name=TABLE_NAME,
        formats=" ".join(config["tables"]["formats"]),
        digits=config["tables"]["digits"],
    log:
        "results/logs/table.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} table --results {input.results} --frames {input.frame} --out-dir results/tables "
        "--name {params.name} --formats {params.formats} --digits {params.digits} 2> {log}"
