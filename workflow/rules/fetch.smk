# Fetch layer rules: each calls `i4d fetch get` for one ledger dataset.
# Mode, cache and mirror are runtime knobs taken from the environment
# (I4D_FETCH_MODE, I4D_CACHE, I4D_MIRROR), never from the science config:
# CI sets I4D_MIRROR=../shared/data, which makes the default mode `offline`.
# Outputs: results/fetch/<name>.parquet (tidy table) or .geojson (GISCO file),
# each with <name>.vintage.json (the replay pin: vintage ids + sha256); shared by all scenarios.


rule fetch_all:
    input:
        fetch_targets,


rule fetch_table:
    output:
        data="results/fetch/{name}.parquet",
        pin="results/fetch/{name}.vintage.json",
    wildcard_constraints:
        name="|".join(FETCH_TABLES),
    log:
        "results/logs/fetch/{name}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        ENV
    shell:
        "i4d fetch get {wildcards.name:q} -o results/fetch 2> {log:q}"


rule fetch_file:
    output:
        data="results/fetch/{name}.geojson",
        pin="results/fetch/{name}.vintage.json",
    wildcard_constraints:
        name="|".join(FETCH_FILES),
    log:
        "results/logs/fetch/{name}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    conda:
        ENV
    shell:
        "i4d fetch get {wildcards.name:q} -o results/fetch 2> {log:q}"
