"""The sectorbot command line: answer questions about Iowa's Business Sector Partnerships.

Without Slack, `ask` and `chat` answer from the knowledge base (built from the configured
sources on first use); `serve` runs the Slack app. Settings come from the environment or a
.env file (see .env.example). `sectorbot COMMAND --help` describes each command.

\b
Examples:
  sectorbot ask "How can my company join a sector partnership?"
  sectorbot chat
  sectorbot ingest --reset ./docs https://workforce.iowa.gov/sitemap.xml
  sectorbot serve --socket
  sectorbot handoffs --status new --json
"""  # noqa: D301 - "\b" is click's marker for "do not rewrap this paragraph"

from __future__ import annotations

import contextlib
import gc
import getpass
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from dotenv import dotenv_values, load_dotenv

from bot import messages
from bot.handoff.statuses import STATUSES
from bot.limits import QUESTION_LIMIT, too_long
from bot.settings import SettingsError, load_settings, misspelt_keys

# Each command imports what it uses when it runs, so `sectorbot --help` loads neither the
# knowledge base nor the Slack app (0.7 s instead of 1.1-1.5 s); these are for type checking.
if TYPE_CHECKING:
    from collections.abc import Iterator

    from bot.refreshing import RefreshRequest
    from bot.services import Services
    from bot.settings import Settings
    from ingest import RefreshSummary
    from knowledge import Answer

# Set by `main` while the garbage collector is kept off for a command's start.
_collector_held = False

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


@click.group(
    help=__doc__,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="sectorbot")
