#!/usr/bin/env bash
# The GPU measurement in one go (issue 30), for a machine with one large GPU: Qwen2.5-7B shapes
# with random bf16 weights, the full global_opinion_jsd (10,402 items), 600 reasoning answers
# (global_opinion_cot_6c) and 600 x 10 sampled answers (global_opinion_sampled_6c), on every
# installed path, then the pack overhead. Writes the table to $OUT/speed.log and every number to
# $OUT/speed.json (OUT defaults to ./gpu-out).
#
#   benchmarks/gpu_run.sh TOKENIZER_DIR DATA_DIR [EXTRA speed.py ARGS...]
#
# TOKENIZER_DIR: a tokenizer folder (the Qwen2.5 one: `huggingface-cli download
# Qwen/Qwen2.5-7B-Instruct tokenizer.json tokenizer_config.json vocab.json merges.txt --local-dir
# DIR` on a machine with network; any tokenizer works, its token counts are then its own).
# DATA_DIR: a folder with global_opinions/global_opinions.csv (as ../shared/data).
# A machine without network needs lm-eval, datasets and inspect-ai installed first (wheels
# carried beside the checkout, see README "Throughput and cost"); vLLM, where installed, adds the
# lm-eval-vllm and inspect-vllm paths, else they are skipped with a printed line.
set -euo pipefail
cd "$(dirname "$0")/.."
tokenizer="${1:?usage: benchmarks/gpu_run.sh TOKENIZER_DIR DATA_DIR [speed.py args]}"
data="${2:?usage: benchmarks/gpu_run.sh TOKENIZER_DIR DATA_DIR [speed.py args]}"
shift 2
out="${OUT:-gpu-out}"
mkdir -p "$out"
export CULTUREVAL_DATA_DIR="$data" HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export PYTHONUNBUFFERED=1
python3 -c 'import torch; print(torch.cuda.get_device_name(0))' | tee "$out/speed.log"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$out/speed.log"
# One round each (a GPU is quiet, and its minutes are few: about 15 in all, so about 9 here):
# the whole global_opinion_jsd, 128 reasoning answers of up to 1,024 tokens, 600 x 10 samples.
# Inspect's hf provider is left out here: it polls its batches once a second (measured on CPU).
python3 benchmarks/speed.py --arch qwen2.5-7b --tokenizer "$tokenizer" --device cuda --dtype bfloat16 \
  --kinds logprob,generation,sampling --task logprob=global_opinion_jsd --limit 0 \
  --kind-limit generation=128 --paths hand,hand-full,lm-eval-hf,lm-eval-vllm,inspect-vllm \
  --batch-size 64 --chat --repeats 1 --no-overhead --json "$out/speed.json" "$@" \
  2>"$out/speed.err" | tee -a "$out/speed.log"
