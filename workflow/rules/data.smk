rule sample:
    output:
        "results/data/sample.parquet",
    params:
        cli=I4D,
        source=config["data"]["source"],
    log:
        "results/logs/sample.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} sample --source {params.source} --out {output} 2> {log}"


rule panel:
    input:
        "results/data/sample.parquet",
    output:
        "results/data/panel.parquet",
    params:
        cli=I4D,
        country=config["data"]["country"],
        level=config["data"]["nuts_level"],
        start=config["data"]["years"]["start"],
        end=config["data"]["years"]["end"],
        sectors=config["data"]["sectors"],
        extra="" if config["data"]["drop_extra_regio"] else "--keep-extra-regio",
    log:
        "results/logs/panel.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} panel --sample {input} --out {output} --country {params.country} "
        "--nuts-level {params.level} --start {params.start} --end {params.end} "
        "--sectors {params.sectors} {params.extra} 2> {log}"