@click.pass_context
def cli(context: click.Context) -> None:
    """Answer questions about Iowa's Business Sector Partnerships."""
    if context.invoked_subcommand is None:
        # Bare `sectorbot` is a request for help, not a mistake.
        click.echo(context.get_help())
        context.exit(0)
    # Everything this process creates (the data dir, databases, Chroma's files) is private:
    # it holds questions with who asked them, and hand-offs with names, phones and e-mails.
    os.umask(0o077)
    dotenv = Path.cwd() / ".env"
    load_dotenv(dotenv, override=False)
    for key, setting in misspelt_keys(dotenv_values(dotenv)).items():
        click.echo(
            f"warning: .env sets {key}, which is not a setting; did you mean {setting}?", err=True
        )
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        raise click.ClickException(f"configuration error: {error}") from None
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    # Their warnings repeat what the ingest summary already says, in their own words.
    for noisy in ("chromadb", "httpx", "onnxruntime", "bm25s", "pypdf"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    # build_app passes the token and a client carrying it on purpose (so Bolt never reads the
    # environment itself); Bolt warns that the token is "unused", which would only confuse.
    logging.getLogger("slack_bolt.App").addFilter(_drop_token_unused_warning)
    context.obj = settings


def main() -> None:
    """The ``sectorbot`` command: the CLI, with the garbage collector kept out of its start."""
    # Starting a command creates hundreds of thousands of objects that live as long as it does
    # (modules, classes, the model); the collector walking them again and again as they load
    # made a cold `sectorbot ask` about 0.1 s slower. `_services` turns it back on.
    global _collector_held
    gc.disable()
    _collector_held = True
    try:
        cli()
    finally:
        # Whatever is left is freed by the operating system, not walked by a last collection.
        gc.freeze()


def _drop_token_unused_warning(record: logging.LogRecord) -> bool:
    return "`token` will be unused" not in record.getMessage()


def _services(context: click.Context, *, will_embed: bool = False) -> Services:
    embedder = None
    if will_embed:
        # Loading the model (mostly outside the interpreter's lock) begins before the answering
        # and database modules are imported, so the two overlap (bench/RESULTS.md, cold ask).
        from knowledge import make_embedder

        embedder = make_embedder(context.obj.embedding_model, load_now=True)
    from bot.services import ModelError, StorageError, build_services

    try:
        services: Services = build_services(context.obj, embedder=embedder, will_embed=will_embed)
    except (StorageError, ModelError) as error:
        raise click.ClickException(str(error)) from None
    global _collector_held
    if _collector_held:
        # What is loaded now stays for the whole command, so it is left out of every
        # collection, and what the command itself makes is collected as usual.
        _collector_held = False
        gc.freeze()
        gc.enable()
    return services


@cli.command()
@click.argument("sources", nargs=-1)
@click.option(
    "--reset", is_flag=True, help="Start a fresh knowledge base from exactly these sources."
)
@json_option
@click.pass_context
def ingest(context: click.Context, sources: tuple[str, ...], reset: bool, as_json: bool) -> None:
    """Index files, folders, web pages or sitemaps.

    SOURCE is a file, a folder (read recursively), an http(s) page or an XML sitemap (its pages
    are indexed). Files and pages may be HTML, PDF, DOCX, Markdown or plain text (.html .htm
    .pdf .docx .md .markdown .txt); anything else is reported and skipped. Without SOURCE, the
    sources configured in sectorbot.toml are refreshed. Ends with a summary; exits 1 when
    nothing could be indexed.

    \b
    Examples:
      sectorbot ingest ./docs
      sectorbot ingest --reset ./docs https://workforce.iowa.gov/sitemap.xml
    """  # noqa: D301
    from bot.refreshing import RefreshRequest

    services = _services(context)
    first_build = bool(sources) and not reset and services.kb.current() is None
    request = RefreshRequest(trigger="cli", requested_by=cli_user(), sources=sources, reset=reset)
    summary = _refresh_with_progress(services, request, quiet=as_json)
    _print_summary(summary, as_json)
    if not summary.indexed_anything:
        sys.exit(1)
    if first_build and not as_json:
        # `ask` builds the configured sources only into an empty knowledge base; after this one
        # it is not empty, so without a word the bundled page would never be indexed.
        click.echo(
            "The configured sources (the bundled IWD page and sectorbot.toml's) are not indexed"
            " yet; `sectorbot refresh` adds them beside these.",
            err=True,
        )


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="QUESTION")
@json_option
@click.option(
    "--blocks",
    "as_blocks",
    is_flag=True,
    help="Print the Slack message (Block Kit JSON) and a Block Kit Builder link.",
)
@click.pass_context
def ask(context: click.Context, words: tuple[str, ...], as_json: bool, as_blocks: bool) -> None:
    """Answer one question, with numbered sources.

    QUESTION may be quoted or not (quote it when it holds "?" or "*", which the shell may
    expand). With QUESTION "-", answers one question per line of stdin, in order. `--json`
    prints one JSON object per answer (docs/cli.md lists its fields); `--blocks` prints the
    message the Slack app would post and a link that opens it in Slack's Block Kit Builder.

    \b
    Examples:
      sectorbot ask "How can my company join a sector partnership?"
      sectorbot ask what are sector partnerships
      sectorbot ask "Who runs the sector partnerships now?" --blocks
      printf 'What are sector partnerships?\\n' | sectorbot ask - --json
    """  # noqa: D301
    from bot.answer_text import format_answer
    from bot.blocks.preview import builder_url, preview_message

    question = " ".join(words)
    if not question.strip():
        raise click.UsageError("QUESTION is empty; ask something, or use - to read from stdin")
    if as_json and as_blocks:
        raise click.UsageError("--json and --blocks print different things; choose one")
    services = _services(context, will_embed=True)
    _ensure_knowledge(services, quiet=as_json)
    reading_stdin = question == "-"
    questions = (line.strip() for line in sys.stdin) if reading_stdin else iter([question])
    for text in questions:
        if not text:
            continue
        refused = too_long(text)
        answer = _refused(text) if refused else services.answerer.answer(text)
        if reading_stdin and not as_json:
            # Several answers in a row: each under its question, as in chat, so none runs on.
            click.echo(f"> {text[:QUOTED_CHARS] + '…' if refused else text}")
        if as_json:
            click.echo(json.dumps(answer.as_json(), ensure_ascii=False))
            sys.stdout.flush()
        elif as_blocks:
            message = preview_message(answer)
            click.echo(json.dumps(message, ensure_ascii=False, indent=2))
            click.echo(f"Open it in Block Kit Builder:\n{builder_url(message)}")
        else:
            click.echo(format_answer(answer))
        if reading_stdin and not as_json:
            click.echo()


