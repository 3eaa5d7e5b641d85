# Data: the employment sample in the canonical vocabulary and the validated panel.


rule sample:
    input:
        unpack(fetched_sample_inputs),
    output:
        f"{R}/data/sample.parquet",
    params:
        code=CODE,
        source=config["data"]["source"],
        country=config["data"]["country"],
        fetched=fetched_sample_args,
    log:
        f"{R}/logs/sample.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d data sample --source {params.source:q} --country {params.country:q} {params.fetched:q} "
        "-o {output:q} 2> {log:q}"


rule panel:
    input:
        sample=rules.sample.output,
        nuts_changes=nuts_change_sheets,
    output:
        panel=f"{R}/data/panel.parquet",
        report=f"{R}/data/panel_report.json",
    params:
        code=CODE,
        country=config["data"]["country"],
        level=config["data"]["nuts_level"],
        start=config["data"]["years"]["start"],
        end=config["data"]["years"]["end"],
        sectors=config["data"]["sectors"],
        extra=[] if config["data"]["drop_extra_regio"] else ["--keep-extra-regio"],
        unpublished=config["data"]["unpublished"],
        nuts=nuts_args,
    log:
        f"{R}/logs/panel.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d data panel -i {input.sample:q} -o {output.panel:q} --report {output.report:q} --country {params.country:q} "
        "--nuts-level {params.level:q} --start {params.start:q} --end {params.end:q} "
        "--sectors {params.sectors:q} --unpublished {params.unpublished:q} {params.nuts:q} {params.extra:q} "
        "2> {log:q}"



rule district_shares:
    input:
        district_inputs,
    output:
        shares=f"{R}/data/district_shares.parquet",
        summary=f"{R}/data/district_summary.parquet",
    params:
        code=CODE,
        data=config["districts"]["data"],
    log:
        f"{R}/logs/district_shares.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    conda:
        ENV
    shell:
        "i4d data district-shares -i {params.data:q} -o {output.shares:q} --summary-out {output.summary:q} "
        "--nuts-version 2016 2> {log:q}"
