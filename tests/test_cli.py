import subprocess
import sys
from pathlib import Path

import pytest

from cultureval.cli import lm_eval_argv
from cultureval.errors import InputError
from cultureval.paths import tasks_dir


def test_tasks_dir_prints_the_installed_yaml_folder():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cultureval"), "tasks-dir"], capture_output=True, text=True, check=True
    )
    folder = Path(result.stdout.strip())
    assert folder == tasks_dir()
    names = {p.name for p in folder.rglob("*.yaml")}
    assert {"global_opinion_jsd.yaml", "global_opinion_jsd_6c.yaml", "global_opinion_jsd_binary.yaml"} <= names


def test_lm_eval_passthrough_adds_the_include_path():
    folder = str(tasks_dir())
    assert lm_eval_argv(["--tasks", "x"]) == ["lm-eval", "run", "--include_path", folder, "--tasks", "x"]
    assert lm_eval_argv(["ls", "tasks"]) == ["lm-eval", "ls", "--include_path", folder, "tasks"]
    with pytest.raises(InputError, match="takes only one"):
        lm_eval_argv(["run", "--include_path", "/mine", "--tasks", "x"])


def test_packages_map_to_the_top_level_folders():
    import cultureval.configs
    import cultureval.metrics
    import cultureval.scorers
    import cultureval.tasks

    for module, folder in (
        (cultureval.tasks, "tasks"),
        (cultureval.metrics, "metrics"),
        (cultureval.scorers, "scorers"),
        (cultureval.configs, "configs"),
    ):
        assert Path(module.__file__).parent.name == folder


def test_every_subcommand_prints_its_help(capsys):
    """Every subcommand's ``--help`` prints and exits 0 (argparse formats help with ``%``: a help
    text saying "95% interval" crashed ``cultureval --help`` with a TypeError)."""
    import argparse

    from cultureval.cli import build_parser

    parser = build_parser()
    [sub] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    assert "compare" in sub.choices
    for name, subparser in [("", parser), *sub.choices.items()]:
        text = subparser.format_help()
        assert text.startswith("usage:"), name