@cli.command()
@click.pass_context
def chat(context: click.Context) -> None:
    """Talk with the bot in the terminal, as in a Slack thread.

    Follow-up questions keep the context, answers show their numbered sources, and /handoff
    asks the hand-off form's questions and files the request as the Slack form does. Lines
    piped on stdin are one conversation, one question a line. /quit or Ctrl+D leaves.

    \b
    Examples:
      sectorbot chat
      printf 'What are sector partnerships?\\nwho runs them now?\\n' | sectorbot chat
    """  # noqa: D301
    from bot.chat import TerminalConsole, run_chat
    from knowledge import route_contact

    services = _services(context, will_embed=True)
    _ensure_knowledge(services, quiet=False)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(messages.chat_welcome(route_contact(context.obj.contacts, "")), err=True)
    console = TerminalConsole(sys.stdin, sys.stdout, interactive=interactive)
    try:
        run_chat(services, console, cli_user())
    except KeyboardInterrupt:
        click.echo("", err=True)
    finally:
        services.close()


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@click.pass_context
def eval_command(context: click.Context, file: Path, as_json: bool) -> None:
    """Score the bot on a set of questions with known answers.

    FILE holds one JSON object a line: "question" (required); "kind": factual (the default),
    paraphrase, multi-doc (every expected file is needed), temporal, involvement (the person
    should be routed to the contact) or out_of_scope (the documents do not answer it);
    "expected_files": file names or URLs that hold the answer; "must_include": strings a right
    answer contains. Prints retrieval hit@1, hit@5 and MRR, the share of answers holding every
    must_include string, abstention and routing precision and recall, and latency.

    \b
    Example:
      sectorbot eval questions.jsonl
    where each line of questions.jsonl reads like
      {"question": "Who runs the partnerships now?", "kind": "factual",
       "expected_files": ["faq.html"], "must_include": ["Iowa Workforce Development"]}
    """  # noqa: D301
    from knowledge import evaluate, format_report

    services = _services(context, will_embed=True)
    _ensure_knowledge(services, quiet=as_json)
    try:
        report = evaluate(services.answerer, file)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report.as_json(), indent=2) if as_json else format_report(report))


@cli.command()
@click.option("--http", "mode", flag_value="http", default=True, help="Serve HTTP (the default).")
@click.option("--socket", "mode", flag_value="socket", help="Use Socket Mode (SLACK_APP_TOKEN).")
@click.option(
    "--host",
    default="0.0.0.0",  # noqa: S104 - every interface, as Heroku needs; see README
    show_default=True,
    help="HTTP address to listen on (127.0.0.1 behind a proxy on the same machine).",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=3000, show_default=True, help="HTTP port."
)
@click.pass_context
def serve(context: click.Context, mode: str, host: str, port: int) -> None:
    """Run the Slack app (HTTP, or Socket Mode with --socket).

    HTTP mode serves POST /slack/events and GET /healthz and needs SLACK_BOT_TOKEN and
    SLACK_SIGNING_SECRET; Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (an app-level
    token with connections:write) and no public URL. Set them in the environment or in a .env
    file in the working directory (see .env.example; docs/slack-setup.md shows where Slack
    shows them). Builds the knowledge base first if it is empty.

    \b
    Examples:
      sectorbot serve --socket
      sectorbot serve --http --port 3000
    """  # noqa: D301
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.app import SlackConfigurationError, build_app
    from bot.background import Background
    from bot.server import knowledge_ready, run_http, run_socket_mode

    settings = context.obj
    missing = _missing_slack_settings(settings, mode)
    if missing:
        raise click.ClickException(
            f"`sectorbot serve --{mode}` needs {' and '.join(missing)}; set "
            f"{'them' if len(missing) > 1 else 'it'} in the environment or .env "
            "(see .env.example; docs/slack-setup.md says where Slack shows each token)"
        )
    services = _services(context, will_embed=True)
    _ensure_knowledge(services, quiet=False)
    background = Background()
    try:
        with _quiet_logger("slack_sdk"):
            app = build_app(settings, services, background)
    except (SlackApiError, BoltError) as error:
        # Bolt checks the token with auth.test; only Slack's error code is shown, never the token.
        raise click.ClickException(
            f"Slack rejected SLACK_BOT_TOKEN ({_slack_error(error)})"
        ) from None
    except SlackConfigurationError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        url = settings.slack_api_url or "https://slack.com/api/"
        raise click.ClickException(f"could not reach the Slack Web API at {url}: {error}") from None
    click.echo(f"sectorbot is serving Slack ({mode} mode); stop it with Ctrl+C", err=True)
    try:
        if mode == "socket":
            run_socket_mode(app, settings)
        else:
            click.echo(
                f"Listening on {host} port {port}: POST /slack/events, GET /healthz", err=True
            )
            run_http(app, settings, port, ready=knowledge_ready(services), host=host)
    finally:
        background.stop()


