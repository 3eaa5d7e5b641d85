"""Every rule that runs a command declares what one job needs: threads, mem_mb and runtime.

They live in the rules (workflow/rules/*.smk), not in a profile: the SLURM profile turns them into
sbatch's --cpus-per-task, --mem (MB) and --time (minutes), and a local run schedules by them.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import REPO, declared_resources, job_rules, rule_blocks

REQUIRED = ("threads", "mem_mb", "runtime")


def test_parser_reads_a_rule():
    block = (
        "rule demo:\n    output:\n        'x'\n    threads: 1\n    resources:\n        mem_mb=1500,\n"
        "        runtime=20,\n    shell:\n        'touch {output}'\n"
    )
    assert declared_resources(block) == {"threads": "1", "mem_mb": "1500", "runtime": "20"}


def test_every_command_rule_declares_threads_memory_and_runtime():
    rules = job_rules()
    assert {"sample", "panel", "estimate", "table"} <= set(rules), sorted(rules)
    missing = {name: [k for k in REQUIRED if k not in found] for name, found in rules.items()}
    missing = {name: keys for name, keys in missing.items() if keys}
    where = {name: rule_blocks()[name][0].relative_to(REPO).as_posix() for name in missing}
    assert not missing, (
        "rules without their resources (add `threads:` and `resources: mem_mb=..., runtime=...` "
        f"before `conda:`): {[(n, where[n], k) for n, k in missing.items()]}"
    )


def test_declared_values_are_plain_positive_integers():
    # Literal integers keep the values readable and reviewable in the rule itself.
    bad = {
        (name, key, value)
        for name, found in job_rules().items()
        for key, value in found.items()
        if key in REQUIRED and not (value.isdigit() and int(value) > 0)
    }
    assert not bad, sorted(bad)


def test_profile_leaves_resources_and_account_to_the_workflow_and_the_user():
    profile = yaml.safe_load((REPO / "workflow/profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert int(profile["jobs"]) >= 1 and int(profile["latency-wait"]) >= 1
    # No default-resources / set-resources / set-threads: a profile's entry would be replaced wholesale
    # by the command line's --default-resources slurm_account=..., and would shadow the rules' values.
    assert not {"default-resources", "set-resources", "set-threads", "cores"} & set(profile), sorted(profile)
    assert Path(REPO / ".ci/slurm.sh").is_file()
