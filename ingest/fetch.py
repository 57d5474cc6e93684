"""A careful HTTP fetcher for web sources.

Every request is checked before it is sent: the URL's host must be one of the allowed domains,
robots.txt must allow it, and every address the host resolves to must be a public one (unless
the host is listed in ``INGEST_ALLOWED_PRIVATE_HOSTS``). The connection goes to the address that
was checked, with the original ``Host`` header, so a second DNS answer cannot slip a private
address in between the check and the connection. Redirects are followed by hand, each hop
checked again. Responses are limited in time, size and type.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
import urllib.robotparser
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

from ingest.document import LoadError
from ingest.web_options import MAX_REQUESTS_PER_REFRESH

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
# A whole response (a slow trickle of bytes included) must arrive within this.
TOTAL_TIMEOUT = 120.0
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: parsers must read at least 500 KiB
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
    }
)
SITEMAP_TYPES = frozenset({"application/xml", "text/xml"})
# Some servers send documents as bare bytes; those are accepted when the name has a known suffix.
GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
PAGE_SUFFIXES = frozenset({".html", ".htm", ".pdf", ".docx", ".md", ".markdown", ".txt"})
_CHUNK = 64 * 1024
_DISALLOW_ALL = ["User-agent: *", "Disallow: /"]
# Reasons that say the site cannot be fetched from at all, rather than what robots.txt holds.
_UNREACHABLE = ("refused:", "could not resolve", "could not connect", "timed out", "TLS error")


def _version() -> str:
    try:
        return metadata.version("sectorbot")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


USER_AGENT = (
    f"sectorbot/{_version()} (+Slack bot answering questions about Iowa's Business Sector "
    "Partnerships; fetches only configured pages and honours robots.txt)"
)
ROBOTS_AGENT = "sectorbot"


class FetchError(LoadError):
    """A web source could not be fetched; ``reason`` says why in a few words."""


@dataclass(frozen=True)
class Validators:
    """What a server said identifies a response, sent back to ask "has it changed?"."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class FetchResult:
    """A fetched page (``status`` 200) or a confirmation that it has not changed (304)."""

    url: str
    status: int
    content_type: str | None = None
    body: bytes = b""
    validators: Validators = field(default_factory=Validators)

    @property
    def not_modified(self) -> bool:
        """True when the server said the page is unchanged since the validators were given."""
        return self.status == http.client.NOT_MODIFIED

    @property
    def media_type(self) -> str:
        """The content type without parameters, lower-case ("" when the server sent none)."""
        return (self.content_type or "").split(";")[0].strip().lower()