@cli.command()
@click.option(
    "--status",
    type=click.Choice(STATUSES),
    help="Only requests in this status (new, notified, claimed or resolved).",
)
@json_option
@click.pass_context
def handoffs(context: click.Context, status: str | None, as_json: bool) -> None:
    """List stored hand-off requests, oldest first.

    \b
    Examples:
      sectorbot handoffs
      sectorbot handoffs --status new --json
    """  # noqa: D301
    from bot.handoff.store import format_request_line, list_requests

    services = _services(context)
    requests = list_requests(services.engine, (status,) if status else None)
    for request in requests:
        if as_json:
            click.echo(json.dumps(request.as_json(), ensure_ascii=False))
        else:
            click.echo(format_request_line(request))
    if not requests and not as_json:
        click.echo(
            "No hand-off requests" + (f" with status {status}." if status else "."), err=True
        )


@cli.command()
@click.option("--days", type=click.IntRange(min=1), help="Only questions asked in the last N days.")
@json_option
@click.pass_context
def report(context: click.Context, days: int | None, as_json: bool) -> None:
    """Show what the bot could not answer: the documents to add.

    Questions the bot declined, or whose answer got "Not helpful", grouped by meaning, most
    asked first.

    \b
    Example:
      sectorbot report --days 30
    """  # noqa: D301
    from bot.coverage.report import build_report
    from bot.coverage.text import format_coverage

    services = _services(context)
    coverage = build_report(services.engine, services.kb.embedder, days=days)
    click.echo(json.dumps(coverage.as_json(), indent=2) if as_json else format_coverage(coverage))


@contextlib.contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Hold back a library's own error lines while a failure it would log is reported by us."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _slack_error(error: Exception) -> str:
    from slack_sdk.errors import SlackApiError

    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    found = re.search(r"'error': '([a-z_]+)'", str(error))
    return found.group(1) if found else "auth.test failed"


def _missing_slack_settings(settings: Settings, mode: str) -> list[str]:
    needed = {
        "SLACK_BOT_TOKEN": settings.slack_bot_token,
        "SLACK_SIGNING_SECRET" if mode == "http" else "SLACK_APP_TOKEN": (
            settings.slack_signing_secret if mode == "http" else settings.slack_app_token
        ),
    }
    return [key for key, value in needed.items() if value is None]


@cli.command(name="refresh")
@json_option
@click.pass_context
def refresh_command(context: click.Context, as_json: bool) -> None:
    """Refresh the configured sources.

    The same as `ingest` without SOURCE: re-reads the sources in sectorbot.toml and serves
    the new version once it is complete.

    \b
    Example:
      sectorbot refresh --json
    """  # noqa: D301
    from bot.refreshing import RefreshRequest

    services = _services(context)
    request = RefreshRequest(trigger="cli", requested_by=cli_user())
    summary = _refresh_with_progress(services, request, quiet=as_json)
    _print_summary(summary, as_json)
    if not summary.indexed_anything:
        sys.exit(1)


