"""Settings from the environment (and ``.env``) plus one TOML file, validated at start."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import (
    DEFAULT_MAX_PAGES,
    MAX_REQUESTS_PER_REFRESH,
    MAX_SITEMAP_FILES,
    SiteRules,
    WebOptions,
)
from knowledge import Contact

BUNDLED_CONFIG = (
    Path(__file__).resolve().parent.parent / "knowledge" / "defaults" / "sectorbot.toml"
)
BUNDLED_PREFIX = "bundled:"
BUNDLED_DIR = BUNDLED_CONFIG.parent
SUPPORTED_EMBEDDING_MODELS = frozenset({"minilm"})
_TOP_LEVEL_KEYS = frozenset({"sources", "contacts", "admins", "staff"})
_ADMIN_KEYS = frozenset({"slack_user_ids"})
_STAFF_KEYS = frozenset({"slack_user_ids"})
_SOURCE_KEYS = frozenset({"location", "url", "allowed_domains", "max_pages"})
_CONTACT_KEYS = frozenset(
    {"name", "title", "phone", "email", "slack_user_id", "source", "topics", "regions"}
)


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the key."""


class Secret:
    """A secret value whose ``repr`` and ``str`` never show it."""

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the real value, for handing to the client that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class SourceSpec:
    """One configured source: a file, folder, URL or sitemap, with an optional URL override.

    Web sources may also name the domains they may lead to (default: the URL's own host) and
    how many pages a sitemap may add.
    """

    location: str
    url: str | None = None
    allowed_domains: tuple[str, ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to run; built once by the CLI and passed down explicitly."""

    data_dir: Path
    config_path: Path
    sources: tuple[SourceSpec, ...]
    contacts: tuple[Contact, ...]
    admin_user_ids: frozenset[str] = frozenset()
    # Besides admins and the contacts, who may claim, resolve and list hand-offs.
    staff_user_ids: frozenset[str] = frozenset()
    database_url: str | None = None
    chroma_host: str | None = None
    chroma_port: int = 8000
    slack_bot_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_app_token: Secret | None = None
    slack_api_url: str | None = None
    handoff_channel_id: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_from: str | None = None
    smtp_username: str | None = None
    smtp_password: Secret | None = None
    smtp_starttls: bool = True
    log_level: str = "WARNING"
    embedding_model: str = "minilm"
    # Optional LLM answers: a LangChain ``provider:model``; None keeps answers extractive.
    llm_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_temperature: float | None = None
    # Hosts that web sources may fetch from although they resolve to private addresses.
    ingest_allowed_private_hosts: frozenset[str] = frozenset()
    # The hand-off outbox: first retry delay (doubling after each failure) and how often an idle
    # worker looks for due rows. Tests shorten both; no environment key, the defaults suit Slack.
    outbox_backoff_seconds: float = 2.0
    outbox_poll_seconds: float = 2.0
    # Refresh the configured sources this often while `serve` runs (None: never on its own).
    refresh_interval_hours: float | None = None
    # Answers resting on a document dated longer ago than this say so (None: never).
    stale_after_days: int | None = 730
    # Stored questions (turns, feedback, assistant contexts) are deleted after this many days
    # (None: kept forever).
    question_retention_days: int | None = 90
    # How often an answer being written is sent to Slack (chat.update allows about one call a
    # second per message). Tests shorten it; no environment key.
    slack_stream_interval_seconds: float = 1.0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, defaulting to SQLite inside the data dir."""
        if self.database_url:
            url = self.database_url
            # Heroku hands out postgres:// URLs, which SQLAlchemy 2 no longer accepts; and the
            # driver we ship is psycopg 3, not SQLAlchemy's default psycopg2.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url.removeprefix(prefix)
            return url
        return f"sqlite:///{self.data_dir / 'sectorbot.db'}"

    def web_options(self, extra_sources: tuple[str, ...] = ()) -> WebOptions:
        """How web sources are fetched: the configured sources' rules and the private hosts.

        ``extra_sources`` (URLs named on the command line) may visit only their own host.
        """
        rules = {
            source.location: SiteRules(source.allowed_domains, source.max_pages)
            for source in self.sources
        }
        for url in extra_sources:
            rules.setdefault(url, SiteRules())
        # Room for every source to reach its page and sitemap limits twice over (redirects,
        # robots.txt files), and never less than the default.
        wanted = sum(
            2 * (rule.max_pages + MAX_SITEMAP_FILES)
            for location, rule in rules.items()
            if location.startswith(("http://", "https://"))
        )
        return WebOptions(
            self.ingest_allowed_private_hosts,
            rules,
            max_requests=max(MAX_REQUESTS_PER_REFRESH, wanted),
        )

    @property
    def handoff_staff(self) -> frozenset[str]:
        """Who may claim, resolve and list hand-offs: the contacts, admins and named staff."""
        contacts = {contact.slack_user_id for contact in self.contacts if contact.slack_user_id}
        return self.admin_user_ids | self.staff_user_ids | frozenset(contacts)

    @property
    def default_contact(self) -> Contact:
        """The contact people are routed to when no topic rule picks another."""
        return self.contacts[0]


# Every environment key load_settings reads (tests/test_settings.py checks the list against it
# and against .env.example).
ENVIRONMENT_KEYS = frozenset(
    """SECTORBOT_DATA_DIR SECTORBOT_CONFIG DATABASE_URL CHROMA_HOST CHROMA_PORT SLACK_BOT_TOKEN
    SLACK_SIGNING_SECRET SLACK_APP_TOKEN SLACK_API_URL ADMIN_USER_IDS STAFF_USER_IDS
    HANDOFF_CHANNEL_ID SMTP_HOST SMTP_PORT SMTP_FROM SMTP_STARTTLS SMTP_USERNAME SMTP_PASSWORD
    INGEST_ALLOWED_PRIVATE_HOSTS REFRESH_INTERVAL_HOURS STALE_AFTER_DAYS LLM_MODEL
    LLM_TIMEOUT_SECONDS LLM_TEMPERATURE QUESTION_RETENTION_DAYS EMBEDDING_MODEL LOG_LEVEL""".split()
)
# How alike a key must be to a setting's to be taken for a misspelling of it ("SLACK_BOT_TOKN").
_MISSPELLING = 0.85


def misspelt_keys(keys: Iterable[str]) -> dict[str, str]:
    """Keys that are no setting but nearly spell one, each with the setting it resembles.

    Other keys (an LLM provider's API key, anything else a .env holds) are not ours to judge.
    """
    found = {}
    for key in keys:
        if key in ENVIRONMENT_KEYS:
            continue
        close = difflib.get_close_matches(key, ENVIRONMENT_KEYS, n=1, cutoff=_MISSPELLING)
        if close:
            found[key] = close[0]
    return found


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Build settings from environment variables and the TOML file they point at.

    Raises:
        SettingsError: when a key is missing or malformed; the message names the key.

    """
    config_path = _config_path(environ)
    config = _read_toml(config_path)
    _reject_unknown(config, _TOP_LEVEL_KEYS, "")
    _reject_unknown(config.get("admins", {}), _ADMIN_KEYS, "admins.")
    _reject_unknown(config.get("staff", {}), _STAFF_KEYS, "staff.")
    sources = _parse_sources(config, config_path)
    contacts = _parse_contacts(config)
    admins = set(_string_list(config.get("admins", {}), "slack_user_ids", "admins.slack_user_ids"))
    admins.update(_split_ids(environ.get("ADMIN_USER_IDS", "")))
    staff = set(_string_list(config.get("staff", {}), "slack_user_ids", "staff.slack_user_ids"))
    staff.update(_split_ids(environ.get("STAFF_USER_IDS", "")))
    return Settings(
        data_dir=Path(environ.get("SECTORBOT_DATA_DIR") or ".sectorbot").expanduser().resolve(),
        config_path=config_path,
        sources=sources,
        contacts=contacts,
        admin_user_ids=frozenset(admins),
        staff_user_ids=frozenset(staff),
        database_url=environ.get("DATABASE_URL") or None,
        chroma_host=environ.get("CHROMA_HOST") or None,
        # An empty value (as a copied .env.example may leave it) means the default.
        chroma_port=_port(environ.get("CHROMA_PORT") or "8000", "CHROMA_PORT"),
        slack_bot_token=_secret(environ, "SLACK_BOT_TOKEN"),
        slack_signing_secret=_secret(environ, "SLACK_SIGNING_SECRET"),
        slack_app_token=_secret(environ, "SLACK_APP_TOKEN"),
        slack_api_url=environ.get("SLACK_API_URL") or None,
        handoff_channel_id=environ.get("HANDOFF_CHANNEL_ID") or None,
        smtp_host=environ.get("SMTP_HOST") or None,
        smtp_port=_port(environ.get("SMTP_PORT") or "587", "SMTP_PORT"),
        smtp_from=_smtp_from(environ),
        smtp_username=environ.get("SMTP_USERNAME") or None,
        smtp_password=_secret(environ, "SMTP_PASSWORD"),
        smtp_starttls=_flag(environ.get("SMTP_STARTTLS") or "true", "SMTP_STARTTLS"),
        log_level=_log_level(environ.get("LOG_LEVEL") or "WARNING"),
        embedding_model=_embedding_model(environ.get("EMBEDDING_MODEL") or "minilm"),
        llm_model=_llm_model(environ.get("LLM_MODEL") or ""),
        llm_timeout_seconds=_positive(
            environ.get("LLM_TIMEOUT_SECONDS") or "30", "LLM_TIMEOUT_SECONDS"
        ),
        llm_temperature=_temperature(environ.get("LLM_TEMPERATURE") or ""),
        ingest_allowed_private_hosts=_host_list(
            environ.get("INGEST_ALLOWED_PRIVATE_HOSTS", ""), "INGEST_ALLOWED_PRIVATE_HOSTS"
        ),
        refresh_interval_hours=_hours(
            environ.get("REFRESH_INTERVAL_HOURS") or "0", "REFRESH_INTERVAL_HOURS"
        ),
        stale_after_days=_days(environ.get("STALE_AFTER_DAYS") or "730", "STALE_AFTER_DAYS"),
        question_retention_days=_days(
            environ.get("QUESTION_RETENTION_DAYS") or "90", "QUESTION_RETENTION_DAYS"
        ),
    )


def resolve_location(location: str, config_path: Path) -> str:
    """Turn a configured location into a path or URL the ingest step can open."""
    if location.startswith(BUNDLED_PREFIX):
        return str(BUNDLED_DIR / location.removeprefix(BUNDLED_PREFIX))
    if location.startswith(("http://", "https://")):
        return location
    path = Path(location).expanduser()
    return str(path if path.is_absolute() else (config_path.parent / path).resolve())


def _config_path(environ: Mapping[str, str]) -> Path:
    explicit = environ.get("SECTORBOT_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SettingsError(f"SECTORBOT_CONFIG: no such file: {path}")
        return path.resolve()
    local = Path("sectorbot.toml")
    return local.resolve() if local.is_file() else BUNDLED_CONFIG


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"SECTORBOT_CONFIG: {path} is not valid TOML: {error}") from None


def _parse_sources(config: Mapping[str, Any], config_path: Path) -> tuple[SourceSpec, ...]:
    raw = config.get("sources", [])
    if not isinstance(raw, list):
        raise SettingsError("sources: expected a list of [[sources]] tables")
    specs = []
    for index, entry in enumerate(raw):
        key = f"sources[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("location"), str):
            raise SettingsError(f"{key}.location: expected a string (file, folder or URL)")
        _reject_unknown(entry, _SOURCE_KEYS, f"{key}.")
        url = entry.get("url")
        if url is not None and not isinstance(url, str):
            raise SettingsError(f"{key}.url: expected a string")
        domains = tuple(
            d.strip().lower()
            for d in _string_list(entry, "allowed_domains", f"{key}.allowed_domains")
        )
        if any(not d or "/" in d or ":" in d for d in domains):
            raise SettingsError(
                f"{key}.allowed_domains: expected host names such as workforce.iowa.gov"
            )
        max_pages = entry.get("max_pages", DEFAULT_MAX_PAGES)
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise SettingsError(f"{key}.max_pages: expected a whole number of at least 1")
        specs.append(
            SourceSpec(resolve_location(entry["location"], config_path), url, domains, max_pages)
        )
    return tuple(specs)


def _parse_contacts(config: Mapping[str, Any]) -> tuple[Contact, ...]:
    raw = config.get("contacts", [])
    if not isinstance(raw, list) or not raw:
        raise SettingsError("contacts: at least one [[contacts]] table with a name is required")
    contacts = []
    for index, entry in enumerate(raw):
        key = f"contacts[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise SettingsError(f"{key}.name: expected a string")
        _reject_unknown(entry, _CONTACT_KEYS, f"{key}.")
        text = {k: entry.get(k, "") for k in ("title", "phone", "email", "slack_user_id", "source")}
        for name, value in text.items():
            if not isinstance(value, str):
                raise SettingsError(f"{key}.{name}: expected a string")
        if not (text["phone"] or text["email"] or text["slack_user_id"]):
            # Routing someone to a person they cannot reach helps nobody.
            raise SettingsError(f"{key}: give at least one of phone, email or slack_user_id")
        contacts.append(
            Contact(
                name=entry["name"],
                title=text["title"],
                phone=text["phone"],
                email=text["email"],
                slack_user_id=text["slack_user_id"],
                source=text["source"],
                topics=tuple(_string_list(entry, "topics", f"{key}.topics")),
                regions=tuple(_string_list(entry, "regions", f"{key}.regions")),
            )
        )
    return tuple(contacts)


def _reject_unknown(table: Any, allowed: frozenset[str], prefix: str) -> None:
    """A misspelt key ("locaton") would silently do nothing; say so instead."""
    if not isinstance(table, dict):
        raise SettingsError(f"{prefix.rstrip('.') or 'settings'}: expected a table")
    for name in table:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise SettingsError(f"{prefix}{name}: unknown setting (known here: {known})")


def _string_list(table: Mapping[str, Any], name: str, key: str) -> list[str]:
    value = table.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{key}: expected a list of strings")
    return list(value)


def _split_ids(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _host_list(raw: str, key: str) -> frozenset[str]:
    hosts = [part.strip().lower().strip("[]") for part in raw.split(",") if part.strip()]
    for host in hosts:
        if "/" in host or " " in host:
            raise SettingsError(f"{key}: expected host names or addresses, got {host!r}")
    return frozenset(hosts)


def _secret(environ: Mapping[str, str], key: str) -> Secret | None:
    value = environ.get(key, "").strip()
    return Secret(value) if value else None


def _port(raw: str, key: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(f"{key}: expected a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise SettingsError(f"{key}: port out of range: {port}")
    return port


def _smtp_from(environ: Mapping[str, str]) -> str | None:
    sender = environ.get("SMTP_FROM") or None
    if environ.get("SMTP_HOST") and not sender:
        raise SettingsError("SMTP_FROM: set the sender address when SMTP_HOST is set")
    return sender


def _hours(raw: str, key: str) -> float | None:
    """A positive number of hours, or None for 0 (off)."""
    try:
        hours = float(raw)
    except ValueError:
        raise SettingsError(f"{key}: expected a number of hours (0 = off), got {raw!r}") from None
    if hours < 0 or hours != hours or hours == float("inf"):
        raise SettingsError(f"{key}: expected a number of hours of at least 0, got {raw!r}")
    return hours or None


def _days(raw: str, key: str) -> int | None:
    """A whole number of days, or None for 0 (off)."""
    try:
        days = int(raw)
    except ValueError:
        raise SettingsError(
            f"{key}: expected a whole number of days (0 = off), got {raw!r}"
        ) from None
    if days < 0:
        raise SettingsError(f"{key}: expected a number of days of at least 0, got {raw!r}")
    return days or None


def _flag(raw: str, key: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{key}: expected true or false, got {raw!r}")


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingsError(f"LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return level


def _embedding_model(raw: str) -> str:
    model = raw.strip().lower()
    if model not in SUPPORTED_EMBEDDING_MODELS:
        supported = ", ".join(sorted(SUPPORTED_EMBEDDING_MODELS))
        raise SettingsError(f"EMBEDDING_MODEL: unknown model {raw!r} (supported: {supported})")
    return model


def _llm_model(raw: str) -> str | None:
    spec = raw.strip()
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    if not provider.strip() or not model.strip() or " " in spec:
        raise SettingsError(
            f"LLM_MODEL: expected provider:model as LangChain names it (e.g. "
            f"openai:gpt-4o-mini, anthropic:claude-sonnet-4-5, ollama:llama3.2), got {raw!r}"
        )
    return spec


def _positive(raw: str, key: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{key}: expected a number of seconds, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise SettingsError(f"{key}: expected a number of seconds above 0, got {raw!r}")
    return value


def _temperature(raw: str) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"LLM_TEMPERATURE: expected a number such as 0, got {raw!r}") from None
    if not 0 <= value <= 2:
        raise SettingsError(f"LLM_TEMPERATURE: expected a number from 0 to 2, got {raw!r}")
    return value
