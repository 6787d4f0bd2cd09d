"""The guarded fetcher: host policy before any socket, no redirects, caps, timeouts; StaticFetcher.

Every test stays on loopback: an autouse fixture refuses connections and name lookups elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vccore.errors import Code, FetchNotAllowed, ResourceLimitError, SkillcredError
from vccore.fetch import FetchFailed, FetchResponse, HttpsFetcher, StaticFetcher, is_public_address, parse_endpoint

LOOPBACK = ("127.0.0.0/8", "::1/128")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection or name lookup that is not numeric loopback."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"test tried to connect to {address!r}")
        real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            numeric = ipaddress.ip_address(host)
        except ValueError:
            raise AssertionError(f"test tried to resolve {host!r}") from None
        if not numeric.is_loopback:
            raise AssertionError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def socket_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count (and refuse) every attempt to create a socket, connect or resolve."""
    calls: list[str] = []

    def refuse(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            raise AssertionError(f"{name} called")

        return call

    monkeypatch.setattr(socket, "socket", refuse("socket"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return calls


# --- a tiny loopback server ----------------------------------------------------------------------

RELEASE = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers and "Transfer_Encoding" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/ok":
            self._send(200, b'{"ok": true}', Content_Type="application/json")
        elif path == "/host":
            self._send(200, (self.headers.get("Host") or "").encode())
        elif path == "/redirect":
            self._send(302, b"", Location="https://elsewhere.example/")
        elif path == "/missing":
            self._send(404, b"no")
        elif path == "/gzip":
            self._send(200, b"\x1f\x8b", Content_Encoding="gzip")
        elif path.startswith("/exact/"):
            self._send(200, b"x" * int(path.rsplit("/", 1)[1]))
        elif path == "/big-declared":
            self._send(200, b"x" * 5000)
        elif path == "/big-undeclared":  # close-delimited body, no Content-Length
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            self.wfile.write(b"x" * 200_000)
        elif path == "/big-chunked":
            self._send(200, b"", Transfer_Encoding="chunked")
            for _ in range(50):
                self.wfile.write(b"1000\r\n" + b"x" * 0x1000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/slow":
            RELEASE.wait(5)
            self._send(200, b"late")
        elif path == "/drip":  # each byte well within a per-read timeout; the total must still stop it
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                if RELEASE.wait(0.05):
                    return
                self.wfile.write(b"x")
                self.wfile.flush()
        else:
            self._send(500, b"?")


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on purpose in these tests


@pytest.fixture
def server() -> Iterator[str]:
    RELEASE.clear()
    httpd = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        RELEASE.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _loopback_fetcher(**kwargs: Any) -> HttpsFetcher:
    options: dict[str, Any] = {"allow_http_hosts": ["127.0.0.1"], "allow_networks": LOOPBACK}
    options.update(kwargs)
    return HttpsFetcher(**options)


# --- host policy, before any socket ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://2130706433/",  # decimal
        "https://0177.0.0.1/",  # octal
        "https://0x7f.1/",  # hex, short form
        "https://0x7f000001/",
        "https://127.1/",
        "https://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "https://[::ffff:7f00:1]/",
        "https://[::1]/",
        "https://[::]/",
        "https://0.0.0.0/",
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://100.64.0.1/",  # shared address space (CGNAT)
        "https://169.254.169.254/",  # link-local (cloud metadata)
        "https://[fe80::1]/",
        "https://[fe80::1%25eth0]/",
        "https://[fc00::1]/",
        "https://[fec0::1]/",  # site-local
        "https://224.0.0.1/",
        "https://[ff02::1]/",
        "https://240.0.0.1/",  # reserved
        "https://255.255.255.255/",
        "https://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
        "https://[64:ff9b::7f00:1]/",  # NAT64 wrapping 127.0.0.1
        "https://192.0.2.1/",  # documentation
        "http://example.com/",  # plain http
        "ftp://example.com/",
        "file:///etc/passwd",
        "https://user@example.com/",
        "https://user:pw@example.com/",
        "https://exa mple.com/",
        "https://example.com:99999/",
        "https:///path",
        "https://ex_ample.com/",
        "https://exämple.com/",
    ],
)
def test_policy_refuses_before_any_socket(url: str, socket_counter: list[str]) -> None:
    with pytest.raises(FetchNotAllowed) as excinfo:
        HttpsFetcher().fetch(url)
    assert excinfo.value.code is Code.FETCH_NOT_ALLOWED
    assert socket_counter == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["93.184.215.14", "10.0.0.7"],
        ["::ffff:10.0.0.7"],
        ["fe80::1"],
    ],
)
def test_names_resolving_to_private_addresses_are_refused(addresses: list[str], socket_counter: list[str]) -> None:
    fetcher = HttpsFetcher(resolver=lambda host, port: addresses)
    with pytest.raises(FetchNotAllowed, match=r"^FETCH_NOT_ALLOWED: host 'rebind\.example': address"):
        fetcher.fetch("https://rebind.example/status/1")
    assert socket_counter == []


