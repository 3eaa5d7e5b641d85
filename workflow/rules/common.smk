# Input functions shared by the rules (named functions, no lambdas).
from i4districts.fetch.cli import mirrored_names
from i4districts.fetch.ledger import load_ledger

FETCH_LEDGER = load_ledger()
FETCH_TABLES = [n for n, s in FETCH_LEDGER.items() if s.api != "file"]
FETCH_FILES = [n for n, s in FETCH_LEDGER.items() if s.api == "file"]
_unknown_datasets = sorted(set(config["fetch"].get("datasets", [])) - set(FETCH_LEDGER))
if _unknown_datasets:
    raise ValueError(
        f"config key 'fetch.datasets': unknown dataset(s) {_unknown_datasets}; "
        f"the ledger has {sorted(FETCH_LEDGER)}"
    )


def model_spec(wildcards):
    """Path of the model-spec YAML declared for this model id in config['models']."""
    return config["models"][wildcards.model]


def model_results(wildcards):
    return [f"results/models/{model}.json" for model in config["models"]]


def adoption_table(wildcards):
    """The user adoption table as an input (so edits trigger a rerun), or nothing."""
    return [config["adoption"]["table"]] if config["adoption"]["source"] == "table" else []


def adoption_table_option(wildcards):
    return f"--table '{config['adoption']['table']}'" if config["adoption"]["source"] == "table" else ""


def table_outputs(wildcards):
    return [f"results/tables/{TABLE_NAME}.{fmt}" for fmt in config["tables"]["formats"]]


def fetch_targets(wildcards):
    """Outputs of config['fetch']['datasets'] (default: every dataset the mirror covers)."""
    names = config["fetch"].get("datasets") or mirrored_names(FETCH_LEDGER)
    ext = {n: ("geojson" if n in FETCH_FILES else "parquet") for n in FETCH_LEDGER}
    return [f"results/fetch/{n}.{ext[n]}" for n in names]
