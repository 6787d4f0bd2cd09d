"""The one HTTP port of skillcred: a ``Fetcher`` Protocol, a guarded HTTPS fetcher, a static one.

Nothing in ``vccore`` opens a socket unless a caller hands it a fetcher on purpose (did:web, status
lists; ARCHITECTURE.md, "DocumentLoader"). :class:`HttpsFetcher` is that fetcher, with the policy of
SECURITY.md items 13 and 14:

- HTTPS only (plain HTTP only for hosts named in ``allow_http_hosts``, for loopback test servers);
  no userinfo; an optional host allow-list.
- The host is resolved once and every address must be public: private, loopback, link-local,
  multicast, reserved, unspecified and shared (CGNAT) ranges are refused for IPv4 and IPv6,
  including addresses embedded in IPv6 (IPv4-mapped, 6to4, Teredo). Numeric hosts in legacy forms
  (``2130706433``, ``0177.0.0.1``, ``0x7f.1``) are refused outright, as the WHATWG URL standard would
  read them as IPv4. Only ``allow_networks`` (tests) and ``allow_fetch`` lift the address rule.
- ``allow_fetch``: the operator's endpoint allow-list (``HOST`` or ``HOST:PORT``, the verifier's
  ``--allow-fetch``), off by default, for test and intranet setups: a URL whose host (and port, when
  the entry names one) is listed may resolve to private or loopback addresses, and a loopback entry
  (``localhost``, ``127.0.0.0/8``, ``::1``) may use plain ``http``. Every other URL keeps the policy.
- The connection goes to the checked address (no second DNS lookup, so no DNS rebinding) while the
  Host header and TLS SNI/certificate check use the name.
- No redirect is followed: a 3xx is :class:`FetchNotAllowed`.
- A connect timeout, a total deadline (enforced by a watchdog that shuts the socket), and a body
  cap enforced while reading.

Every policy refusal happens before any socket opens. A fetcher returns only ``200`` responses;
anything else raises.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol
from urllib.parse import urlsplit

from vccore.errors import Code, FetchNotAllowed, ResourceLimitError, SkillcredError

DEFAULT_MAX_BYTES: Final = 1024 * 1024
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
DEFAULT_TOTAL_TIMEOUT: Final = 15.0
DEFAULT_ACCEPT: Final = "application/vc, application/did+json, application/ld+json, application/json;q=0.9"
_READ_CHUNK: Final = 64 * 1024
_LABEL: Final = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL: Final = re.compile(r"(0x[0-9a-f]*|[0-9]+)")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]


class FetchFailed(SkillcredError):
    """The fetch ran and failed: DNS, connection, TLS, timeout, or a non-200 answer.

    The code defaults to ``STATUS_RETRIEVAL_ERROR``; callers map it to their own (did:web wraps it
    in a :class:`~vccore.errors.ResolutionError`). ``status`` is the HTTP status when there was one.
    """

    code = Code.STATUS_RETRIEVAL_ERROR

    def __init__(self, detail: str, *, code: Code | None = None, pointer: str = "", status: int | None = None) -> None:
        super().__init__(detail, code=code, pointer=pointer)
        self.status = status


@dataclass(frozen=True)
class FetchResponse:
    """A completed ``200`` response. ``headers`` has lower-case names; ``url`` is the final URL
    (always the requested one, as redirects are never followed)."""

    url: str
    body: bytes
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Fetcher(Protocol):
    """Fetch one URL. Returns only ``200`` responses within the fetcher's caps; raises
    :class:`FetchNotAllowed` (policy), :class:`ResourceLimitError` (caps) or :class:`FetchFailed`."""

    def fetch(self, url: str) -> FetchResponse: ...


def is_public_address(ip: IPAddress) -> bool:
    """True for a globally routable unicast address, with embedded IPv4 addresses checked too."""
    if any(
        (
            ip.is_private,
            ip.is_loopback,
            ip.is_link_local,
            ip.is_multicast,
            ip.is_reserved,
            ip.is_unspecified,
            not ip.is_global,
        )
    ):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        embedded = [ip.ipv4_mapped, ip.sixtofour, ip.teredo[1] if ip.teredo else None]
        return all(is_public_address(e) for e in embedded if e is not None)
    return True


def parse_host_literal(host: str) -> IPAddress | None:
    """The address a URL host names literally, or ``None`` for a domain name.

    Raises :class:`FetchNotAllowed` for numeric forms other than dotted-quad IPv4 and bracket-less
    IPv6 (decimal, octal, hex, short forms: anything whose last label is a number), and for a
    scoped IPv6 address.
    """
    if "%" in host:
        raise FetchNotAllowed(f"host {host!r}: zone ids and percent signs are not allowed")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.fullmatch(last):
        raise FetchNotAllowed(f"host {host!r}: a non-canonical numeric address is not allowed")
    return None


def _default_resolver(host: str, port: int) -> Sequence[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost."})


def parse_endpoint(text: str) -> tuple[str, int | None]:
    """``HOST`` or ``HOST:PORT`` (``[v6]`` or ``[v6]:PORT`` for IPv6) as (lower-case host, port or None);
    ``ValueError`` for anything else (a URL, userinfo, a path, a bad port, a non-canonical number)."""
    value = text.strip().lower() if isinstance(text, str) else ""
    host, port_text = value, ""
    if value.startswith("["):
        inner, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r}: expected HOST or HOST:PORT")
        host, port_text = inner, rest[1:]
        if "." in host or ":" not in host:
            raise ValueError(f"{text!r}: brackets hold an IPv6 address")
    elif value.count(":") == 1:
        host, port_text = value.split(":")
    if not host or any(c in host for c in "/@?#% \t") or (":" in host and not value.startswith("[")):
        raise ValueError(f"{text!r}: expected HOST or HOST:PORT (no scheme, path or userinfo)")
    try:
        parse_host_literal(host)
    except FetchNotAllowed as err:
        raise ValueError(f"{text!r}: {err.detail}") from err
    if parse_host_literal(host) is None and not all(
        _LABEL.fullmatch(label) for label in host.removesuffix(".").split(".")
    ):
        raise ValueError(f"{text!r}: not a host name")
    if port_text == "" and not value.endswith(":"):
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"{text!r}: the port must be 1 to 65535")
    return host, int(port_text)


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback address literal."""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HttpsFetcher:
    """The guarded network fetcher (see the module docstring for the policy).

    Options, all keyword-only: ``max_bytes`` (body cap), ``connect_timeout`` and ``total_timeout``
    (seconds), ``allowed_hosts`` (if given, the only host names fetched), ``allow_http_hosts``
    (hosts for which plain ``http`` is accepted), ``allow_networks`` (address ranges exempt from the
    public-address rule; tests only), ``allow_fetch`` (``HOST`` or ``HOST:PORT`` entries exempt from it,
    see the module docstring), ``resolver`` (``(host, port) -> addresses``; defaults to ``getaddrinfo``),
    ``ssl_context`` and ``accept``.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
        allowed_hosts: Iterable[str] | None = None,
        allow_http_hosts: Iterable[str] = (),
        allow_networks: Iterable[str | IPNetwork] = (),
        allow_fetch: Iterable[str] = (),
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        accept: str = DEFAULT_ACCEPT,
    ) -> None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ValueError(f"max_bytes: expected a positive int, got {max_bytes!r}")
        for name, value in (("connect_timeout", connect_timeout), ("total_timeout", total_timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name}: expected a positive number of seconds, got {value!r}")
        if isinstance(allowed_hosts, str) or isinstance(allow_http_hosts, str) or isinstance(allow_fetch, str):
            raise TypeError("allowed_hosts/allow_http_hosts: expected a collection of host names")
        self.max_bytes = max_bytes
        self.connect_timeout = float(connect_timeout)
        self.total_timeout = float(total_timeout)
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self.allow_http_hosts = frozenset(h.lower() for h in allow_http_hosts)
        self.allow_networks: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in allow_networks)
        self.allow_fetch: frozenset[tuple[str, int | None]] = frozenset(parse_endpoint(e) for e in allow_fetch)
        self._resolve = resolver or _default_resolver
        self._ssl = ssl_context or ssl.create_default_context()
        self.accept = accept

    def fetch(self, url: str) -> FetchResponse:
        host, port, scheme, target = self._check_url(url)
        addresses = self._addresses(host, port, exempt=self._exempt(host, port))
        deadline = time.monotonic() + self.total_timeout
        timed_out = threading.Event()
        current: list[_PinnedConnection] = []

        def abort() -> None:  # the total deadline: shut the socket under any blocking call
            timed_out.set()
            for conn in current:
                conn.shutdown()

        watchdog = threading.Timer(self.total_timeout, abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            last: Exception | None = None
            for ip in addresses:
                conn = _PinnedConnection(
                    host, port, ip=str(ip), timeout=self.connect_timeout, tls=self._ssl if scheme == "https" else None
                )
                current[:] = [conn]
                try:
                    try:
                        conn.set_remaining(deadline, cap=self.connect_timeout)
                        conn.connect()
                    except OSError as err:  # try the next checked address
                        last = err
                        if timed_out.is_set() or time.monotonic() >= deadline:
                            break
                        continue
                    return self._request(conn, url, target, deadline)
                except (OSError, http.client.HTTPException) as err:
                    last = err
                    break
                finally:
                    conn.close()
            if timed_out.is_set() or isinstance(last, TimeoutError) or time.monotonic() >= deadline:
                raise FetchFailed(f"{url}: timed out") from last
            raise FetchFailed(f"{url}: {type(last).__name__}: {last}") from last
        finally:
            watchdog.cancel()

    # -- policy, before any socket ---------------------------------------------------------

    def _check_url(self, url: str) -> tuple[str, int, str, str]:
        if not isinstance(url, str):
            raise TypeError(f"url: expected str, got {type(url).__name__}")
        if not url.isascii() or any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in url):
            raise FetchNotAllowed(f"url {url[:80]!r}: non-ASCII, space or control characters")
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchNotAllowed(f"url {url[:80]!r}: no host")
        if parts.scheme not in ("https", "http"):
            raise FetchNotAllowed(f"url {url[:80]!r}: only https is allowed")
        if "@" in parts.netloc or "\\" in url:
            raise FetchNotAllowed(f"url {url[:80]!r}: userinfo is not allowed")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as err:
            raise FetchNotAllowed(f"url {url[:80]!r}: bad port") from err
        if parts.scheme == "http" and not (
            host in self.allow_http_hosts or (self._exempt(host, port) and is_loopback_host(host))
        ):
            raise FetchNotAllowed(f"url {url[:80]!r}: only https is allowed")
        if self.allowed_hosts is not None and host not in self.allowed_hosts:
            raise FetchNotAllowed(f"host {host!r} is not on the allow-list")
        if parse_host_literal(host) is None and not all(
            _LABEL.fullmatch(label) for label in host.removesuffix(".").split(".")
        ):
            raise FetchNotAllowed(f"host {host!r}: not a valid host name")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return host, port, parts.scheme, target

    def _exempt(self, host: str, port: int) -> bool:
        """Whether the operator's ``allow_fetch`` names this host (with this port, or any)."""
        return (host, port) in self.allow_fetch or (host, None) in self.allow_fetch

    def _addresses(self, host: str, port: int, *, exempt: bool = False) -> list[IPAddress]:
        literal = parse_host_literal(host)
        if literal is not None:
            candidates = [literal]
        else:
            try:
                resolved = self._resolve(host, port)
            except OSError as err:
                raise FetchFailed(f"host {host!r} could not be resolved ({err})") from err
            try:
                candidates = list(dict.fromkeys(ipaddress.ip_address(a) for a in resolved))
            except ValueError as err:
                raise FetchNotAllowed(f"host {host!r}: resolver returned a bad address") from err
            if not candidates:
                raise FetchFailed(f"host {host!r} resolved to no address")
        for ip in candidates:  # every answer must pass: no mixing public and private answers
            if (
                not exempt
                and not is_public_address(ip)
                and not any(ip in net for net in self.allow_networks if net.version == ip.version)
            ):
                raise FetchNotAllowed(f"host {host!r}: address {ip} is not public")
        return candidates

    # -- the exchange ----------------------------------------------------------------------

    def _request(self, conn: _PinnedConnection, url: str, target: str, deadline: float) -> FetchResponse:
        conn.set_remaining(deadline)
        conn.request(
            "GET", target, headers={"Accept": self.accept, "Accept-Encoding": "identity", "User-Agent": "skillcred"}
        )
        conn.set_remaining(deadline)
        resp = conn.getresponse()
        try:
            return self._read(resp, url, deadline, conn)
        finally:
            resp.close()

    def _read(
        self, resp: http.client.HTTPResponse, url: str, deadline: float, conn: _PinnedConnection
    ) -> FetchResponse:
        headers = {k.lower(): v for k, v in resp.getheaders()}
        if 300 <= resp.status < 400:
            location = headers.get("location", "")[:200]
            raise FetchNotAllowed(f"{url}: redirect ({resp.status}) to {location!r} is not followed")
        if resp.status != 200:
            raise FetchFailed(f"{url}: HTTP {resp.status}", status=resp.status)
        if headers.get("content-encoding", "identity").lower() != "identity":
            raise FetchFailed(f"{url}: unexpected content-encoding {headers['content-encoding']!r}")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ResourceLimitError(f"{url}: body of {declared} bytes exceeds {self.max_bytes}")
        chunks: list[bytes] = []
        total = 0
        while True:
            conn.set_remaining(deadline)
            chunk = resp.read(min(_READ_CHUNK, self.max_bytes - total + 1))
            if not chunk:
                break
            total += len(chunk)
            if total > self.max_bytes:
                raise ResourceLimitError(f"{url}: body exceeds {self.max_bytes} bytes")
            chunks.append(chunk)
        return FetchResponse(url, b"".join(chunks), resp.status, headers)


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a pre-checked address; Host header and SNI use the name."""

    def __init__(self, host: str, port: int, *, ip: str, tls: ssl.SSLContext | None, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self._tls = tls

        self._lock = threading.Lock()
        # http.client drops ``self.sock`` when a response will close the connection, while the
        # response still reads from it: keep our own reference for timeouts and the watchdog.
        self._live: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        with self._lock:
            self.sock = self._live = sock  # visible to shutdown() during the TLS handshake
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            tls_sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            with self._lock:
                self.sock = self._live = tls_sock

    def shutdown(self) -> None:
        """Interrupt any blocking call on this connection (called from the watchdog thread)."""
        with self._lock:
            sock = self._live
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def set_remaining(self, deadline: float, *, cap: float | None = None) -> None:
        """Bound the next blocking operation by the time left before ``deadline``."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("total deadline passed")
        self.timeout = min(remaining, cap) if cap is not None else remaining
        with self._lock:
            sock = self._live
        if sock is not None:
            try:
                sock.settimeout(self.timeout)
            except OSError:  # already closed: the next read reports it
                pass


