# i4districts: Industry 4.0 adoption and employment in industrial districts.
# The config is validated against its JSON Schema (defaults filled in) before the DAG is built;
# every rule calls the package's command line (`i4d`, run as `python -m i4districts`).
import sys

from snakemake.utils import min_version

from i4districts.config import validate_config
from i4districts.estimation.spec import ModelSpec

min_version("8.0")


configfile: "config/config.yaml"


_validated = validate_config(config, source="config (config/config.yaml and --config overrides)")
config.clear()
config.update(_validated)
for _model_id, _spec_path in config["models"].items():
    ModelSpec.from_yaml(_spec_path)  # raises naming the file and field of a bad model spec

I4D = f'"{sys.executable}" -m i4districts'
TABLE_NAME = "employment_exposure"


include: "workflow/rules/common.smk"
include: "workflow/rules/fetch.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/indicators.smk"
include: "workflow/rules/exposure.smk"
include: "workflow/rules/models.smk"


rule all:
    input:
        "results/indicators/specialization.parquet",
        "results/indicators/concentration.parquet",
        table_outputs,