@cli.command()
@json_option
@click.pass_context
def rollback(context: click.Context, as_json: bool) -> None:
    """Serve the previous knowledge-base version again.

    \b
    Example:
      sectorbot rollback
    """  # noqa: D301
    from bot.admin.texts import rollback_text
    from bot.refreshing import NothingToRollBackError, RefreshBusyError, roll_back

    services = _services(context)
    try:
        switched = roll_back(services)
    except (RefreshBusyError, NothingToRollBackError) as error:
        raise click.ClickException(f"cannot roll back: {error}") from None
    if as_json:
        click.echo(
            json.dumps({"from": switched.left.version_id, "to": switched.serving.version_id})
        )
    else:
        click.echo(rollback_text(switched))


@cli.command()
@json_option
@click.pass_context
def status(context: click.Context, as_json: bool) -> None:
    """Show the knowledge base served and its refreshes.

    The version being served, its size and age, the version a rollback would serve, and the
    last and next refresh.

    \b
    Example:
      sectorbot status --json
    """  # noqa: D301
    from bot.admin.status import knowledge_status, storage, storage_lines

    services = _services(context)
    report = knowledge_status(services)
    if as_json:
        click.echo(json.dumps({**report.as_json(), **storage(services.settings)}))
    else:
        click.echo("\n".join([*report.lines(), *storage_lines(services.settings)]))


@cli.command()
@json_option
@click.pass_context
def sources(context: click.Context, as_json: bool) -> None:
    """List the configured sources and their documents.

    Each source in sectorbot.toml with its documents in the served version, when it was last
    fetched, and why the last refresh could not read it, if it could not.

    \b
    Example:
      sectorbot sources
    """  # noqa: D301
    from bot.admin.sources import list_sources

    listing = list_sources(_services(context))
    click.echo(json.dumps(listing.as_json()) if as_json else "\n".join(listing.lines()))


def cli_user() -> str:
    """Who runs the command: the login name, from the account when no variable gives it.

    A container or a CI job often has no ``$USER``; refreshes and hand-offs still name someone.
    """
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no variable and no account entry for this uid
        return "an unnamed user"


def _refresh_with_progress(
    services: Services, request: RefreshRequest, *, quiet: bool
) -> RefreshSummary:
    from bot.progress import TerminalProgress
    from bot.refreshing import RefreshBusyError, run_refresh
    from ingest import RefreshError

    with TerminalProgress(enabled=None if not quiet else False) as progress:
        try:
            return run_refresh(services, request, progress=progress)
        except (RefreshError, RefreshBusyError) as error:
            raise click.ClickException(str(error)) from None


# Of a question too long to answer, only its start is quoted above the reply.
QUOTED_CHARS = 80


def _refused(question: str) -> Answer:
    """The reply to a question over the length limit: a request to ask again, nothing searched."""
    from knowledge import Answer

    reply = messages.question_too_long(len(question), QUESTION_LIMIT)
    return Answer(question, reply, (), False, "question", declined_because="policy")


def _ensure_knowledge(services: Services, *, quiet: bool) -> None:
    if services.kb.current() is not None:
        return  # before the imports: a knowledge base in place needs none of the refresh code
    from bot.progress import TerminalProgress
    from bot.refreshing import RefreshBusyError, ensure_knowledge
    from ingest import RefreshError

    if not quiet:
        click.echo(
            "Building the knowledge base from the configured sources (first run)...", err=True
        )
    with TerminalProgress(enabled=False if quiet else None) as progress:
        try:
            summary = ensure_knowledge(services, progress)
        except (RefreshError, RefreshBusyError) as error:
            raise click.ClickException(str(error)) from None
    if summary and not quiet:
        click.echo(summary.as_text(), err=True)


def _print_summary(summary: RefreshSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    else:
        click.echo(summary.as_text())
