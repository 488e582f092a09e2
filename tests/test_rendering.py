"""One canonical rendering per mode, the same in lm-eval and Inspect."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cultureval import rendering
from cultureval.definitions import task_definition
from cultureval.inspect_tasks import option_messages, resolve_rendering
from cultureval.paths import tasks_dir
from cultureval.scorers.option_logprobs import letter_logprobs, normalise_token

STEM = "If I had to select one of the options, my answer would be ("


@pytest.fixture()
def lm_eval_task(use_fixture_data):
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(tasks_dir()), include_defaults=False)
    return manager.load(["global_opinion_jsd"])["tasks"]["global_opinion_jsd"]


def test_plain_rendering_is_the_literal_durmus_layout(lm_eval_task):
    doc = lm_eval_task.test_docs()[0]
    context = lm_eval_task.fewshot_context(doc, 0, gen_prefix=lm_eval_task.doc_to_prefix(doc))
    assert context.startswith("Human: How would someone from United States answer the following question:\n")
    assert context.endswith("\n(E) DK/Refused\nAssistant: " + STEM)
    # Inspect's plain rendering is the same single string
    [message] = option_messages(rendering.PLAIN, rendering.HUMAN_ASSISTANT, lm_eval_task.doc_to_text(doc), STEM)
    assert message.role == "user" and message.content == context


def test_chat_rendering_puts_the_stem_in_the_models_turn(lm_eval_task, tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)

    def chat_template(messages, add_generation_prompt=True):
        return tokenizer.apply_chat_template(
            messages,
            tokenize=False,
            add_generation_prompt=add_generation_prompt,
            continue_final_message=not add_generation_prompt,
        )

    doc = lm_eval_task.test_docs()[0]
    context = lm_eval_task.fewshot_context(
        doc, 0, apply_chat_template=True, chat_template=chat_template, gen_prefix=lm_eval_task.doc_to_prefix(doc)
    )
    user_text = lm_eval_task.doc_to_text(doc)
    assert context == f"<|im_start|>user\n{user_text}<|im_end|>\n<|im_start|>assistant\n{STEM}"
    assert "Human:" not in context
    user, assistant = option_messages(rendering.CHAT, rendering.HUMAN_ASSISTANT, user_text, STEM)
    assert (user.role, user.content) == ("user", user_text)
    assert (assistant.role, assistant.content) == ("assistant", STEM)


def test_results_record_provenance(lm_eval_task):
    block = lm_eval_task.config.metadata["cultureval"]
    assert block["task_version"] == 1.0
    assert block["data_source"]["dataset"] == "global_opinions"
    assert block["data_source"]["skipped"] == {"all_zero": 1, "length_mismatch": 1}
    assert len(block["data_source"]["sha256"]) == 64


def test_inspect_definition_is_read_from_the_same_yaml(use_fixture_data):
    definition = task_definition("global_opinion_jsd_binary")
    assert definition.config["gen_prefix"] == STEM
    assert definition.config["dataset_kwargs"] == {"subset": "binary"}
    docs = list(definition.load_dataset())
    assert docs and all(doc["n_options"] == 2 for doc in docs)


def test_instruction_rendering_and_auto():
    [message] = option_messages(rendering.INSTRUCTION, rendering.HUMAN_ASSISTANT, "Q?\n(A) x\n(B) y", STEM)
    assert message.content == "Q?\n(A) x\n(B) y\n\nAnswer with the letter of one option."
    assert resolve_rendering("auto", "vllm") == rendering.CHAT
    assert resolve_rendering("auto", "hf") == rendering.INSTRUCTION
    assert resolve_rendering("auto", "openai") == rendering.INSTRUCTION
    assert resolve_rendering("plain", "hf") == rendering.PLAIN
    with pytest.raises(ValueError, match="rendering must be one of"):
        resolve_rendering("fancy", "hf")


def test_letter_logprobs_exact_mode_reads_only_bare_letters():
    top = [("A", -0.5), ("ĠB", -1.0), ("B", -1.2), ("(", -2.0), ("C", -3.0)]
    values, missing = letter_logprobs(top, ["A", "B", "C", "D"], exact=True)
    assert values == [-0.5, -1.2, -3.0, -3.0]  # D missing: floor = smallest returned logprob
    assert missing == 1


def test_letter_logprobs_instruction_mode_merges_space_variants():
    import math

    top = [("ĠA", math.log(0.3)), ("A", math.log(0.2)), ("▁B", math.log(0.1)), (" C", math.log(0.05))]
    values, missing = letter_logprobs(top, ["A", "B", "C"], exact=False)
    assert values == pytest.approx([math.log(0.5), math.log(0.1), math.log(0.05)])
    assert missing == 0


def test_no_letter_in_top_k_gives_uniform():
    from cultureval.metrics import softmax_logprobs

    values, missing = letter_logprobs([("Hello", -0.1), ("(", -2.0)], ["A", "B", "C"], exact=True)
    assert missing == 3
    assert softmax_logprobs(values) == pytest.approx([1 / 3] * 3)
    with pytest.raises(ValueError):
        letter_logprobs([], ["A"], exact=True)


@given(
    st.dictionaries(st.sampled_from(["A", "B", "C", "D", "ĠA", "▁B", "x", "(", " C"]), st.floats(-30, 0), min_size=1),
    st.integers(1, 4),
    st.booleans(),
)
def test_letter_logprobs_properties(top, n_letters, exact):
    letters = ["A", "B", "C", "D"][:n_letters]
    values, missing = letter_logprobs(list(top.items()), letters, exact)
    floor = min(top.values())
    assert len(values) == len(letters)
    assert 0 <= missing <= len(letters)
    assert all(v >= floor - 1e-12 for v in values)
    assert sum(v == floor for v in values) >= missing
    for letter in letters:
        if exact and letter in top:
            assert values[letters.index(letter)] == pytest.approx(top[letter])


def test_normalise_token():
    assert normalise_token("ĠA") == " A" and normalise_token("▁A") == " A" and normalise_token("A") == "A"


def test_option_letters_are_single_tokens_after_the_stem(tiny_model):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    context = tokenizer(STEM)["input_ids"]
    for letter in "ABCDEFGHIJKLMNOPQR":
        whole = tokenizer(STEM + letter)["input_ids"]
        assert whole[: len(context)] == context and len(whole) == len(context) + 1
