"""A non-editable install (a built wheel) ships the subpackages and the YAML files."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_maps_folders_into_the_package_with_yaml(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("cultureval-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "cultureval/__init__.py",
        "cultureval/tasks/global_opinions/scoring.py",
        "cultureval/tasks/global_opinions/global_opinion_jsd.yaml",
        "cultureval/tasks/global_opinions/_jsd_template_yaml",
        "cultureval/metrics/distribution.py",
        "cultureval/scorers/distribution.py",
        "cultureval/tasks/cali/cali_nli.yaml",
        "cultureval/configs/inspect/hf_plain_text.yaml",
        "cultureval/tasks/wvs_polarity/wvs_polarity.yaml",
        "cultureval/tasks/wvs_polarity/_wvs_polarity_template_yaml",
        "cultureval/tasks/culturebank/culturebank_reddit.yaml",
        "cultureval/scorers/judged.py",
        "cultureval/metrics/correlation.py",
        "cultureval/configs/judge/vllm_local.yaml",
        "cultureval/configs/lm_eval/vllm_lora.yaml",
        "cultureval/configs/inspect/openai.yaml",
    ):
        assert expected in names, expected
    assert not any(name.startswith("tests/") or "/tests/" in name for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[inspect_ai]" in text and "cultureval = cultureval._registry" in text
