"""did:web: strict identifiers, URL mapping, and resolution through an injected StaticFetcher."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vccore.did import web as didweb
from vccore.errors import Code, ResolutionError, ResourceLimitError, SkillcredError
from vccore.fetch import FetchFailed, FetchResponse, StaticFetcher

DID = "did:web:issuer.example.org"
URL = "https://issuer.example.org/.well-known/did.json"


def _doc(did: str = DID, **extra: Any) -> bytes:
    doc = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": "z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6",
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
        **extra,
    }
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:user:alice", "https://example.com/user/alice/did.json"),
        ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A443:a.b:c_d~e-f", "https://example.com:443/a.b/c_d~e-f/did.json"),
        ("did:web:xn--fsqu00a.example", "https://xn--fsqu00a.example/.well-known/did.json"),
    ],
)
def test_did_maps_to_url(did: str, url: str) -> None:
    assert didweb.did_to_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6MkeVw6bAm59CopQquZcVLUpapvEEELqfpdWfHkSont8HR6",
        "did:web:",
        "did:web:example.com:",
        "did:web::example.com",
        "did:web:example.com::alice",
        "did:web:Example.com",
        "did:web:EXAMPLE.COM",
        "did:web:example.com:..",
        "did:web:example.com:.",
        "did:web:example.com:a:..:b",
        "did:web:example.com:%2e%2e",
        "did:web:example.com:a%2Fb",
        "did:web:user@example.com",
        "did:web:user%40example.com",
        "did:web:example.com%40evil.example",
        "did:web:example.com/path",
        "did:web:example.com?x=1",
        "did:web:example.com#key-1",
        "did:web:example.com:a b",
        "did:web:exa_mple.com",
        "did:web:-example.com",
        "did:web:example..com",
        "did:web:example.com.",
        "did:web:ex\u00e4mple.com",
        "did:web:example.com%3a8443",  # only the canonical upper-case %3A
        "did:web:example.com%3A",
        "did:web:example.com%3A0",
        "did:web:example.com%3A08443",
        "did:web:example.com%3A70000",
        "did:web:example.com%3A84%3A43",
        "did:web:127.0.0.1",
        "did:web:2130706433",
        "did:web:0x7f.1",
        "did:web:0177.0.0.1",
        "did:web:%5B%3A%3A1%5D",
        "did:web:example.com\n",
        "did:web:" + "a" * 2100,
    ],
)
def test_invalid_did_is_refused_before_fetching(did: str) -> None:
    fetcher = StaticFetcher({})
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(did, fetcher=fetcher)
    assert excinfo.value.code is Code.DID_RESOLUTION_ERROR
    assert fetcher.count == 0


def test_ip_host_only_when_explicitly_allowed() -> None:
    assert (
        didweb.did_to_url("did:web:127.0.0.1%3A8443", allow_ip_hosts={"127.0.0.1"})
        == "https://127.0.0.1:8443/.well-known/did.json"
    )
    with pytest.raises(ResolutionError, match=r"^DID_RESOLUTION_ERROR: 'did:web:127\.1': host '127\.1' is not a valid"):
        didweb.did_to_url("did:web:127.1", allow_ip_hosts={"127.1"})


def test_resolve_returns_the_document() -> None:
    fetcher = StaticFetcher({URL: _doc()})
    doc = didweb.resolve(DID, fetcher=fetcher)
    assert doc["id"] == DID and doc["assertionMethod"] == [f"{DID}#key-1"]
    assert fetcher.requests == (URL,)


def test_resolve_with_path() -> None:
    did = "did:web:issuer.example.org:bodies:guangdong"
    fetcher = StaticFetcher({"https://issuer.example.org/bodies/guangdong/did.json": _doc(did)})
    assert didweb.resolve(did, fetcher=fetcher)["id"] == did


def test_document_id_must_equal_the_did() -> None:
    fetcher = StaticFetcher({URL: _doc("did:web:attacker.example")})
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=fetcher)
    assert excinfo.value.code is Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"id": "did:web:issuer.example.org", "id": "did:web:issuer.example.org"}',
        b'{"id": "did:web:issuer.example.org", "n": NaN}',
        b'["did:web:issuer.example.org"]',
        b'"did:web:issuer.example.org"',
        b"\xff\xfe{}",
        b"{}",
        b'{"id": null}',
    ],
)
def test_bad_documents_are_resolution_errors(body: bytes) -> None:
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=StaticFetcher({URL: body}))
    assert excinfo.value.code in (Code.DID_RESOLUTION_ERROR, Code.INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID)


def test_parse_errors_are_chained() -> None:
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=StaticFetcher({URL: b'{"a": 1, "a": 2}'}))
    assert excinfo.value.code is Code.DID_RESOLUTION_ERROR
    assert isinstance(excinfo.value.__cause__, SkillcredError)
    assert excinfo.value.__cause__.code is Code.PARSING_ERROR


def test_deep_nesting_is_a_resolution_error() -> None:
    body = b'{"id": "did:web:issuer.example.org", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=StaticFetcher({URL: body}))
    assert isinstance(excinfo.value.__cause__, ResourceLimitError)


def test_size_cap() -> None:
    body = _doc(padding="x" * 5000)
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=StaticFetcher({URL: body}), max_bytes=1000)
    assert isinstance(excinfo.value.__cause__, ResourceLimitError)
    assert didweb.resolve(DID, fetcher=StaticFetcher({URL: body}), max_bytes=len(body))["id"] == DID


@pytest.mark.parametrize(
    ("response", "cause"),
    [
        (FetchResponse(URL, b"", 404), FetchFailed),
        (FetchResponse(URL, b"", 302, {"location": "https://169.254.169.254/"}), SkillcredError),
    ],
)
def test_fetch_failures_are_chained(response: FetchResponse, cause: type[Exception]) -> None:
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=StaticFetcher({URL: response}))
    assert excinfo.value.code is Code.DID_RESOLUTION_ERROR
    assert isinstance(excinfo.value.__cause__, cause)


def test_unserved_url_is_a_resolution_error() -> None:
    fetcher = StaticFetcher({"https://issuer.example.org/did.json": _doc()})
    with pytest.raises(ResolutionError) as excinfo:
        didweb.resolve(DID, fetcher=fetcher)
    assert excinfo.value.__cause__ is not None
    assert getattr(excinfo.value.__cause__, "code", None) is Code.FETCH_NOT_ALLOWED


def test_non_string_did_is_misuse() -> None:
    with pytest.raises(TypeError, match=r"^did: expected str, got NoneType"):
        didweb.did_to_url(None)  # type: ignore[arg-type]
