"""docs/cli-reference.md is what `--help` prints, for every command, and is up to date."""

from __future__ import annotations

import re

from click.testing import CliRunner

from distill.cli import main
from distill.cli.reference import HELP_WIDTH, cli_reference_markdown

from .conftest import REPO

SECTION = re.compile(r"^## `(?P<path>[^`]+)`\n\n```text\n(?P<help>.*?)\n```$", re.S | re.M)


def test_the_reference_in_docs_is_regenerated() -> None:
    stored = (REPO / "docs" / "cli-reference.md").read_text(encoding="utf-8")
    assert stored == cli_reference_markdown(), "run `make docs` and commit docs/cli-reference.md"


def test_each_section_is_what_help_prints_and_every_command_has_one() -> None:
    sections = {m["path"]: m["help"] for m in SECTION.finditer(cli_reference_markdown())}
    for path, text in sections.items():
        result = CliRunner().invoke(
            main,
            [*path.split()[1:], "--help"],
            prog_name="distill",
            terminal_width=HELP_WIDTH,
            max_content_width=HELP_WIDTH,
        )
        assert result.exit_code == 0, (path, result.output)
        assert result.output.rstrip() == text, path
    listed = set(sections)
    for path in list(sections):  # each group's "Commands:" list names only documented ones
        names = re.findall(r"^  (\S+)  ", sections[path].split("Commands:\n", 1)[-1], re.M)
        if "Commands:" in sections[path]:
            assert {f"{path} {name}" for name in names} <= listed, path
    assert {"distill", "distill add", "distill feeds add", "distill tags merge"} <= listed