def test_host_allow_list_is_enforced(socket_counter: list[str]) -> None:
    fetcher = HttpsFetcher(allowed_hosts=["status.example.org"], resolver=lambda h, p: ["93.184.215.14"])
    with pytest.raises(
        FetchNotAllowed, match=r"^FETCH_NOT_ALLOWED: host 'other\.example\.org' is not on the allow-list"
    ):
        fetcher.fetch("https://other.example.org/list")
    assert socket_counter == []


def test_resolver_failure_is_a_fetch_failure(socket_counter: list[str]) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror("no such host")

    with pytest.raises(FetchFailed) as excinfo:
        HttpsFetcher(resolver=fail).fetch("https://nowhere.example/")
    assert excinfo.value.code is Code.STATUS_RETRIEVAL_ERROR
    assert socket_counter == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_bytes": 0}, ValueError, r"^max_bytes: expected a positive int"),
        ({"connect_timeout": 0}, ValueError, r"^connect_timeout: expected a positive number"),
        ({"total_timeout": -1}, ValueError, r"^total_timeout: expected a positive number"),
        ({"allowed_hosts": "example.com"}, TypeError, r"expected a collection of host names"),
        ({"allow_networks": ["not a network"]}, ValueError, r"does not appear to be an IPv4 or IPv6 network"),
    ],
)
def test_constructor_refuses_bad_options(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        HttpsFetcher(**kwargs)


# --- against a loopback server ----------------------------------------------------------------


def test_fetches_from_an_explicitly_allowed_loopback_server(server: str) -> None:
    resp = _loopback_fetcher().fetch(f"http://{server}/ok")
    assert resp.status == 200 and resp.body == b'{"ok": true}'
    assert resp.content_type == "application/json" and resp.url == f"http://{server}/ok"


def test_loopback_is_refused_without_the_test_allowance(server: str) -> None:
    with pytest.raises(
        FetchNotAllowed, match=r"^FETCH_NOT_ALLOWED: host '127\.0\.0\.1': address 127\.0\.0\.1 is not public"
    ):
        HttpsFetcher(allow_http_hosts=["127.0.0.1"]).fetch(f"http://{server}/ok")
    with pytest.raises(FetchNotAllowed, match=r"^FETCH_NOT_ALLOWED: url 'http://"):
        HttpsFetcher(allow_networks=LOOPBACK).fetch(f"http://{server}/ok")


def test_the_operator_allow_list_opens_one_loopback_endpoint_and_nothing_else(server: str) -> None:
    """``--allow-fetch HOST[:PORT]``: the named loopback endpoint is fetched (plain http on loopback);
    another port, another loopback name, a private address and a public-looking name that resolves
    to loopback are refused before any socket, as by default."""
    port = int(server.rsplit(":", 1)[1])
    fetcher = HttpsFetcher(allow_fetch=[f"127.0.0.1:{port}"])
    assert fetcher.fetch(f"http://{server}/ok").body == b'{"ok": true}'
    assert HttpsFetcher(allow_fetch=["127.0.0.1"]).fetch(f"http://{server}/ok").status == 200
    for url, allowed, match in [
        (f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/ok", [f"127.0.0.1:{port}"], "only https"),
        (f"http://localhost:{port}/ok", [f"127.0.0.1:{port}"], "only https"),
        ("https://10.0.0.7/list", [f"127.0.0.1:{port}"], r"address 10\.0\.0\.7 is not public"),
        ("https://rebind.example/list", [f"127.0.0.1:{port}"], r"address 127\.0\.0\.1 is not public"),
        (f"http://10.0.0.7:{port}/list", [f"10.0.0.7:{port}"], "only https"),  # http only on loopback
    ]:
        with pytest.raises(FetchNotAllowed, match=match):
            HttpsFetcher(allow_fetch=allowed, resolver=lambda h, p: ["127.0.0.1"]).fetch(url)


def test_an_allowed_intranet_name_may_resolve_to_a_private_address(server: str) -> None:
    """An intranet name on the allow-list passes the address rule: the fetch gets as far as the TLS
    handshake (the test server speaks plain HTTP), a FetchFailed, where without the entry it is a
    policy refusal; plain http stays refused off loopback."""
    port = server.rsplit(":", 1)[1]
    url = f"https://status.intranet.example:{port}/ok"
    with pytest.raises(FetchNotAllowed, match=r"address 127\.0\.0\.1 is not public"):
        HttpsFetcher(resolver=lambda h, p: ["127.0.0.1"]).fetch(url)
    allowed = HttpsFetcher(allow_fetch=["status.intranet.example"], resolver=lambda h, p: ["127.0.0.1"])
    with pytest.raises(FetchFailed) as excinfo:
        allowed.fetch(url)
    assert not isinstance(excinfo.value, FetchNotAllowed)
    with pytest.raises(FetchNotAllowed, match="only https"):
        allowed.fetch(url.replace("https:", "http:"))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("localhost", ("localhost", None)),
        ("127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("Status.Intranet.Example:443", ("status.intranet.example", 443)),
        ("[::1]:9000", ("::1", 9000)),
        ("[::1]", ("::1", None)),
    ],
)
def test_allow_fetch_entries_are_host_and_optional_port(text: str, parsed: tuple[str, int | None]) -> None:
    assert parse_endpoint(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "https://localhost",
        "localhost:0",
        "localhost:70000",
        "localhost:x",
        "user@host",
        "host/path",
        "::1",
        "0x7f.1",
        "[127.0.0.1]",
    ],
)
def test_allow_fetch_entries_that_are_not_endpoints_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected HOST|port must be|not a host name|brackets hold|non-canonical"):
        parse_endpoint(text)


