"""Web sources: the safe fetcher, sitemaps and conditional requests, against a loopback server."""

from __future__ import annotations

import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.services import Services, build_services
from bot.settings import SettingsError, load_settings
from ingest.fetch import (
    MAX_REQUESTS_PER_REFRESH,
    USER_AGENT,
    Fetcher,
    FetchError,
    Validators,
    check_addresses,
    in_domains,
    refused_address_kind,
)
from ingest.pipeline import refresh
from ingest.sitemap import parse_sitemap
from ingest.summary import RefreshSummary
from ingest.web_options import MAX_SITEMAP_FILES, SiteRules, WebOptions
from tests.conftest import REPO, make_settings, require
from tests.fakes.embeddings import FakeEmbedder
from tests.ingest.web_server import Route, WebServer, running_server

LOCAL = ("127.0.0.1",)
PAGE = """<!doctype html><html><head><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{text}</p></main></body></html>"""


def _page(title: str, text: str) -> str:
    return PAGE.format(title=title, text=text)


def _sitemap(*urls: str, index: bool = False) -> Route:
    tag, entry = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    entries = "".join(f"<{entry}><loc>{url}</loc></{entry}>" for url in urls)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</{tag}>'
    )
    return Route(body=body.encode(), headers={"Content-Type": "application/xml"})


@pytest.fixture
def web() -> Iterator[WebServer]:
    with running_server() as server:
        server.page("/page.html", _page("Welding partnership", "Welders meet on Tuesdays."))
        yield server


def _fetcher(**kwargs: Any) -> Fetcher:
    return Fetcher(allowed_private_hosts=LOCAL, **kwargs)


# --- the fetcher -------------------------------------------------------------------------------


def test_a_page_is_fetched_with_a_clear_user_agent(web: WebServer) -> None:
    result = _fetcher().fetch(web.url("/page.html"), allowed_domains=LOCAL)

    assert result.status == 200
    assert result.url == web.url("/page.html")
    assert result.media_type == "text/html"
    assert b"Welders meet on Tuesdays." in result.body
    page_request = next(seen for seen in web.requests if seen.path == "/page.html")
    assert page_request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("sectorbot/")
    assert page_request.headers["Host"] == f"127.0.0.1:{web.port}"


def test_a_404_is_reported_with_its_status(web: WebServer) -> None:
    with pytest.raises(FetchError, match=r"^HTTP 404$"):
        _fetcher().fetch(web.url("/missing.html"), allowed_domains=LOCAL)


def test_a_redirect_within_the_allowed_domains_is_followed(web: WebServer) -> None:
    web.routes["/old"] = Route(status=301, headers={"Location": "/page.html"})

    result = _fetcher().fetch(web.url("/old"), allowed_domains=LOCAL)

    assert result.url == web.url("/page.html")
    assert b"Welders" in result.body


def test_a_redirect_to_a_host_outside_the_allowed_domains_is_refused(web: WebServer) -> None:
    web.routes["/away"] = Route(
        status=302, headers={"Location": web.url("/page.html", host="localhost")}
    )

    with pytest.raises(FetchError, match="redirect to a host outside the allowed domains"):
        _fetcher().fetch(web.url("/away"), allowed_domains=LOCAL)
    assert "/page.html" not in web.paths()


def test_redirect_loops_stop_after_five_hops(web: WebServer) -> None:
    web.routes["/loop"] = Route(status=302, headers={"Location": "/loop"})

    with pytest.raises(FetchError, match="too many redirects"):
        _fetcher().fetch(web.url("/loop"), allowed_domains=LOCAL)
    assert web.paths().count("/loop") == 6


def test_a_huge_response_is_cut_off_at_the_size_limit(web: WebServer) -> None:
    web.routes["/huge.html"] = Route(
        body=b"<html><body>", headers={"Content-Type": "text/html"}, stream_bytes=11 * 1024 * 1024
    )

    with pytest.raises(FetchError, match=r"^too large \(over 10 MB\)$"):
        _fetcher().fetch(web.url("/huge.html"), allowed_domains=LOCAL)


def test_a_declared_huge_length_is_refused_before_reading(web: WebServer) -> None:
    web.routes["/big.pdf"] = Route(
        body=b"%PDF-1.4" + b"0" * 4096, headers={"Content-Type": "application/pdf"}
    )

    with pytest.raises(FetchError, match=r"too large \(over 4 KB\)"):
        _fetcher(max_bytes=4096).fetch(web.url("/big.pdf"), allowed_domains=LOCAL)


