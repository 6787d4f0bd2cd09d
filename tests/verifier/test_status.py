from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support import NOW
from tests.world import EVAL, REV_URL, VerifierWorld
from vccore.fetch import FetchResponse, HttpsFetcher
from verifier.status import StatusSource


class SlowFetcher:
    def __init__(self, body: bytes, delay: float = 0.2) -> None:
        self.body = body
        self.delay = delay
        self.calls = 0
        self.lock = threading.Lock()

    def fetch(self, url: str) -> FetchResponse:
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        return FetchResponse(url, self.body)


def test_concurrent_lookups_of_one_url_share_one_fetch(world: VerifierWorld) -> None:
    fetcher = SlowFetcher(json.dumps(world.lists[REV_URL]).encode())
    source = StatusSource(loader=world.loader, fetcher=fetcher)
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(lambda _: source.lookup(REV_URL, issuer=EVAL.controller, now=NOW), range(8)))
    assert fetcher.calls == 1 and all(f.credential is not None for f in found)


def test_a_list_is_cached_until_its_own_valid_until(world: VerifierWorld) -> None:
    fetcher = SlowFetcher(json.dumps(world.lists[REV_URL]).encode(), delay=0)
    source = StatusSource(loader=world.loader, fetcher=fetcher)
    for minutes in (0, 60, 60 * 22):
        assert (
            source.lookup(REV_URL, issuer=EVAL.controller, now=NOW + timedelta(minutes=minutes)).credential is not None
        )
    assert fetcher.calls == 1
    stale = source.lookup(REV_URL, issuer=EVAL.controller, now=NOW + timedelta(hours=24))
    assert fetcher.calls == 2 and stale.problem is not None and stale.problem.code.value == "STATUS_RETRIEVAL_ERROR"


def test_a_body_over_the_cap_is_a_retrieval_error(world: VerifierWorld) -> None:
    source = StatusSource(loader=world.loader, fetcher=SlowFetcher(b" " * 2000, delay=0), max_bytes=1000)
    found = source.lookup(REV_URL, issuer=EVAL.controller, now=NOW)
    assert found.problem is not None and found.problem.code.value == "STATUS_RETRIEVAL_ERROR"


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'{"a":1,"a":2}', b"NaN", b"{" * 100])
def test_garbage_list_bodies_fail_closed(world: VerifierWorld, body: bytes) -> None:
    source = StatusSource(loader=world.loader, fetcher=SlowFetcher(body, delay=0))
    found = source.lookup(REV_URL, issuer=EVAL.controller, now=NOW)
    assert found.credential is None and found.problem is not None
    assert found.problem.code.value in ("STATUS_RETRIEVAL_ERROR", "STATUS_VERIFICATION_ERROR")


@pytest.fixture
def loopback(world: VerifierWorld) -> Iterator[str]:
    body = json.dumps(world.lists[REV_URL]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/vc")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/status/1"
    server.shutdown()
    server.server_close()


def test_online_fetch_through_the_guarded_fetcher_from_an_allowed_loopback_server(
    world: VerifierWorld, loopback: str
) -> None:
    fetcher = HttpsFetcher(allow_http_hosts=["127.0.0.1"], allow_networks=["127.0.0.0/8"], total_timeout=5)
    source = StatusSource(loader=world.loader, fetcher=fetcher)
    found = source.lookup(loopback, issuer=EVAL.controller, now=NOW)
    # the list's id is REV_URL, not the loopback URL: it verifies, then check_status compares ids
    assert found.credential is not None and found.source == "online"
    refused = StatusSource(loader=world.loader, fetcher=HttpsFetcher(total_timeout=5))
    got = refused.lookup(loopback, issuer=EVAL.controller, now=NOW)
    assert got.problem is not None and "only https" in got.problem.detail