def test_connects_to_the_checked_address_and_sends_the_name(server: str) -> None:
    port = server.rsplit(":", 1)[1]
    lookups: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    fetcher = _loopback_fetcher(allow_http_hosts=["status.example"], resolver=resolver)
    resp = fetcher.fetch(f"http://status.example:{port}/host")
    assert resp.body == f"status.example:{port}".encode()
    assert lookups == ["status.example"]  # one lookup; the autouse fixture forbids a second by name


def test_redirects_are_not_followed(server: str) -> None:
    with pytest.raises(FetchNotAllowed, match="redirect"):
        _loopback_fetcher().fetch(f"http://{server}/redirect")


def test_non_200_is_a_fetch_failure_with_the_status(server: str) -> None:
    with pytest.raises(FetchFailed) as excinfo:
        _loopback_fetcher().fetch(f"http://{server}/missing")
    assert excinfo.value.status == 404 and excinfo.value.code is Code.STATUS_RETRIEVAL_ERROR


def test_encoded_bodies_are_refused(server: str) -> None:
    with pytest.raises(FetchFailed, match="content-encoding"):
        _loopback_fetcher().fetch(f"http://{server}/gzip")


@pytest.mark.parametrize("path", ["/big-declared", "/big-undeclared", "/big-chunked"])
def test_size_cap_is_enforced(server: str, path: str) -> None:
    with pytest.raises(ResourceLimitError) as excinfo:
        _loopback_fetcher(max_bytes=1000).fetch(f"http://{server}{path}")
    assert excinfo.value.code is Code.RESOURCE_LIMIT_EXCEEDED