def test_an_unsupported_content_type_is_refused(web: WebServer) -> None:
    web.routes["/logo.png"] = Route(body=b"\x89PNG\r\n", headers={"Content-Type": "image/png"})

    with pytest.raises(FetchError, match=r"^unsupported content type image/png$"):
        _fetcher().fetch(web.url("/logo.png"), allowed_domains=LOCAL)


def test_robots_txt_is_honoured_and_read_once_per_site(web: WebServer) -> None:
    web.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    web.page("/private/notes.html", _page("Notes", "Internal notes."))
    fetcher = _fetcher()

    with pytest.raises(FetchError, match=r"^disallowed by robots.txt$"):
        fetcher.fetch(web.url("/private/notes.html"), allowed_domains=LOCAL)
    assert fetcher.fetch(web.url("/page.html"), allowed_domains=LOCAL).status == 200
    assert "/private/notes.html" not in web.paths()
    assert web.paths().count("/robots.txt") == 1


def test_a_robots_txt_that_errors_disallows_everything(web: WebServer) -> None:
    web.routes["/robots.txt"] = Route(status=503)

    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        _fetcher().fetch(web.url("/page.html"), allowed_domains=LOCAL)


def test_an_etag_turns_the_next_fetch_into_a_304(web: WebServer) -> None:
    web.routes["/page.html"] = Route(
        body=_page("Welding", "Welders meet.").encode(),
        headers={"Content-Type": "text/html", "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"},
        etag='"v1"',
    )
    fetcher = _fetcher()

    first = fetcher.fetch(web.url("/page.html"), allowed_domains=LOCAL)
    again = fetcher.fetch(web.url("/page.html"), allowed_domains=LOCAL, validators=first.validators)

    assert first.validators == Validators('"v1"', "Mon, 02 Nov 2026 10:00:00 GMT")
    assert again.not_modified and again.body == b""
    last = web.requests[-1].headers
    assert last["If-None-Match"] == '"v1"'
    assert last["If-Modified-Since"] == "Mon, 02 Nov 2026 10:00:00 GMT"


