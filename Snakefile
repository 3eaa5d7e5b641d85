# i4districts: Industry 4.0 adoption and employment in industrial districts.
# The config is validated against its JSON Schema (defaults filled in) before the DAG is built;
# every rule only calls the package's command line `i4d` (of the rule's environment), and every
# value reaching a shell command is quoted ({x:q}). Outputs of a scenario go to results/<scenario>/.
from snakemake.utils import min_version

min_version("8.0")


# config/config.yaml is the default scenario; a config given with --configfile is a complete scenario of
# its own (defaults from the schema), not merged into the default one.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/fetch.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/indicators.smk"
include: "workflow/rules/exposure.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/districts.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/outputs.smk"
include: "workflow/rules/report.smk"


report: "workflow/report/workflow.rst"


rule all:
    default_target: True
    input:
        rules.specialization.output,
        rules.concentration.output,
        rules.table.output,
        polarization_outputs,
        district_outputs,
        table_outputs,
        figure_outputs,
        rules.report_html.output,
