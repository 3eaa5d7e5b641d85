# Local labour systems and districts (#12): the SLL 2021 table with ISTAT's classes and, when
# configured, the section-level screen's decisions; each NUTS-3 region's share of employment and
# population in flagged SLLs. Plain ISTAT downloads (census 2011, SLL lists) come through the fetch layer.


rule sll_districts:
    input:
        unpack(sll_decisions),
        istat=district_inputs,
    output:
        table=f"{R}/districts/sll_districts.parquet",
        shares=f"{R}/districts/nuts3_district_shares.parquet",
    params:
        code=CODE,
        data=config["districts"]["data"],
        nuts_version=config["data"]["nuts_version"],
        decisions=sll_decision_args,
    log:
        f"{R}/logs/sll_districts.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d indicators sll-districts -i {params.data:q} -o {output.table:q} --shares-out {output.shares:q} "
        "--nuts-version {params.nuts_version:q} {params.decisions:q} 2> {log:q}"


rule district_screen:
    input:
        "results/fetch/istat_asia_ul_sll2021.parquet",
    output:
        f"{R}/districts/district_screen.parquet",
    params:
        code=CODE,
    log:
        f"{R}/logs/district_screen.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d indicators district-screen -i {input:q} -o {output:q} 2> {log:q}"


for _ext in ("csv", "zip"):  # plain ISTAT downloads of the ledger (api: file), one rule per extension

    rule:
        name:
            f"fetch_download_{_ext}"
        output:
            data=f"results/fetch/{{name}}.{_ext}",
            pin="results/fetch/{name}.vintage.json",
        wildcard_constraints:
            name="|".join(n for n, e in FETCH_DOWNLOADS.items() if e == _ext),
        log:
            "results/logs/fetch/{name}.log",
        threads: 1
        resources:
            mem_mb=1000,
            runtime=10,
        conda:
            ENV
        shell:
            "i4d fetch get {wildcards.name:q} -o results/fetch 2> {log:q}"