class StaticFetcher:
    """Serves fixed answers (tests, offline trust packs); refuses every other URL.

    ``responses`` maps a URL to body bytes or a :class:`FetchResponse`; a response whose status is
    not 200 raises like :class:`HttpsFetcher` would. ``requests`` records each URL asked for.
    """

    def __init__(self, responses: Mapping[str, bytes | FetchResponse], *, max_bytes: int | None = None) -> None:
        table: dict[str, FetchResponse] = {}
        for url, value in responses.items():
            if isinstance(value, bytes):
                table[url] = FetchResponse(url, value)
            elif isinstance(value, FetchResponse):
                table[url] = value
            else:
                raise TypeError(f"responses[{url!r}]: expected bytes or FetchResponse, got {type(value).__name__}")
        self._responses = table
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._requests: list[str] = []

    @property
    def requests(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._requests)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._requests)

    def fetch(self, url: str) -> FetchResponse:
        with self._lock:
            self._requests.append(url)
        resp = self._responses.get(url)
        if resp is None:
            raise FetchNotAllowed(f"{url[:200]!r} is not served by this static fetcher")
        if 300 <= resp.status < 400:
            raise FetchNotAllowed(f"{url}: redirect ({resp.status}) is not followed")
        if resp.status != 200:
            raise FetchFailed(f"{url}: HTTP {resp.status}", status=resp.status)
        if self._max_bytes is not None and len(resp.body) > self._max_bytes:
            raise ResourceLimitError(f"{url}: body exceeds {self._max_bytes} bytes")
        return resp
