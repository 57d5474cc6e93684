"""Settings from the environment plus one TOML file: validated at start, secrets masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import (
    BUNDLED_CONFIG,
    BUNDLED_DIR,
    ENVIRONMENT_KEYS,
    Secret,
    Settings,
    SettingsError,
    load_settings,
    misspelt_keys,
)
from tests.conftest import REPO

TOKEN = "xoxb-1234-very-secret-token"
CONTACT = '[[contacts]]\nname = "Kathy Leggett"\nphone = "515-725-3882"\n'


def _settings(tmp_path: Path, toml: str | None = None, **environ: str) -> Settings:
    config = REPO / "sectorbot.toml"
    if toml is not None:
        config = tmp_path / "sectorbot.toml"
        config.write_text(toml, encoding="utf-8")
    return load_settings(
        {"SECTORBOT_DATA_DIR": str(tmp_path / "data"), "SECTORBOT_CONFIG": str(config), **environ}
    )


def _error(tmp_path: Path, toml: str | None = None, **environ: str) -> str:
    with pytest.raises(SettingsError) as caught:
        _settings(tmp_path, toml, **environ)
    return str(caught.value)


def test_the_repository_config_routes_to_kathy_leggett_and_indexes_the_bundled_page(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)

    assert settings.default_contact.name == "Kathy Leggett"
    assert settings.default_contact.phone == "515-725-3882"
    assert [Path(s.location) for s in settings.sources] == [
        BUNDLED_DIR / "iwd_sector_partnerships.md"
    ]
    assert Path(settings.sources[0].location).is_file()
    assert settings.data_dir == (tmp_path / "data").resolve()


def test_secrets_never_show_in_a_repr(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET=TOKEN + "-signing",
        SLACK_APP_TOKEN=TOKEN + "-app",
    )

    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings)
    assert TOKEN not in repr(settings.slack_bot_token)
    assert TOKEN not in f"{settings.slack_app_token}"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.reveal() == TOKEN
    assert settings.slack_bot_token == Secret(TOKEN)


def test_empty_secrets_and_urls_count_as_unset(tmp_path: Path) -> None:
    settings = _settings(tmp_path, SLACK_BOT_TOKEN="  ", DATABASE_URL="", CHROMA_HOST="")

    assert settings.slack_bot_token is None
    assert settings.database_url is None
    assert settings.chroma_host is None


@pytest.mark.parametrize("port", ["abc", "0", "70000"])
def test_a_bad_chroma_port_names_the_key(tmp_path: Path, port: str) -> None:
    assert _error(tmp_path, CHROMA_PORT=port).startswith("CHROMA_PORT")


def test_a_chroma_server_is_configured_by_host_and_port(tmp_path: Path) -> None:
    settings = _settings(tmp_path, CHROMA_HOST="127.0.0.1", CHROMA_PORT="8123")

    assert (settings.chroma_host, settings.chroma_port) == ("127.0.0.1", 8123)


def test_an_unknown_log_level_names_the_key(tmp_path: Path) -> None:
    assert _error(tmp_path, LOG_LEVEL="LOUD").startswith("LOG_LEVEL")


def test_log_levels_are_case_insensitive(tmp_path: Path) -> None:
    assert _settings(tmp_path, LOG_LEVEL="info").log_level == "INFO"


def test_a_source_without_a_location_names_the_key(tmp_path: Path) -> None:
    toml = '[[sources]]\nurl = "https://example.org"\n\n' + CONTACT

    assert _error(tmp_path, toml).startswith("sources[0].location")


def test_a_source_url_that_is_not_a_string_names_the_key(tmp_path: Path) -> None:
    toml = '[[sources]]\nlocation = "docs"\nurl = 3\n\n' + CONTACT

    assert _error(tmp_path, toml).startswith("sources[0].url")


def test_a_contact_without_a_name_names_the_key(tmp_path: Path) -> None:
    toml = CONTACT + '\n[[contacts]]\nphone = "515-000-0000"\n'

    assert _error(tmp_path, toml).startswith("contacts[1].name")


def test_a_config_without_contacts_names_the_key(tmp_path: Path) -> None:
    assert _error(tmp_path, "[admins]\nslack_user_ids = []\n").startswith("contacts")


def test_a_contact_field_of_the_wrong_type_names_the_key(tmp_path: Path) -> None:
    toml = '[[contacts]]\nname = "Kathy Leggett"\nphone = 5157253882\n'

    assert _error(tmp_path, toml).startswith("contacts[0].phone")


def test_contact_topics_must_be_a_list_of_strings(tmp_path: Path) -> None:
    toml = CONTACT + 'topics = "welding"\n'

    assert _error(tmp_path, toml).startswith("contacts[0].topics")


def test_malformed_toml_names_the_config_key(tmp_path: Path) -> None:
    message = _error(tmp_path, "[[contacts]\nname = 'x'\n")

    assert message.startswith("SECTORBOT_CONFIG")
    assert "not valid TOML" in message


def test_a_config_path_that_does_not_exist_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="^SECTORBOT_CONFIG: no such file"):
        load_settings({"SECTORBOT_CONFIG": str(tmp_path / "missing.toml")})


def test_without_a_config_the_bundled_one_is_used(tmp_path: Path) -> None:
    settings = load_settings({})  # the autouse fixture put us in an empty temp dir

    assert settings.config_path == BUNDLED_CONFIG
    assert settings.default_contact.name == "Kathy Leggett"
    assert settings.data_dir == (tmp_path / ".sectorbot").resolve()


def test_a_sectorbot_toml_in_the_working_directory_is_used(tmp_path: Path) -> None:
    (tmp_path / "sectorbot.toml").write_text(CONTACT.replace("Kathy Leggett", "Local"), "utf-8")

    settings = load_settings({})

    assert settings.default_contact.name == "Local"


def test_admin_user_ids_merge_with_the_admins_in_the_toml_file(tmp_path: Path) -> None:
    toml = CONTACT + '\n[admins]\nslack_user_ids = ["U0TOML"]\n'

    settings = _settings(tmp_path, toml, ADMIN_USER_IDS=" U1ENV, U2ENV ,,")

    assert settings.admin_user_ids == frozenset({"U0TOML", "U1ENV", "U2ENV"})


def test_hand_off_staff_are_the_contacts_admins_and_named_staff(tmp_path: Path) -> None:
    toml = (
        CONTACT.replace(
            'name = "Kathy Leggett"', 'name = "Kathy Leggett"\nslack_user_id = "UKATHY"'
        )
        + '\n[admins]\nslack_user_ids = ["UADMIN"]\n[staff]\nslack_user_ids = ["U0TOML"]\n'
    )

    settings = _settings(tmp_path, toml, STAFF_USER_IDS="U1ENV, ,U2ENV")

    assert settings.staff_user_ids == frozenset({"U0TOML", "U1ENV", "U2ENV"})
    assert settings.handoff_staff == frozenset({"UKATHY", "UADMIN", "U0TOML", "U1ENV", "U2ENV"})


def test_a_misspelt_staff_key_is_named(tmp_path: Path) -> None:
    toml = CONTACT + '\n[staff]\nslack_users = ["U1"]\n'

    assert _error(tmp_path, toml).startswith("staff.slack_users")


def test_admins_in_the_toml_file_must_be_strings(tmp_path: Path) -> None:
    toml = CONTACT + "\n[admins]\nslack_user_ids = [1, 2]\n"

    assert _error(tmp_path, toml).startswith("admins.slack_user_ids")


def test_heroku_postgres_urls_are_rewritten_for_sqlalchemy_and_psycopg(tmp_path: Path) -> None:
    settings = _settings(tmp_path, DATABASE_URL="postgres://user:pw@db.example:5432/bot")

    assert settings.sqlalchemy_url == "postgresql+psycopg://user:pw@db.example:5432/bot"


def test_postgresql_urls_use_psycopg_and_sqlite_is_the_default(tmp_path: Path) -> None:
    url = "postgresql://user:pw@db.example:5432/bot"

    assert _settings(tmp_path, DATABASE_URL=url).sqlalchemy_url == (
        "postgresql+psycopg://user:pw@db.example:5432/bot"
    )
    explicit = "postgresql+psycopg://user:pw@db.example:5432/bot"
    assert _settings(tmp_path, DATABASE_URL=explicit).sqlalchemy_url == explicit
    default = _settings(tmp_path).sqlalchemy_url
    assert default == f"sqlite:///{(tmp_path / 'data').resolve() / 'sectorbot.db'}"


def test_source_locations_resolve_bundled_relative_and_web_forms(tmp_path: Path) -> None:
    toml = (
        '[[sources]]\nlocation = "bundled:iwd_sector_partnerships.md"\n'
        'url = "https://workforce.iowa.gov/x"\n\n'
        '[[sources]]\nlocation = "docs/guides"\n\n'
        '[[sources]]\nlocation = "https://example.org/sitemap.xml"\n\n' + CONTACT
    )

    bundled, relative, web = _settings(tmp_path, toml).sources

    assert bundled.location == str(BUNDLED_DIR / "iwd_sector_partnerships.md")
    assert Path(bundled.location).parent == REPO / "knowledge" / "defaults"
    assert bundled.url == "https://workforce.iowa.gov/x"
    assert relative.location == str((tmp_path / "docs" / "guides").resolve())
    assert web.location == "https://example.org/sitemap.xml"


def test_empty_port_and_log_level_mean_the_defaults(tmp_path: Path) -> None:
    settings = _settings(tmp_path, CHROMA_PORT="", LOG_LEVEL="")

    assert (settings.chroma_port, settings.log_level) == (8000, "WARNING")


def test_an_unknown_embedding_model_fails_at_start_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EMBEDDING_MODEL"):
        _settings(tmp_path, EMBEDDING_MODEL="word2vec")


def test_a_misspelt_setting_is_named_instead_of_ignored(tmp_path: Path) -> None:
    assert _error(tmp_path, CONTACT + 'emial = "k@example.org"\n').startswith("contacts[0].emial")
    assert _error(tmp_path, '[[sources]]\nlocaton = "docs"\n' + CONTACT).startswith(
        "sources[0].location"
    )
    assert _error(tmp_path, CONTACT + '[admin]\nslack_user_ids = ["U1"]\n').startswith("admin:")


def test_a_contact_nobody_can_reach_is_refused(tmp_path: Path) -> None:
    message = _error(tmp_path, '[[contacts]]\nname = "Kathy Leggett"\n')

    assert message.startswith("contacts[0]") and "phone" in message


def test_refresh_interval_and_staleness_have_defaults_and_off_values(tmp_path: Path) -> None:
    default = _settings(tmp_path)
    custom = _settings(tmp_path, REFRESH_INTERVAL_HOURS="12.5", STALE_AFTER_DAYS="365")
    off = _settings(tmp_path, REFRESH_INTERVAL_HOURS="0", STALE_AFTER_DAYS="0")

    assert (default.refresh_interval_hours, default.stale_after_days) == (None, 730)
    assert (custom.refresh_interval_hours, custom.stale_after_days) == (12.5, 365)
    assert (off.refresh_interval_hours, off.stale_after_days) == (None, None)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("REFRESH_INTERVAL_HOURS", "daily"),
        ("REFRESH_INTERVAL_HOURS", "-1"),
        ("REFRESH_INTERVAL_HOURS", "nan"),
        ("STALE_AFTER_DAYS", "2 years"),
        ("STALE_AFTER_DAYS", "-30"),
    ],
)
def test_a_malformed_interval_or_age_names_the_key(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        _settings(tmp_path, **{key: value})


def test_the_list_of_setting_keys_is_every_key_read_and_every_key_documented() -> None:
    source = (REPO / "bot" / "settings.py").read_text(encoding="utf-8")
    loader = source[source.index("def load_settings") :]
    levels = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
    read = set(re.findall(r"\"([A-Z][A-Z_]+)\"", loader)) - levels
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    documented = {
        line.split("=", 1)[0].lstrip("# ") for line in example.splitlines() if "=" in line
    }

    assert read <= ENVIRONMENT_KEYS
    assert documented >= ENVIRONMENT_KEYS


def test_a_near_miss_of_a_setting_is_named_and_other_keys_are_left_alone() -> None:
    keys = ["SLACK_BOT_TOKN", "LOG_LEVEL", "OPENAI_API_KEY", "PATH", "SMTP_PASWORD"]

    assert misspelt_keys(keys) == {
        "SLACK_BOT_TOKN": "SLACK_BOT_TOKEN",
        "SMTP_PASWORD": "SMTP_PASSWORD",
    }
