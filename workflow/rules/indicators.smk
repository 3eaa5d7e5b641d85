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
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
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
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d indicators concentration -i {input:q} -o {output:q} 2> {log:q}"


rule education_polarization:
    input:
        "results/fetch/lfst_r_lfe2eedu_bulk.parquet",
    output:
        shares=f"{R}/indicators/education_tier_shares.parquet",
        changes=f"{R}/indicators/education_polarization.parquet",
    params:
        code=CODE,
        countries=",".join(config["polarization"]["countries"]),
        start=config["polarization"]["start"],
        end=config["polarization"]["end"],
    log:
        f"{R}/logs/education_polarization.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d indicators education-polarization -i {input:q} -o {output.shares:q} --countries {params.countries:q} "
        "--changes {output.changes:q} --start {params.start:q} --end {params.end:q} 2> {log:q}"
