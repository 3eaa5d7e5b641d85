# Indicators on the validated panel.


rule specialization:
    input:
        rules.panel.output.panel,
    output:
        f"{R}/indicators/specialization.parquet",
    params:
        code=CODE,
    log:
        f"{R}/logs/specialization.log",
    conda:
        ENV
    shell:
        "i4d indicators specialization -i {input:q} -o {output:q} 2> {log:q}"


rule concentration:
    input:
        rules.panel.output.panel,
    output:
        f"{R}/indicators/concentration.parquet",
    params:
        code=CODE,
    log:
        f"{R}/logs/concentration.log",
    conda:
        ENV
    shell:
        "i4d indicators concentration -i {input:q} -o {output:q} 2> {log:q}"
