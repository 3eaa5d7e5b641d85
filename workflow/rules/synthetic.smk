# The synthetic scenario (config/synthetic.yaml, data.source: synthetic): a synthetic Italy with known
# truth (`i4d synth`), the ISTAT/Sforzi district method on its SLL x division x size-class table, and
# each NUTS-3 region's share of employment in district SLLs as the district trait of the frames.
# Synthetic data are for tests, Monte Carlo and benchmarks: every output says so and prints no stars.


rule synth_world:
    output:
        sample=f"{R}/world/sample.parquet",
        sll=f"{R}/world/sll_employment.parquet",
        municipalities=f"{R}/world/municipalities.parquet",
        adoption=f"{R}/world/adoption_sample_sectors.parquet",
        truth=f"{R}/world/truth.json",
    params:
        code=CODE,
        out_dir=lambda wildcards, output: str(Path(output.truth).parent),
        args=synthetic_args,
    log:
        f"{R}/logs/synth_world.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        ENV
    shell:
        "i4d synth -o {params.out_dir:q} {params.args:q} 2> {log:q}"


rule synthetic_districts:
    input:
        sll=rules.synth_world.output.sll,
        municipalities=rules.synth_world.output.municipalities,
    output:
        decisions=f"{R}/districts/district_decisions.parquet",
        table=f"{R}/districts/sll_districts.parquet",
        shares=f"{R}/districts/nuts3_district_shares.parquet",
        traits=f"{R}/data/district_traits.parquet",
    params:
        code=CODE,
    log:
        f"{R}/logs/synthetic_districts.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    shell:
        "(i4d indicators districts -i {input.sll:q} --units-column local_units -o {output.decisions:q} && "
        "i4d indicators sll-shares -i {input.municipalities:q} --decisions {output.decisions:q} "
        "-o {output.table:q} --shares-out {output.shares:q} --traits-out {output.traits:q}) 2> {log:q}"


# The SLL table and NUTS-3 shares come from the world in this scenario, from ISTAT's files otherwise.
if config["districts"]["measure"] == "synthetic":

    ruleorder: synthetic_districts > sll_districts

else:

    ruleorder: sll_districts > synthetic_districts