def test_body_exactly_at_the_cap_is_accepted(server: str) -> None:
    assert len(_loopback_fetcher(max_bytes=1000).fetch(f"http://{server}/exact/1000").body) == 1000


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_total_timeout_is_enforced(server: str, path: str) -> None:
    fetcher = _loopback_fetcher(connect_timeout=2, total_timeout=0.4)
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="timed out"):
        fetcher.fetch(f"http://{server}{path}")
    assert time.monotonic() - started < 2


def test_https_to_a_plain_http_server_fails_in_the_handshake(server: str) -> None:
    with pytest.raises(FetchFailed, match=r"^STATUS_RETRIEVAL_ERROR: https://"):
        _loopback_fetcher(total_timeout=3).fetch(f"https://{server}/ok")


def test_connection_refused_is_a_fetch_failure() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    with pytest.raises(FetchFailed, match=r"^STATUS_RETRIEVAL_ERROR: http://"):
        _loopback_fetcher().fetch(f"http://127.0.0.1:{port}/")


# --- StaticFetcher -------------------------------------------------------------------------------


def test_static_fetcher_serves_and_counts() -> None:
    fetcher = StaticFetcher(
        {"https://a.example/x": b"one", "https://a.example/y": FetchResponse("https://a.example/y", b"two")}
    )
    assert fetcher.fetch("https://a.example/x").body == b"one"
    assert fetcher.fetch("https://a.example/x").status == 200
    assert fetcher.fetch("https://a.example/y").body == b"two"
    assert fetcher.count == 3
    assert fetcher.requests == ("https://a.example/x", "https://a.example/x", "https://a.example/y")


def test_static_fetcher_refuses_unknown_urls() -> None:
    fetcher = StaticFetcher({"https://a.example/x": b"one"})
    with pytest.raises(FetchNotAllowed, match=r"^FETCH_NOT_ALLOWED: 'https://a\.example/other' is not served by this"):
        fetcher.fetch("https://a.example/other")
    assert fetcher.count == 1


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (404, FetchFailed, Code.STATUS_RETRIEVAL_ERROR),
        (500, FetchFailed, Code.STATUS_RETRIEVAL_ERROR),
        (301, FetchNotAllowed, Code.FETCH_NOT_ALLOWED),
    ],
)
def test_static_fetcher_behaves_like_the_network_one(status: int, error: type[SkillcredError], code: Code) -> None:
    fetcher = StaticFetcher({"https://a.example/x": FetchResponse("https://a.example/x", b"", status)})
    with pytest.raises(error) as excinfo:
        fetcher.fetch("https://a.example/x")
    assert excinfo.value.code is code


def test_static_fetcher_applies_its_cap() -> None:
    fetcher = StaticFetcher({"https://a.example/x": b"x" * 11}, max_bytes=10)
    with pytest.raises(
        ResourceLimitError, match=r"^RESOURCE_LIMIT_EXCEEDED: https://a\.example/x: body exceeds 10 bytes"
    ):
        fetcher.fetch("https://a.example/x")


def test_static_fetcher_refuses_bad_table_values() -> None:
    with pytest.raises(TypeError, match=r"^responses\['https://a\.example/x'\]: expected bytes or FetchResponse,"):
        StaticFetcher({"https://a.example/x": "text"})  # type: ignore[dict-item]


def test_static_fetcher_copies_its_table() -> None:
    table: dict[str, bytes | FetchResponse] = {"https://a.example/x": b"one"}
    fetcher = StaticFetcher(table)
    table["https://a.example/x"] = b"changed"
    assert fetcher.fetch("https://a.example/x").body == b"one"
