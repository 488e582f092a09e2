"""The shipped run configs: each one loads, expands and validates against the harness's own
config schema, names tasks that exist and models its harness can build."""

from __future__ import annotations

import inspect as pyinspect
from pathlib import Path

import pytest
import yaml

from cultureval.paths import configs_dir, tasks_dir
from cultureval.run_configs import RunConfigError, expand, lm_eval_config_names, load_lm_eval_config

LM_EVAL_CONFIGS = ["cpu_smollm2", "hf_peft", "vllm", "vllm_lora"]
INSPECT_CONFIGS = ["openai", "anthropic", "google", "vllm", "vllm_judge"]
ENVIRON = {"ADAPTER": "/adapters/my-lora", "CULTUREVAL_CACHE": "/cache"}


def test_every_shipped_lm_eval_config_is_tested():
    assert lm_eval_config_names() == sorted(LM_EVAL_CONFIGS)
    shipped = sorted(p.stem for p in (configs_dir() / "inspect").glob("*.yaml"))
    assert shipped == sorted([*INSPECT_CONFIGS, "hf_plain_text"])


def test_expand_fills_references_and_keeps_yaml_types():
    environ = {"TP": "4", "NAME": "qwen", "EMPTY": ""}
    data = {
        "a": "${TP:-1}",
        "b": "${DP:-1}",
        "c": "models/${NAME}/x",
        "d": ["${FLAG:-true}"],
        "e": "${EMPTY:-fallback}",
        "f": "${RATE:-0.9}",
        "g": "plain",
    }
    assert expand(data, environ) == {
        "a": 4,
        "b": 1,
        "c": "models/qwen/x",
        "d": [True],
        "e": "fallback",
        "f": 0.9,
        "g": "plain",
    }


def test_an_unset_variable_without_default_names_itself():
    with pytest.raises(RunConfigError, match=r"model_args\.peft: \$\{ADAPTER\} is not set"):
        expand({"model_args": {"peft": "${ADAPTER}"}}, {})
    with pytest.raises(RunConfigError, match="ADAPTER"):
        load_lm_eval_config("vllm_lora", {})


def test_unknown_config_name_lists_the_shipped_ones():
    with pytest.raises(RunConfigError, match="vllm_lora"):
        load_lm_eval_config("no_such_config", {})


@pytest.fixture(scope="module")
def task_manager():
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=str(tasks_dir()))


@pytest.mark.parametrize("name", LM_EVAL_CONFIGS)
def test_lm_eval_config_validates_with_lm_eval(name, tmp_path, task_manager):
    import lm_eval.models  # noqa: F401  (registers the model backends)
    from lm_eval.api.registry import MODEL_REGISTRY
    from lm_eval.config.evaluate_config import EvaluatorConfig

    data = load_lm_eval_config(name, ENVIRON)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    config = EvaluatorConfig.from_config(path)  # lm-eval's own parsing and cross-field checks

    assert config.model in MODEL_REGISTRY
    assert config.output_path and config.log_samples  # the judge and report steps need samples
    for task in config.tasks:
        assert task in task_manager.all_tasks, f"{name}: unknown task {task}"
    args = config.model_args
    assert "${" not in str(args)
    if config.model == "hf":
        from lm_eval.models.huggingface import HFLM

        accepted = set(pyinspect.signature(HFLM.__init__).parameters)
        assert set(args) <= accepted, set(args) - accepted
    if name.endswith("lora"):
        assert args["lora_local_path"] == ENVIRON["ADAPTER"] and isinstance(args["max_lora_rank"], int)
    if name == "hf_peft":
        assert args["peft"] == ENVIRON["ADAPTER"]
    if config.model == "vllm":
        assert args["tensor_parallel_size"] == 1 and args["data_parallel_size"] == 1  # typed, not "1"
    if name == "cpu_smollm2":
        assert args["pretrained"] == "/cache/models/SmolLM2-135M-Instruct" and config.device == "cpu"


def test_lm_eval_config_path_args_expand_the_home_folder():
    from pathlib import Path

    data = load_lm_eval_config("vllm", {"MODEL": "~/models/qwen"})
    assert data["model_args"]["pretrained"] == str(Path("~/models/qwen").expanduser())


