"""Issue 31: the decoding a run records is the decoding the provider really does.

Inspect's ``hf`` provider decodes by its load option, not by the request: loaded with ``-M
do_sample=false`` it is greedy at every temperature, loaded without it (its default) it samples
even when a task asks for greedy decoding. A task that samples (n answers at temperature 1)
run greedy recorded temperature 1.0 over n identical answers; a greedy task run sampled recorded
temperature 0. Both could be ranked beside runs that really decoded so.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from conftest import run_cli


class StandIn:
    """What the tasks read of Inspect's active model: its name and the provider object."""

    def __init__(self, name: str, do_sample: bool | None = None, temperature: float | None = None):
        self.name = name
        self.model_args: dict = {}
        model = SimpleNamespace(generation_config=SimpleNamespace(temperature=temperature))
        self.api = SimpleNamespace(do_sample=do_sample, model=model) if do_sample is not None else SimpleNamespace()

    def __str__(self) -> str:
        return self.name


def _build(task: str, model, monkeypatch, **options):
    import cultureval._registry as registry
    from cultureval import inspect_tasks

    monkeypatch.setattr(inspect_tasks, "active_model", lambda: model)
    return getattr(registry, task)(**options)


@pytest.mark.parametrize("task", ["global_opinion_sampled", "global_opinion_sampled_6c"])
def test_a_sampling_task_on_a_greedy_hf_model_is_refused(task, use_fixture_data, monkeypatch):
    from cultureval.inspect_tasks import TaskRefusal

    with pytest.raises(TaskRefusal) as refused:
        _build(task, StandIn("hf/tiny", do_sample=False), monkeypatch)
    message = refused.value.message
    assert "\n" not in message
    assert f"cultureval/{task} samples at temperature 1" in message and "-M do_sample=false" in message


def test_a_sampling_task_records_its_temperature_where_the_provider_samples(use_fixture_data, monkeypatch):
    sampled = _build("global_opinion_sampled", StandIn("hf/tiny", do_sample=True, temperature=0.3), monkeypatch)
    hosted = _build("global_opinion_sampled", StandIn("openai/gpt-x"), monkeypatch)
    # the task's own temperature, which both providers honour (the model's default is not used)
    assert sampled.metadata["generation"]["temperature"] == hosted.metadata["generation"]["temperature"] == 1.0


def test_a_greedy_task_on_a_sampling_hf_model_records_the_sampling(use_fixture_data, monkeypatch):
    """Loaded without ``-M do_sample=false`` the hf provider samples at the model's
    ``generation_config`` temperature: that is what the run records, so its prompt fingerprint
    differs from the greedy runs' and it is never ranked with them."""
    sampled = _build("global_opinion_cot", StandIn("hf/tiny", do_sample=True, temperature=0.6), monkeypatch)
    default = _build("global_opinion_cot", StandIn("hf/tiny", do_sample=True, temperature=None), monkeypatch)
    greedy = _build("global_opinion_cot", StandIn("hf/tiny", do_sample=False), monkeypatch)
    hosted = _build("global_opinion_cot", StandIn("openai/gpt-x"), monkeypatch)
    assert sampled.metadata["generation"]["temperature"] == 0.6
    assert default.metadata["generation"]["temperature"] == 1.0  # transformers' default
    assert greedy.metadata["generation"]["temperature"] == hosted.metadata["generation"]["temperature"] == 0.0
    assert greedy.metadata["prompt_sha256"] == hosted.metadata["prompt_sha256"]
    assert (
        len({sampled.metadata["prompt_sha256"], default.metadata["prompt_sha256"], greedy.metadata["prompt_sha256"]})
        == 3
    )
    # the samples of a changed identity are other samples (their ids carry the settings)
    assert {s.id for s in sampled.dataset}.isdisjoint({s.id for s in greedy.dataset})


def test_a_log_probability_task_is_untouched_by_the_decoding(use_fixture_data, monkeypatch):
    greedy = _build("global_opinion_jsd", StandIn("hf/tiny", do_sample=False), monkeypatch)
    sampled = _build("global_opinion_jsd", StandIn("hf/tiny", do_sample=True), monkeypatch)
    assert "generation" not in greedy.metadata and greedy.metadata["prompt_sha256"] == sampled.metadata["prompt_sha256"]


@pytest.mark.parametrize("flag", ["do_sample=false", "do_sample=False", "do_sample=0"])
def test_cultureval_inspect_eval_refuses_it_before_the_model_loads(flag, fixture_data_dir, tmp_path):
    """The model folder holds no weights: a refusal that came after loading would be another error."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    result = run_cli(
        ["cultureval", "inspect", "eval", "cultureval/global_opinion_cot", "cultureval/global_opinion_sampled"]
        + ["--model", "hf/x", "-M", f"model_path={model}", "-M", flag],
        fixture_data_dir,
        tmp_path,
        check=False,
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("cultureval inspect: ")]
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert "cultureval/global_opinion_sampled samples at temperature 1" in lines[0]
    assert "Traceback" not in result.stderr


def test_the_check_lets_greedy_tasks_through_on_a_greedy_model(use_fixture_data, tmp_path, capsys):
    """Only a task that samples is refused: greedy tasks on ``-M do_sample=false`` (as in
    lm-eval) and sampling tasks on a sampling model, or on another provider, pass the checks."""
    from cultureval.inspect_preflight import check_eval
    from cultureval.preflight import PreflightError

    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    base = ["--model", "hf/x", "-M", f"model_path={model}", "--log-dir", str(tmp_path / "logs")]
    check_eval(["cultureval/global_opinion_cot", *base, "-M", "do_sample=false"])
    check_eval(["cultureval/global_opinion_sampled", *base])
    check_eval(["cultureval/global_opinion_sampled", "--model", "openai/x", "-M", "do_sample=false"])
    with pytest.raises(PreflightError, match="global_opinion_sampled samples at temperature 1"):
        check_eval(["cultureval/global_opinion_sampled", *base, "-M", "do_sample=false"])