# --- the private-address guard -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback"),
        ("::1", "a loopback"),
        ("10.0.0.1", "a private"),
        ("192.168.1.20", "a private"),
        ("172.16.5.4", "a private"),
        ("169.254.169.254", "a link-local"),
        ("fe80::1", "a link-local"),
        ("0.0.0.0", "an unspecified"),
        ("224.0.0.1", "a multicast"),
        ("240.0.0.1", "a reserved"),
        ("100.64.0.1", "a non-public"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("fd00::1", "a private"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    assert refused_address_kind(address) == kind
    with pytest.raises(FetchError, match="INGEST_ALLOWED_PRIVATE_HOSTS"):
        check_addresses("intranet.example", ["93.184.216.34", address], ())


def test_public_addresses_and_allow_listed_hosts_pass() -> None:
    assert refused_address_kind("93.184.216.34") is None
    assert refused_address_kind("2606:4700::1111") is None
    check_addresses("www.example.org", ["93.184.216.34"], ())
    check_addresses("intranet.example", ["10.0.0.1"], ["Intranet.Example"])


def test_loopback_is_refused_without_the_allow_list(web: WebServer) -> None:
    with pytest.raises(FetchError) as caught:
        Fetcher().fetch(web.url("/page.html"), allowed_domains=LOCAL)

    assert caught.value.reason == (
        "refused: 127.0.0.1 is a loopback address (set INGEST_ALLOWED_PRIVATE_HOSTS to allow it)"
    )
    assert web.requests == []


def test_the_guard_runs_after_dns_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public-looking name that resolves to a private address is refused before connecting."""
    resolved: list[str] = []

    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        resolved.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    def no_connections(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", no_connections)

    with pytest.raises(FetchError, match=r"refused: docs\.example \(10\.1\.2\.3\) is a private"):
        Fetcher().fetch("http://docs.example/page.html", allowed_domains=["docs.example"])
    assert resolved == ["docs.example"]


def test_a_redirect_into_a_private_address_is_refused_when_not_allow_listed(
    web: WebServer,
) -> None:
    """Only "localhost" is allow-listed: its redirect to 127.0.0.1 is checked again and refused."""
    web.routes["/jump"] = Route(status=302, headers={"Location": web.url("/page.html")})
    fetcher = Fetcher(allowed_private_hosts=["localhost"])

    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        fetcher.fetch(
            web.url("/jump", host="localhost"), allowed_domains=["localhost", "127.0.0.1"]
        )
    assert web.paths().count("/jump") == 1
    assert "/page.html" not in web.paths()


def test_allowed_domains_include_subdomains() -> None:
    assert in_domains("workforce.iowa.gov", ["iowa.gov"])
    assert in_domains("iowa.gov", ["iowa.gov"])
    assert not in_domains("eviliowa.gov", ["iowa.gov"])
    assert not in_domains("iowa.gov.evil.example", ["iowa.gov"])


# --- sitemaps ----------------------------------------------------------------------------------


def test_sitemaps_and_indexes_are_recognised() -> None:
    urlset = parse_sitemap(_sitemap("https://a.example/1", "https://a.example/2").body)
    index = parse_sitemap(_sitemap("https://a.example/s.xml", index=True).body)

    assert urlset is not None and not urlset.is_index
    assert urlset.locations == ("https://a.example/1", "https://a.example/2")
    assert index is not None and index.is_index
    assert parse_sitemap(b"<?xml version='1.0'?><rss><channel/></rss>") is None
    assert parse_sitemap(b"<html><body>not xml</body></html>") is None


def test_sitemap_entities_are_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://a.example/&e;</loc></url></urlset>"
    )

    sitemap = parse_sitemap(bomb)

    assert sitemap is None or all("root:" not in loc for loc in sitemap.locations)


# --- web sources in a refresh ------------------------------------------------------------------


def _services(data_dir: Path) -> Services:
    return build_services(make_settings(data_dir), embedder=FakeEmbedder())


def _ingest(
    services: Services, *urls: str, rules: dict[str, SiteRules] | None = None, full: bool = False
) -> RefreshSummary:
    options = WebOptions(frozenset(LOCAL), rules or {})
    return refresh(services.kb, [(url, None) for url in urls], full=full, web=options)


def _served_urls(services: Services) -> set[str]:
    version = services.kb.current()
    assert version is not None
    return {chunk.url or "" for chunk in version.all_chunks()}


def test_a_web_page_is_indexed_and_cited_by_its_final_url(web: WebServer, tmp_path: Path) -> None:
    web.routes["/moved"] = Route(status=301, headers={"Location": "/page.html"})
    services = _services(tmp_path / "data")

    summary = _ingest(services, web.url("/moved"))

    assert summary.added == [web.url("/moved")]
    assert summary.failed == []
    assert _served_urls(services) == {web.url("/page.html")}


def test_web_failures_are_reported_with_their_reasons(web: WebServer, tmp_path: Path) -> None:
    web.routes["/logo.png"] = Route(body=b"\x89PNG", headers={"Content-Type": "image/png"})
    services = _services(tmp_path / "data")

    summary = _ingest(services, web.url("/page.html"), web.url("/gone"), web.url("/logo.png"))

    assert summary.added == [web.url("/page.html")]
    reasons = {failure.source: failure.reason for failure in summary.failed}
    assert reasons == {
        web.url("/gone"): "HTTP 404",
        web.url("/logo.png"): "unsupported content type image/png",
    }


def test_without_the_allow_list_a_loopback_url_is_refused(web: WebServer, tmp_path: Path) -> None:
    services = _services(tmp_path / "data")

    summary = refresh(services.kb, [(web.url("/page.html"), None)], full=False)

    assert not summary.indexed_anything
    [failure] = summary.failed
    assert failure.reason.startswith("refused: 127.0.0.1 is a loopback address")
    assert web.requests == []


def test_an_unchanged_page_costs_no_download_or_embedding(web: WebServer, tmp_path: Path) -> None:
    versions = iter(["one", "one", "two"])
    current: dict[str, str] = {}

    def page() -> Route:
        return Route(
            body=_page("Welding", f"Welders meet on Tuesdays, edition {current['v']}.").encode(),
            headers={"Content-Type": "text/html"},
            etag=f'"{current["v"]}"',
        )

    web.routes["/page.html"] = page
    services = _services(tmp_path / "data")
    url = web.url("/page.html")

    current["v"] = next(versions)
    first = _ingest(services, url)
    current["v"] = next(versions)
    second = _ingest(services, url)
    current["v"] = next(versions)
    third = _ingest(services, url)

    assert first.added == [url]
    assert second.unchanged == [url] and second.embedded == 0
    assert second.version_id == first.version_id
    page_requests = [seen for seen in web.requests if seen.path == "/page.html"]
    assert "If-None-Match" not in page_requests[0].headers
    assert page_requests[1].headers["If-None-Match"] == '"one"'
    assert third.updated == [url]
    assert any("edition two" in chunk.text for chunk in services.kb.current().all_chunks())  # type: ignore[union-attr]


def test_a_page_that_fails_later_keeps_its_previous_version(web: WebServer, tmp_path: Path) -> None:
    services = _services(tmp_path / "data")
    url = web.url("/page.html")
    _ingest(services, url, full=True)

    web.routes["/page.html"] = Route(status=500)
    summary = _ingest(services, url, full=True)

    assert [(f.source, f.reason) for f in summary.failed] == [(url, "HTTP 500")]
    assert summary.removed == []
    assert _served_urls(services) == {url}


def test_a_sitemap_expands_into_its_pages_within_the_allowed_domains(
    web: WebServer, tmp_path: Path
) -> None:
    web.page("/a.html", _page("Page A", "Alpha facts about partnerships."))
    web.page("/b.html", _page("Page B", "Beta facts about partnerships."))
    web.page("/c.html", _page("Page C", "Gamma facts about partnerships."))
    web.routes["/sitemap.xml"] = _sitemap(web.url("/index-1.xml"), index=True)
    web.routes["/index-1.xml"] = _sitemap(
        web.url("/a.html"),
        web.url("/b.html"),
        web.url("/outside.html", host="localhost"),
        web.url("/c.html"),
    )
    services = _services(tmp_path / "data")

    summary = _ingest(services, web.url("/sitemap.xml"))

    assert sorted(summary.added) == [web.url(p) for p in ("/a.html", "/b.html", "/c.html")]
    assert "/outside.html" not in web.paths()
    assert _served_urls(services) == {web.url(p) for p in ("/a.html", "/b.html", "/c.html")}


def test_a_sitemap_is_cut_at_its_page_limit_and_forgets_pages_it_no_longer_lists(
    web: WebServer, tmp_path: Path
) -> None:
    for name in "abc":
        web.page(f"/{name}.html", _page(f"Page {name}", f"Facts numbered {name} about work."))
    sitemap = web.url("/sitemap.xml")
    web.routes["/sitemap.xml"] = _sitemap(*(web.url(f"/{n}.html") for n in "abc"))
    services = _services(tmp_path / "data")

    limited = _ingest(services, sitemap, rules={sitemap: SiteRules(max_pages=2)})
    assert sorted(limited.added) == [web.url("/a.html"), web.url("/b.html")]

    web.routes["/sitemap.xml"] = _sitemap(web.url("/b.html"))
    shrunk = _ingest(services, sitemap, rules={sitemap: SiteRules(max_pages=2)})
    assert shrunk.removed == [web.url("/a.html")]
    assert _served_urls(services) == {web.url("/b.html")}


def test_a_sitemap_that_cannot_be_read_keeps_its_pages(web: WebServer, tmp_path: Path) -> None:
    web.page("/a.html", _page("Page A", "Alpha facts about partnerships."))
    sitemap = web.url("/sitemap.xml")
    web.routes["/sitemap.xml"] = _sitemap(web.url("/a.html"))
    services = _services(tmp_path / "data")
    _ingest(services, sitemap, full=True)

    web.routes["/sitemap.xml"] = Route(status=503)
    summary = _ingest(services, sitemap, full=True)

    assert [f.reason for f in summary.failed] == ["HTTP 503"]
    assert summary.removed == []
    assert _served_urls(services) == {web.url("/a.html")}


# --- settings ----------------------------------------------------------------------------------


def _settings_with(tmp_path: Path, sources: str, **environ: str) -> Any:
    contacts = (REPO / "sectorbot.toml").read_text(encoding="utf-8").split("[[contacts]]", 1)[1]
    config = tmp_path / "sectorbot.toml"
    config.write_text(sources + "\n[[contacts]]" + contacts, encoding="utf-8")
    return load_settings(
        {"SECTORBOT_DATA_DIR": str(tmp_path / "d"), "SECTORBOT_CONFIG": str(config), **environ}
    )


def test_web_sources_take_allowed_domains_and_a_page_limit(tmp_path: Path) -> None:
    settings = _settings_with(
        tmp_path,
        '[[sources]]\nlocation = "https://workforce.iowa.gov/sitemap.xml"\n'
        'allowed_domains = ["workforce.iowa.gov", "iowa.gov"]\nmax_pages = 25\n',
        INGEST_ALLOWED_PRIVATE_HOSTS=" intranet.local , 127.0.0.1",
    )

    options = settings.web_options(("https://other.example/page.html",))

    assert settings.ingest_allowed_private_hosts == {"intranet.local", "127.0.0.1"}
    assert options.rules_for("https://workforce.iowa.gov/sitemap.xml") == SiteRules(
        ("workforce.iowa.gov", "iowa.gov"), 25
    )
    assert options.rules_for("https://other.example/page.html") == SiteRules()


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("max_pages = 0", "sources[0].max_pages"),
        ('max_pages = "ten"', "sources[0].max_pages"),
        ('allowed_domains = "iowa.gov"', "sources[0].allowed_domains"),
        ('allowed_domains = ["https://iowa.gov/"]', "sources[0].allowed_domains"),
        ("max_page = 3", "sources[0].max_page"),
    ],
)
def test_malformed_web_source_settings_name_the_key(tmp_path: Path, extra: str, key: str) -> None:
    with pytest.raises(SettingsError, match="^" + re.escape(key)):
        _settings_with(tmp_path, f'[[sources]]\nlocation = "https://iowa.gov/"\n{extra}\n')


def test_malformed_addresses_and_unasked_304s_are_reported_not_raised(web: WebServer) -> None:
    web.routes["/odd"] = Route(status=304)

    with pytest.raises(FetchError, match="malformed address"):
        _fetcher().fetch("http://127.0.0.1:99999/page.html", allowed_domains=LOCAL)
    with pytest.raises(FetchError, match="unsupported address scheme file"):
        _fetcher().fetch("file:///etc/passwd", allowed_domains=LOCAL)
    with pytest.raises(FetchError, match="HTTP 304 without a conditional request"):
        _fetcher().fetch(web.url("/odd"), allowed_domains=LOCAL)


def test_an_unexpected_fetcher_error_fails_only_that_source(
    web: WebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fetch = Fetcher.fetch

    def flaky(self: Fetcher, url: str, **kwargs: Any) -> Any:
        if url.endswith("/broken.html"):
            raise RuntimeError("boom")
        return real_fetch(self, url, **kwargs)

    monkeypatch.setattr(Fetcher, "fetch", flaky)
    services = _services(tmp_path / "data")

    summary = _ingest(services, web.url("/page.html"), web.url("/broken.html"))

    assert summary.added == [web.url("/page.html")]
    assert [f.reason for f in summary.failed] == ["could not be fetched (RuntimeError)"]


def test_a_site_that_cannot_be_reached_is_reported_as_such_once() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = _fetcher()

    for path in ("/a.html", "/b.html"):
        with pytest.raises(FetchError, match=r"^could not connect \(ConnectionRefusedError\)$"):
            fetcher.fetch(f"http://127.0.0.1:{port}{path}", allowed_domains=LOCAL)


@pytest.fixture
def localhost_certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for the name "localhost" (made with the openssl command)."""
    require(shutil.which("openssl") is not None, "the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_https_connects_to_the_checked_address_and_verifies_the_host_name(
    localhost_certificate: tuple[Path, Path],
) -> None:
    cert, key = localhost_certificate
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    fetcher = Fetcher(allowed_private_hosts=["localhost", "127.0.0.1"], tls_context=client_tls)

    with running_server(server_tls) as web:
        web.page("/page.html", _page("Secure", "Served over TLS."))
        result = fetcher.fetch(
            web.url("/page.html", host="localhost"), allowed_domains=["localhost"]
        )
        with pytest.raises(FetchError, match="TLS error"):
            # The certificate names localhost, not 127.0.0.1: the name is checked, not the IP.
            fetcher.fetch(web.url("/page.html"), allowed_domains=LOCAL)

    assert result.url == f"https://localhost:{web.port}/page.html"
    assert b"Served over TLS." in result.body
    assert web.requests[-1].headers["Host"] == f"localhost:{web.port}"


def test_a_new_pipeline_version_fetches_in_full_instead_of_trusting_a_304(
    web: WebServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web.routes["/page.html"] = Route(
        body=_page("Welding", "Welders meet on Tuesdays.").encode(),
        headers={"Content-Type": "text/html"},
        etag='"same"',
    )
    services = _services(tmp_path / "data")
    url = web.url("/page.html")
    _ingest(services, url)

    monkeypatch.setattr("ingest.pipeline.PIPELINE_VERSION", "rebuilt")
    summary = _ingest(services, url)

    assert summary.updated == [url]
    assert "If-None-Match" not in web.requests[-1].headers


def test_a_document_served_as_bare_bytes_is_accepted_by_its_name_only(web: WebServer) -> None:
    octets = {"Content-Type": "application/octet-stream"}
    web.routes["/guide.txt"] = Route(body=b"Partnership guide.", headers=octets)
    web.routes["/download"] = Route(body=b"Partnership guide.", headers=octets)

    result = _fetcher().fetch(web.url("/guide.txt"), allowed_domains=LOCAL)

    assert result.body == b"Partnership guide."
    with pytest.raises(FetchError, match="unsupported content type application/octet-stream"):
        _fetcher().fetch(web.url("/download"), allowed_domains=LOCAL)


# --- budgets ------------------------------------------------------------------------------------


def _nested_indexes(web: WebServer, width: int) -> None:
    """An index of ``width`` indexes, each listing ``width`` more: width + width² files."""
    children = [f"/index-{i}.xml" for i in range(width)]
    web.routes["/sitemap.xml"] = _sitemap(*(web.url(c) for c in children), index=True)
    for child in children:
        grandchildren = [f"{child[:-4]}-{j}.xml" for j in range(width)]
        web.routes[child] = _sitemap(*(web.url(g) for g in grandchildren), index=True)
        for grandchild in grandchildren:
            web.routes[grandchild] = _sitemap(web.url(f"{grandchild[:-4]}.html"), index=True)


def test_nested_sitemap_indexes_are_fetched_within_the_sources_budget(
    web: WebServer, tmp_path: Path
) -> None:
    _nested_indexes(web, 60)  # 3,660 sitemap files, and not one page
    services = _services(tmp_path / "data")

    summary = _ingest(services, web.url("/sitemap.xml"))

    fetched = [path for path in web.paths() if path.endswith(".xml")]
    assert len(fetched) == MAX_SITEMAP_FILES
    assert summary.failed == [] and summary.added == []


def test_a_refresh_stops_fetching_once_its_request_budget_is_spent(
    web: WebServer, tmp_path: Path
) -> None:
    for name in "abcdef":
        web.page(f"/{name}.html", _page(f"Page {name}", f"Facts numbered {name} about work."))
    services = _services(tmp_path / "data")
    options = WebOptions(frozenset(LOCAL), {}, max_requests=4)  # robots.txt and three pages
    urls = [web.url(f"/{name}.html") for name in "abcdef"]

    summary = refresh(services.kb, [(url, None) for url in urls], full=False, web=options)

    assert len(web.requests) == 4
    assert sorted(summary.added) == urls[:3]
    assert {failure.source for failure in summary.failed} == set(urls[3:])
    assert all("budget of 4 web requests" in failure.reason for failure in summary.failed)


def test_the_refresh_budget_grows_with_the_configured_page_limits(tmp_path: Path) -> None:
    config = tmp_path / "big.toml"
    config.write_text(
        '[[sources]]\nlocation = "https://workforce.iowa.gov/sitemap.xml"\nmax_pages = 5000\n'
        '[[contacts]]\nname = "Kathy Leggett"\nphone = "515-725-3882"\n',
        encoding="utf-8",
    )
    big = load_settings({"SECTORBOT_DATA_DIR": str(tmp_path), "SECTORBOT_CONFIG": str(config)})

    assert make_settings(tmp_path).web_options().max_requests == MAX_REQUESTS_PER_REFRESH
    assert big.web_options().max_requests == 2 * (5000 + MAX_SITEMAP_FILES)
