"""``sectorbot report``: the coverage report on the command line, through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import cli
from tests.bot.coverage_rows import asked, bot_database, day, judged


def _report(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["report", *args], env={"SECTORBOT_DATA_DIR": str(data_dir)})


def _store_questions(data_dir: Path) -> None:
    engine = bot_database(data_dir)
    asked(engine, "Are there grants for sector partnerships?", user="U_ONE", days_ago=20)
    asked(
        engine, "What funding is available to start a sector partnership?", user="U_TWO", days_ago=3
    )
    answered = asked(engine, "When is the next sector partnership meeting?", confident=True)
    judged(engine, answered)
    engine.dispose()


def test_report_prints_paraphrases_as_one_group_with_counts_and_dates(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_questions(data_dir)

    result = _report(data_dir)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 questions the bot declined or that got 'not helpful' so far")
    assert "in 2 groups" in lines[0]
    assert lines[2] in (
        "1. Are there grants for sector partnerships?",
        "1. What funding is available to start a sector partnership?",
    )
    assert lines[3] == f"   2 times by 2 people, {day(20)} to {day(3)}; 2 declined, 0 not helpful"
    assert lines[5] == "2. When is the next sector partnership meeting?"
    assert lines[6].endswith("0 declined, 1 not helpful")


def test_report_json_with_days_keeps_the_recent_questions_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _store_questions(data_dir)

    result = _report(data_dir, "--days", "7", "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["days"], document["questions"]) == (7, 2)
    assert [(group["question"], group["count"]) for group in document["groups"]] == [
        ("When is the next sector partnership meeting?", 1),
        ("What funding is available to start a sector partnership?", 1),
    ]


def test_an_empty_report_prints_a_friendly_line_and_succeeds(tmp_path: Path) -> None:
    result = _report(tmp_path / "data", "--days", "30")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "No declined or not-helpful questions in the last 30 days: nothing is missing from the "
        "knowledge base that anyone asked about.\n"
    )


def test_days_must_be_a_positive_number(tmp_path: Path) -> None:
    result = _report(tmp_path / "data", "--days", "0")

    assert result.exit_code == 2 and "--days" in result.output
