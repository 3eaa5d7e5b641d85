rule specialization:
    input:
        "results/data/panel.parquet",
    output:
        "results/indicators/specialization.parquet",
    params:
        cli=I4D,
    log:
        "results/logs/specialization.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} specialization --panel {input} --out {output} 2> {log}"


rule concentration:
    input:
        "results/data/panel.parquet",
    output:
        "results/indicators/concentration.parquet",
    params:
        cli=I4D,
    log:
        "results/logs/concentration.log",
    conda:
        "../envs/i4districts.yaml"
    shell:
        "{params.cli} concentration --emp {input} --out {output} 2> {log}"
