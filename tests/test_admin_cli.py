"""The admin commands of the CLI: refresh, rollback, status, sources (and a busy lock)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.admin.status import storage, storage_lines
from bot.cli import cli
from bot.settings import load_settings
from ingest.lock import refresh_lock
from knowledge.store.db import make_engine
from tests.bot.admin_helpers import add_health_care, configured_site


def _run(args: list[str], root: Path) -> Result:
    environ = {
        "SECTORBOT_DATA_DIR": str(root / "data"),
        "SECTORBOT_CONFIG": str(root / "sectorbot.toml"),
    }
    return CliRunner().invoke(cli, args, env=environ)


def test_refresh_status_sources_and_rollback_from_the_command_line(tmp_path: Path) -> None:
    settings = configured_site(tmp_path)
    empty = json.loads(_run(["status", "--json"], tmp_path).stdout)
    assert empty["version"] is None and empty["last_refresh"] is None

    first = _run(["refresh", "--json"], tmp_path)
    add_health_care(settings)
    second = _run(["refresh", "--json"], tmp_path)
    status = json.loads(_run(["status", "--json"], tmp_path).stdout)
    sources = json.loads(_run(["sources", "--json"], tmp_path).stdout)

    assert first.exit_code == 0 and json.loads(first.stdout)["added"] == 1
    assert second.exit_code == 0 and json.loads(second.stdout)["added"] == 1
    assert status["version"]["documents"] == 2
    assert status["version"]["id"] == json.loads(second.stdout)["version"]
    assert status["rollback_to"]["id"] == json.loads(first.stdout)["version"]
    assert status["refreshing"] is False
    assert status["last_refresh"]["status"] == "succeeded"
    assert status["last_refresh"]["trigger"] == "cli"
    [docs] = sources["sources"]
    assert docs["location"] == settings.sources[0].location
    assert (docs["kind"], docs["documents"], docs["failure"]) == ("folder", 2, None)
    assert docs["last_fetched"] is not None

    rolled = _run(["rollback", "--json"], tmp_path)
    assert rolled.exit_code == 0
    assert json.loads(rolled.stdout) == {
        "from": json.loads(second.stdout)["version"],
        "to": json.loads(first.stdout)["version"],
    }
    text = _run(["status"], tmp_path).stdout
    assert f"Serving version {json.loads(first.stdout)['version']}" in text
    assert ": 1 document, 1 chunk," in text
    assert (
        f"A rollback has since taken its version, {json.loads(second.stdout)['version']}, out of "
        "service." in text
    )
    assert status["refresh_interval_hours"] == 0
    assert f"Data dir: {(tmp_path / 'data').resolve()} (SECTORBOT_DATA_DIR)." in text
    assert status["data_dir"] == str((tmp_path / "data").resolve())
    assert (status["database"], status["chroma_server"]) == (None, None)


def test_status_names_a_database_and_a_chroma_server_without_credentials(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "SECTORBOT_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://pat:s3cret@db.internal:5432/sectorbot",
            "CHROMA_HOST": "vectors.internal",
        }
    )

    lines = storage_lines(settings)
    where = storage(settings)

    assert lines[1:] == [
        "Database: postgresql sectorbot on db.internal (DATABASE_URL).",
        "Vectors: Chroma server at vectors.internal:8000.",
    ]
    assert not [line for line in lines[1:] if "s3cret" in line or "pat" in line]
    assert (where["database"], where["chroma_server"]) == (
        "postgresql sectorbot on db.internal",
        "vectors.internal:8000",
    )


def test_an_ingest_that_could_read_nothing_is_recorded_as_failed(tmp_path: Path) -> None:
    configured_site(tmp_path)

    ingested = _run(["ingest", str(tmp_path / "no-such-folder")], tmp_path)
    status = json.loads(_run(["status", "--json"], tmp_path).stdout)

    assert ingested.exit_code == 1
    assert status["last_refresh"]["status"] == "failed"
    assert status["last_refresh"]["summary"]["failed"] == 1
    assert "Last refresh failed" in _run(["status"], tmp_path).stdout


def test_rollback_with_nothing_to_go_back_to_fails_clearly(tmp_path: Path) -> None:
    configured_site(tmp_path)

    result = _run(["rollback"], tmp_path)

    assert result.exit_code == 1
    assert "cannot roll back: nothing is indexed yet" in result.stderr


def test_ingest_and_refresh_refuse_while_another_refresh_runs(tmp_path: Path) -> None:
    configured_site(tmp_path)
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'sectorbot.db'}")
    lock = refresh_lock(engine)
    assert lock.acquire()
    try:
        refreshed = _run(["refresh"], tmp_path)
        ingested = _run(["ingest", str(tmp_path / "docs")], tmp_path)
    finally:
        lock.release()
        engine.dispose()

    for result in (refreshed, ingested):
        assert result.exit_code == 1
        assert "another refresh is running" in result.stderr


def test_sources_names_a_missing_source_and_the_reason_it_failed(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    configured_site(tmp_path, f'\n[[sources]]\nlocation = "{missing}"\n')
    _run(["refresh"], tmp_path)

    lines = _run(["sources"], tmp_path).stdout.splitlines()

    assert lines[0].startswith(f"{tmp_path / 'docs'} (folder): 1 document, fetched ")
    assert lines[1] == (
        f"{missing} (missing): 0 documents, not fetched; last refresh could not read it: "
        "no such file or folder"
    )
