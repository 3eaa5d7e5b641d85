rule adoption:
    input:
        panel="results/data/panel.parquet",
        table=adoption_table,
    output:
        "results/data/adoption.parquet",
    params:
        cli=I4D,
        source=config["adoption"]["source"],
        seed=config["adoption"]["seed"],
        column=config["adoption"]["column"],
        unit=config["adoption"]["unit"],
        table=adoption_table_option,
    log:
        "results/logs/adoption.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} adoption --panel {input.panel} --source {params.source} --seed {params.seed} "
        "{params.table} --column '{params.column}' --unit '{params.unit}' --out {output} 2> {log}"


rule exposure:
    input:
        panel="results/data/panel.parquet",
        adoption="results/data/adoption.parquet",
    output:
        "results/data/exposure.parquet",
    params:
        cli=I4D,
        base_year=config["exposure"]["base_year"],
        normalisation=config["exposure"]["normalisation"],
    log:
        "results/logs/exposure.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} adoption-exposure --panel {input.panel} --adoption {input.adoption} "
        "--base-year {params.base_year} --normalisation {params.normalisation} --out {output} 2> {log}"


rule model_frame:
    input:
        panel="results/data/panel.parquet",
        exposure="results/data/exposure.parquet",
    output:
        "results/data/model_frame.parquet",
    params:
        cli=I4D,
        base_year=config["exposure"]["base_year"],
    log:
        "results/logs/model_frame.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} frame --panel {input.panel} --exposure {input.exposure} "
        "--base-year {params.base_year} --out {output} 2> {log}"
