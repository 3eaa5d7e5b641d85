# Sector adoption and shift-share exposure (the share matrix and shifts are kept for AKM inference).


rule adoption:
    input:
        panel=rules.panel.output.panel,
        table=adoption_table,
    output:
        f"{R}/data/adoption.parquet",
    params:
        code=CODE,
        source=config["adoption"]["source"],
        seed=config["adoption"]["seed"],
        table=adoption_table_args,
    log:
        f"{R}/logs/adoption.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d exposure adoption -i {input.panel:q} --source {params.source:q} --seed {params.seed:q} "
        "{params.table:q} -o {output:q} 2> {log:q}"


rule exposure:
    input:
        panel=rules.panel.output.panel,
        adoption=rules.adoption.output,
    output:
        table=f"{R}/data/exposure.parquet",
        design=directory(f"{R}/data/exposure_design"),
    params:
        code=CODE,
        base_year=config["exposure"]["base_year"],
        normalisation=config["exposure"]["normalisation"],
        design=config["exposure"]["design"],
    log:
        f"{R}/logs/exposure.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d exposure build -i {input.panel:q} --adoption {input.adoption:q} --base-year {params.base_year:q} "
        "--normalisation {params.normalisation:q} --design {params.design:q} -o {output.table:q} --shares-out {output.design:q} 2> {log:q}"