def host_of(url: str) -> str:
    """The URL's host name, lower-case, without port or brackets."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def in_domains(host: str, domains: Iterable[str]) -> bool:
    """True when ``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def refused_address_kind(address: str) -> str | None:
    """Why an IP address must not be fetched from ("private", ...), or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("a private", ip.is_private),
        ("a non-public", not ip.is_global),
    )
    for kind, hit in checks:
        if hit:
            return kind
    return None


def check_addresses(host: str, addresses: list[str], allowed_private_hosts: Iterable[str]) -> None:
    """Refuse a host that resolves to any non-public address, unless it is allow-listed.

    Raises:
        FetchError: one of the addresses is private, loopback, link-local, multicast, reserved
            or unspecified, and ``host`` is not in ``allowed_private_hosts``.

    """
    if host.lower() in {h.strip().lower() for h in allowed_private_hosts if h.strip()}:
        return
    for address in addresses:
        kind = refused_address_kind(address)
        if kind is None:
            continue
        named = host if host == address else f"{host} ({address})"
        raise FetchError(
            f"refused: {named} is {kind} address (set INGEST_ALLOWED_PRIVATE_HOSTS to allow it)"
        )


def _size_text(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit / 1024:g} KB"


def _connect_any(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """Connect to the first of the (already checked) addresses that answers."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as failure:
            error = failure
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to checked IP addresses while speaking to (and sending Host for) the host."""

    def __init__(self, host: str, port: int, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_any(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As ``_PinnedHTTPConnection``, with TLS verified against the host name."""

    def __init__(
        self, host: str, port: int, addresses: list[str], timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context

    def connect(self) -> None:
        raw = _connect_any(self._addresses, self.port, self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


@dataclass
class _Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Fetcher:
    """Fetches web sources safely; one per refresh (it caches robots.txt per site).

    Args:
        allowed_private_hosts: host names that may resolve to private addresses (an intranet
            server, or 127.0.0.1 in tests).
        max_bytes: the largest response accepted.
        connect_timeout: seconds to wait for a connection.
        read_timeout: seconds to wait for each read.
        user_agent: the User-Agent header sent.
        tls_context: certificates to trust (default: the system's).
        max_requests: the requests this fetcher may make in all (one refresh); past them every
            fetch fails with a reason that says so.

    """

    def __init__(
        self,
        *,
        allowed_private_hosts: Iterable[str] = (),
        max_bytes: int = MAX_BYTES,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        user_agent: str = USER_AGENT,
        tls_context: ssl.SSLContext | None = None,
        max_requests: int = MAX_REQUESTS_PER_REFRESH,
    ) -> None:
        self.allowed_private_hosts = frozenset(h.strip().lower() for h in allowed_private_hosts)
        self.max_bytes = max_bytes
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.user_agent = user_agent
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._unreachable: dict[str, str] = {}
        self._tls = tls_context or ssl.create_default_context()
        self.max_requests = max_requests
        self.requests_made = 0

    def fetch(
        self,
        url: str,
        *,
        allowed_domains: Iterable[str],
        validators: Validators | None = None,
        accept: frozenset[str] = PAGE_TYPES | SITEMAP_TYPES,
    ) -> FetchResult:
        """Fetch ``url``, following redirects within ``allowed_domains``.

        Args:
            url: an http(s) address.
            allowed_domains: hosts (and their subdomains) the fetch may visit.
            validators: an ETag / Last-Modified from an earlier fetch, to ask for a 304.
            accept: the media types accepted (a response without a type is accepted and left
                to the loader to recognise).

        Returns:
            The final URL with its body, or a result whose ``not_modified`` is true.

        Raises:
            FetchError: the fetch was refused or failed; ``reason`` says why.

        """
        domains = tuple(allowed_domains)
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            self._check_url(current, domains, redirected=hop > 0)
            if not self._robots_allow(current, domains):
                raise FetchError("disallowed by robots.txt")
            response = self._request(current, validators, accept, limit=self.max_bytes)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"HTTP {response.status} without a Location")
                current = urljoin(current, location.strip())
                continue
            if response.status == http.client.NOT_MODIFIED:
                if not validators:  # a 304 nobody asked for says nothing about the page
                    raise FetchError("HTTP 304 without a conditional request")
                return FetchResult(current, response.status, validators=validators or Validators())
            if response.status != http.client.OK:
                raise FetchError(f"HTTP {response.status}")
            return FetchResult(
                current,
                response.status,
                response.headers.get("Content-Type"),
                response.body,
                Validators(response.headers.get("ETag"), response.headers.get("Last-Modified")),
            )
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _check_url(self, url: str, domains: tuple[str, ...], *, redirected: bool) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            raise FetchError(f"unsupported address scheme {parts.scheme or '(none)'}")
        host = host_of(url)
        if not host:
            raise FetchError("the address has no host")
        try:
            _port = parts.port
            host.encode("idna")
        except (ValueError, UnicodeError):
            raise FetchError("malformed address (host or port)") from None
        if parts.username or parts.password:
            raise FetchError("addresses with a user name or password are not fetched")
        if not in_domains(host, domains):
            if redirected:
                raise FetchError(f"redirect to a host outside the allowed domains ({host})")
            raise FetchError(f"{host} is outside the allowed domains")

    def _robots_allow(self, url: str, domains: tuple[str, ...]) -> bool:
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc.lower()}"
        if site in self._unreachable:  # the site failed once in this refresh: fail fast
            raise FetchError(self._unreachable[site])
        parser = self._robots.get(site)
        if parser is None:
            try:
                parser = self._load_robots(site, domains)
            except FetchError as error:
                if not error.reason.startswith("refused:"):
                    self._unreachable[site] = error.reason
                raise
            self._robots[site] = parser
        return parser.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(
        self, site: str, domains: tuple[str, ...]
    ) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        current = site + "/robots.txt"
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                if not in_domains(host_of(current), domains):
                    # Treated as no robots.txt (RFC 9309: an unavailable file, like a 404).
                    parser.parse([])
                    return parser
                response = self._request(
                    current, None, frozenset({"text/plain"}), limit=ROBOTS_MAX_BYTES, robots=True
                )
                if response.status in REDIRECT_STATUSES and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"].strip())
                    continue
                break
        except FetchError as error:
            if error.reason.startswith(_UNREACHABLE):
                # A refused address, or a site that cannot be reached at all (no connection,
                # a timeout, a TLS error): the pages would fail the same way, so say that.
                raise
            # RFC 9309: an unreachable robots.txt means "assume everything is disallowed".
            logger.info("robots.txt of %s could not be read (%s)", site, error.reason)
            parser.parse(_DISALLOW_ALL)
            return parser
        if response.status == http.client.OK:
            parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        elif response.status in {401, 403} or response.status >= 500:
            parser.parse(_DISALLOW_ALL)
        else:  # 404 and other client errors: no rules, everything allowed
            parser.parse([])
        return parser

    def _request(
        self,
        url: str,
        validators: Validators | None,
        accept: frozenset[str],
        *,
        limit: int,
        robots: bool = False,
    ) -> _Response:
        if self.requests_made >= self.max_requests:
            raise FetchError(
                f"this refresh's budget of {self.max_requests} web requests is used up"
            )
        self.requests_made += 1
        parts = urlsplit(url)
        # International names go on the wire (DNS, Host, TLS) in their ASCII form.
        host = host_of(url).encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = self._resolve(host, port)
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            connection = _PinnedHTTPSConnection(
                host, port, addresses, self.connect_timeout, self._tls
            )
        else:
            connection = _PinnedHTTPConnection(host, port, addresses, self.connect_timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = {
            "User-Agent": self.user_agent,
            "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
            "Accept-Encoding": "identity",
            "Connection": "close",
        }
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            connection.connect()
            if connection.sock is not None:
                connection.sock.settimeout(self.read_timeout)
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            if response.status != http.client.OK:
                return _Response(response.status, response.headers, b"")
            if not robots:
                self._check_type(response.headers.get("Content-Type"), accept, url)
            encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
            if encoding != "identity":
                raise FetchError(f"unsupported content encoding {encoding}")
            body = self._read_limited(response, limit, robots=robots)
            return _Response(response.status, response.headers, body)
        except TimeoutError:
            raise FetchError("timed out") from None
        except ssl.SSLError as error:
            raise FetchError(f"TLS error ({error.reason or type(error).__name__})") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"could not connect ({type(error).__name__})") from None
        finally:
            connection.close()

    def _resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise FetchError(f"could not resolve {host}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise FetchError(f"could not resolve {host}")
        check_addresses(host, addresses, self.allowed_private_hosts)
        return addresses

    def _check_type(self, content_type: str | None, accept: frozenset[str], url: str) -> None:
        media_type = (content_type or "").split(";")[0].strip().lower()
        if (
            media_type in GENERIC_TYPES
            and accept & PAGE_TYPES
            and PurePosixPath(urlsplit(url).path).suffix.lower() in PAGE_SUFFIXES
        ):
            return  # a document served as "just bytes": its name says what it is
        if media_type and media_type not in accept:
            raise FetchError(f"unsupported content type {media_type}")

    def _read_limited(
        self, response: http.client.HTTPResponse, limit: int, *, robots: bool
    ) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            if robots:
                return response.read(limit)
            raise FetchError(f"too large (over {_size_text(limit)})")
        deadline = time.monotonic() + TOTAL_TIMEOUT
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                if robots:  # only the first 500 KiB of a robots.txt count
                    chunks.append(chunk[: limit - (size - len(chunk))])
                    break
                raise FetchError(f"too large (over {_size_text(limit)})")
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise FetchError("timed out")
        return b"".join(chunks)
