"""The documentation keeps up with the code: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import cli
from ingest.loaders import SUPPORTED_SUFFIXES
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
ENV_EXAMPLE = (REPO / ".env.example").read_text(encoding="utf-8")
SETTINGS_SOURCE = (REPO / "bot" / "settings.py").read_text(encoding="utf-8")

# environ.get("KEY"), environ["KEY"] and helpers called as _secret(environ, "KEY").
_READ_KEY = re.compile(r"""environ(?:\.get\(|\[|,\s*)\s*["']([A-Z][A-Z0-9_]*)["']""")
_ENV_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)
# A Markdown link to a page of ours: [text](path.md) or [text](path.md#anchor) or [text](#anchor).
_LOCAL_LINK = re.compile(r"\]\(((?:[\w./-]+\.md)?)(?:#([\w-]+))?\)")
COMMANDS = sorted(cli.commands)


def _readme_rows() -> dict[str, str]:
    """README command-table rows, keyed by command name."""
    rows = {}
    for line in README.splitlines():
        match = re.match(r"^\| `sectorbot (\w+)[^`]*` \|", line)
        if match:
            rows[match.group(1)] = line
    return rows


def _environment_keys() -> set[str]:
    return set(_READ_KEY.findall(SETTINGS_SOURCE))


def test_the_cli_has_the_commands_design_md_names() -> None:
    assert {"ingest", "ask", "eval"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text_with_an_example(name: str) -> None:
    command = cli.commands[name]

    assert command.help and command.help.strip()
    result = CliRunner().invoke(cli, [name, "--help"], prog_name="sectorbot")
    assert result.exit_code == 0, result.output
    assert f"Usage: sectorbot {name}" in result.output
    first_line = command.help.strip().splitlines()[0]
    assert first_line in result.output
    assert re.search(r"^\s+Examples?:\n\s+sectorbot ", result.output, re.MULTILINE), result.output
    assert re.search(rf"^\s+sectorbot {name}\b", result.output, re.MULTILINE), result.output


def test_the_group_help_lists_every_command_with_examples() -> None:
    result = CliRunner().invoke(cli, ["-h"])

    assert result.exit_code == 0
    assert "Examples:" in result.output
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.MULTILINE), name


def test_no_description_in_the_command_list_is_cut_off() -> None:
    listed = CliRunner().invoke(cli, ["--help"]).output.split("Commands:\n", 1)[1]

    assert "..." not in listed, listed
    for name in COMMANDS:
        first_line = cli.commands[name].help.strip().splitlines()[0]  # type: ignore[union-attr]
        assert re.search(rf"^\s+{name}\s+{re.escape(first_line)}$", listed, re.MULTILINE), name


def test_bare_sectorbot_prints_the_help_and_succeeds() -> None:
    result = CliRunner().invoke(cli, [], prog_name="sectorbot")

    assert result.exit_code == 0, result.output
    assert "Usage: sectorbot" in result.output and "Commands:" in result.output


def test_serve_help_names_the_tokens_each_mode_needs_and_the_env_file() -> None:
    text = " ".join(CliRunner().invoke(cli, ["serve", "--help"]).output.split())

    for key in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", ".env"):
        assert key in text


def test_eval_help_describes_the_question_format() -> None:
    text = CliRunner().invoke(cli, ["eval", "--help"]).output

    for field in ("question", "kind", "expected_files", "must_include"):
        assert f'"{field}"' in text
    for kind in ("factual", "paraphrase", "multi-doc", "temporal", "involvement", "out_of_scope"):
        assert kind in text


def test_ingest_help_lists_the_file_types_it_reads() -> None:
    text = CliRunner().invoke(cli, ["ingest", "--help"]).output

    for suffix in SUPPORTED_SUFFIXES:
        assert suffix in text


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_its_options_are_in_the_readme_table(name: str) -> None:
    rows = _readme_rows()

    assert name in rows, f"README's command table has no row for `sectorbot {name}`"
    options = [
        option
        for parameter in cli.commands[name].params
        if isinstance(parameter, click.Option)
        for option in parameter.opts
        if option.startswith("--") and option != "--help"
    ]
    for option in options:
        assert option in rows[name], f"`sectorbot {name}` row does not mention {option}"


def test_the_readme_table_names_no_command_that_does_not_exist() -> None:
    assert set(_readme_rows()) <= set(COMMANDS)


def test_every_environment_key_the_settings_read_is_in_env_example() -> None:
    keys = _environment_keys()
    listed = set(_ENV_LINE.findall(ENV_EXAMPLE))

    assert len(keys) >= 10  # the pattern still finds what settings.py reads
    assert keys - listed == set()


def test_env_example_lists_no_key_the_settings_never_read() -> None:
    assert set(_ENV_LINE.findall(ENV_EXAMPLE)) - _environment_keys() == set()


def test_every_key_in_env_example_has_a_comment_above_its_group() -> None:
    lines = ENV_EXAMPLE.splitlines()
    for index, line in enumerate(lines):
        if not _ENV_LINE.match(line):
            continue
        above = index - 1
        while above >= 0 and _ENV_LINE.match(lines[above]):
            above -= 1
        assert above >= 0 and lines[above].startswith("#"), f"{line!r} has no comment"


def _anchors(markdown: str) -> set[str]:
    """The anchors GitHub makes for a page's headings (lower case, punctuation dropped)."""
    headings = re.findall(r"^#+ (.+)$", markdown, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_the_readme_stays_short_and_links_every_docs_page() -> None:
    assert len(README.splitlines()) <= 150
    assert PAGES, "docs/ has no pages"
    for page in PAGES:
        assert f"(docs/{page.name})" in README, f"README does not link docs/{page.name}"


@pytest.mark.parametrize("page", [REPO / "README.md", *PAGES], ids=lambda page: page.name)
def test_every_link_between_our_pages_leads_to_a_page_and_a_heading(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target, anchor in _LOCAL_LINK.findall(text):
        linked = (page.parent / target).resolve() if target else page
        assert linked.is_file(), f"{page.name} links to missing {target}"
        if anchor:
            headings = _anchors(linked.read_text(encoding="utf-8"))
            assert anchor in headings, f"{page.name} links to {target}#{anchor}: no such heading"


@pytest.mark.parametrize("name", COMMANDS)
def test_the_command_reference_has_a_section_for_every_command(name: str) -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")

    assert re.search(rf"^## `sectorbot {name}\b", reference, re.MULTILINE), name


def test_no_test_reads_the_shared_folder_beside_the_repository() -> None:
    # A fresh clone has no ../shared; the tests carry their own documents in tests/data.
    for path in (REPO / "tests").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""["'/]shared["'/]|REPO\.parent|parents\[[2-9]\]""", text), path
