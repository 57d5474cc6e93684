"""The LLM path's pure parts: citation check, redaction, the model factory's errors, settings."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError
from knowledge.llm.citations import check_citations, renumber
from knowledge.llm.model import LlmSetupError, make_chat_model
from knowledge.llm.redact import Redactor
from tests.conftest import make_settings


def test_valid_markers_stay_and_markers_pointing_at_nothing_go() -> None:
    checked = check_citations("Regional groups [1]. Founded by aliens [7]. Since 2015 [2].", {1, 2})

    assert checked.text == "Regional groups [1]. Founded by aliens. Since 2015 [2]."
    assert checked.cited == (1, 2)


def test_lists_and_ranges_of_passages_keep_only_the_valid_numbers_in_first_use_order() -> None:
    checked = check_citations("A [3, 9]. B [1-2]. C [2][3].", {1, 2, 3})

    assert checked.text == "A [3]. B [1][2]. C [2][3]."
    assert checked.cited == (3, 1, 2)


def test_an_answer_without_markers_cites_nothing() -> None:
    assert check_citations("I don't know.", {1, 2}).cited == ()


def test_renumbering_maps_passage_numbers_to_source_numbers() -> None:
    assert renumber("A [3]. B [1][3].", {3: 1, 1: 2}) == "A [1]. B [2][1]."


def test_personal_data_is_masked() -> None:
    redact = Redactor()

    assert redact("mail jane.doe+iwd@acme.co or bob@x.org") == "mail [email] or [email]"
    assert redact("call (319) 555-0142, 319.555.0142 or +1 319 555 0142") == (
        "call [phone], [phone] or [phone]"
    )
    assert redact("from London +44 20 7946 0958") == "from London [phone]"
    assert redact("SSN 123-45-6789") == "SSN [id number]"
    assert redact("card 4111 1111 1111 1111") == "card [card number]"
    assert redact("ask <@U12345|jane> about it") == "ask [someone] about it"
    assert redact("ask @U12345AB about it") == "ask [someone] about it"  # as the bot reads it


def test_numbers_that_are_not_personal_data_are_left_alone() -> None:
    redact = Redactor(["515-725-3882", "kathy.leggett@iwd.iowa.gov"])

    text = (
        "Iowa Code 84A.15 and 260E, about 60 partnerships in 2017, $1,500,000 in grants; "
        "is 515-725-3882 (or 515.725.3882) still right, or Kathy.Leggett@iwd.iowa.gov?"
    )
    assert redact(text) == text


def test_a_model_spec_without_a_provider_is_refused_by_the_factory() -> None:
    with pytest.raises(LlmSetupError, match="LLM_MODEL: expected provider:model"):
        make_chat_model("gpt-4o-mini", timeout_seconds=5)


def test_a_provider_whose_package_is_missing_names_the_package_to_install() -> None:
    with pytest.raises(LlmSetupError, match="pip install langchain-anthropic"):
        make_chat_model("anthropic:claude-sonnet-4-5", timeout_seconds=5)


def test_an_openai_model_without_a_key_fails_naming_the_key() -> None:
    with pytest.raises(LlmSetupError, match="OPENAI_API_KEY"):
        make_chat_model("openai:gpt-4o-mini", timeout_seconds=5)


def test_llm_settings_are_read_and_checked(tmp_path: pytest.TempPathFactory) -> None:
    settings = make_settings(
        tmp_path,  # type: ignore[arg-type]
        LLM_MODEL="openai:gpt-4o-mini",
        LLM_TIMEOUT_SECONDS="12.5",
        LLM_TEMPERATURE="0",
    )
    assert (settings.llm_model, settings.llm_timeout_seconds, settings.llm_temperature) == (
        "openai:gpt-4o-mini",
        12.5,
        0.0,
    )
    default = make_settings(tmp_path)  # type: ignore[arg-type]
    assert (default.llm_model, default.llm_timeout_seconds, default.llm_temperature) == (
        None,
        30.0,
        None,
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("LLM_MODEL", "gpt-4o-mini"),
        ("LLM_MODEL", "openai:"),
        ("LLM_TIMEOUT_SECONDS", "soon"),
        ("LLM_TIMEOUT_SECONDS", "0"),
        ("LLM_TEMPERATURE", "hot"),
        ("LLM_TEMPERATURE", "5"),
    ],
)
def test_malformed_llm_settings_fail_naming_the_key(
    tmp_path: pytest.TempPathFactory, key: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=key):
        make_settings(tmp_path, **{key: value})  # type: ignore[arg-type]


def test_the_default_path_does_not_load_langchain() -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import sys, bot.cli, bot.services, bot.answering, knowledge.evaluation; "
        "print(sorted(m for m in sys.modules if m.startswith(('langchain', 'openai'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
