rule adoption:
    input:
        "results/data/panel.parquet",
    output:
        "results/data/adoption.parquet",
    params:
        seed=config["adoption"]["seed"],
    log:
        "results/logs/adoption.log",
    shell:
        "{I4D} adoption --panel {input} --seed {params.seed} --out {output} 2> {log}"


rule exposure:
    input:
        panel="results/data/panel.parquet",
        adoption="results/data/adoption.parquet",
    output:
        "results/data/exposure.parquet",
    params:
        base_year=config["exposure"]["base_year"],
    log:
        "results/logs/exposure.log",
    shell:
        "{I4D} exposure --panel {input.panel} --adoption {input.adoption} "
        "--base-year {params.base_year} --out {output} 2> {log}"


rule model_frame:
    input:
        panel="results/data/panel.parquet",
        exposure="results/data/exposure.parquet",
    output:
        "results/data/model_frame.parquet",
    params:
        base_year=config["exposure"]["base_year"],
    log:
        "results/logs/model_frame.log",
    shell:
        "{I4D} frame --panel {input.panel} --exposure {input.exposure} "
        "--base-year {params.base_year} --out {output} 2> {log}"
