# Input functions shared by the rules (named functions, no lambdas).


def model_spec(wildcards):
    """Path of the model-spec YAML declared for this model id in config['models']."""
    return config["models"][wildcards.model]


def model_results(wildcards):
    return [f"results/models/{model}.json" for model in config["models"]]


def table_outputs(wildcards):
    return [f"results/tables/{TABLE_NAME}.{fmt}" for fmt in config["tables"]["formats"]]
