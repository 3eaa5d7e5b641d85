rule specialization:
    input:
        "results/data/panel.parquet",
    output:
        "results/indicators/specialization.parquet",
    log:
        "results/logs/specialization.log",
    shell:
        "{I4D} specialization --panel {input} --out {output} 2> {log}"