@pytest.mark.parametrize(
    ("environ", "cache"),
    [
        ({}, "~/.cache/cultureval"),
        ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/cultureval"),
        ({"XDG_CACHE_HOME": "/xdg", "CULTUREVAL_CACHE": "~/c"}, "~/c"),
        ({"XDG_CACHE_HOME": ""}, "~/.cache/cultureval"),
    ],
)
def test_cpu_smollm2_config_points_where_cultureval_smollm2_puts_the_model(environ, cache):
    from pathlib import Path

    from cultureval.models import smollm2_dir
    from cultureval.paths import cache_dir

    expected = Path(cache).expanduser() / "models" / "SmolLM2-135M-Instruct"
    assert cache_dir(environ) / "models" / "SmolLM2-135M-Instruct" == expected
    assert load_lm_eval_config("cpu_smollm2", environ)["model_args"]["pretrained"] == str(expected)
    if not environ:  # smollm2_dir() reads the real environment
        import os

        assert smollm2_dir() == cache_dir(os.environ) / "models" / "SmolLM2-135M-Instruct"


def test_cultureval_run_is_the_cpu_smollm2_config_with_its_options(monkeypatch):
    from cultureval.cli import run_job_config

    monkeypatch.setenv("CULTUREVAL_CACHE", "/cache")
    shipped = load_lm_eval_config("cpu_smollm2", ENVIRON)
    default = run_job_config(shipped["model_args"]["pretrained"])
    assert default == shipped
    changed = run_job_config("/models/tiny", tasks="a, b", limit=3.0, output_path="out", batch_size="2")
    assert changed == {
        **shipped,
        "model_args": {**shipped["model_args"], "pretrained": "/models/tiny"},
        "tasks": ["a", "b"],
        "limit": 3.0,
        "output_path": "out",
        "batch_size": "2",
    }


def test_cultureval_lm_eval_hands_lm_eval_the_expanded_config(monkeypatch, tmp_path):
    import tempfile

    from cultureval.cli import lm_eval_argv

    monkeypatch.setenv("ADAPTER", "/adapters/x")
    monkeypatch.setenv("TP", "2")
    argv = lm_eval_argv(["--config", "vllm_lora", "--limit", "3"], tmp_path)
    assert argv[:4] == ["lm-eval", "run", "--include_path", str(tasks_dir())]
    assert argv[4] == "--config" and argv[6:] == ["--limit", "3"]
    assert Path(argv[5]).parent == tmp_path  # written where the caller said, nowhere else
    written = yaml.safe_load(Path(argv[5]).read_text())
    assert written["model_args"]["lora_local_path"] == "/adapters/x"
    assert written["model_args"]["tensor_parallel_size"] == 2
    # without a folder to write into: an error, never a temporary folder left behind
    before = set(Path(tempfile.gettempdir()).glob("cultureval-config-*"))
    with pytest.raises(ValueError, match="config_folder"):
        lm_eval_argv(["--config", "vllm_lora"])
    assert set(Path(tempfile.gettempdir()).glob("cultureval-config-*")) == before
    monkeypatch.delenv("ADAPTER")
    with pytest.raises(RunConfigError, match="ADAPTER"):  # an InputError: exit 2, one line
        lm_eval_argv(["--config=vllm_lora"], tmp_path)


@pytest.mark.parametrize("name", INSPECT_CONFIGS)
def test_inspect_run_config_validates_with_inspect(name):
    import inspect_ai.model._providers.providers  # noqa: F401  (registers the model providers)
    from inspect_ai._cli.eval import RunConfigInput
    from inspect_ai._util.registry import registry_lookup

    from cultureval import _registry

    path = configs_dir() / "inspect" / f"{name}.yaml"
    # Inspect's own --run-config schema (unknown fields are errors); validated without building
    # the models, so the providers' SDKs need not be installed here
    config = RunConfigInput.model_validate(yaml.safe_load(path.read_text()))

    task = config.task
    assert task.startswith("cultureval/") and callable(getattr(_registry, task.split("/", 1)[1]))
    model = config.model if isinstance(config.model, str) else config.model.model
    models = [model, *[role.model for role in config.model_roles.values()]]
    for entry in models:
        provider = entry.split("/", 1)[0]
        assert registry_lookup("modelapi", provider) is not None, f"{name}: unknown provider {provider}"
    assert config.generate_config.max_connections >= 1
    if name == "vllm_judge":
        assert config.model_roles["grader"].model.startswith("vllm/")
    if name == "anthropic":  # no log-probabilities there: a generative task
        assert "jsd" not in task
    if name == "vllm":
        assert model.startswith("vllm/") and config.model.args["tensor_parallel_size"] == 1
