"""The wallet store: holder key, imports from file / QR image / issuer URL, and refusals."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.support import CLOCK
from tests.wallet_demo.conftest import SKILL_ID, skill_credential, write_json
from tests.world import HOLDER
from vccore.errors import Code, SkillcredError
from vccore.qr import payload as qr
from vccore.qr.render import render_png
from wallet_demo.store import Wallet, WalletError, default_root


def test_create_writes_a_private_did_key_holder_key(tmp_path: Path) -> None:
    wallet = Wallet.create(tmp_path / "w", clock=CLOCK)
    key_file = tmp_path / "w" / "holder-key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert wallet.holder_did.startswith("did:key:z6Mk")
    assert Wallet.create(tmp_path / "w", clock=CLOCK).holder_did == wallet.holder_did  # idempotent
    assert Wallet(tmp_path / "w", clock=CLOCK).holder_did == wallet.holder_did


def test_opening_refuses_a_missing_wallet_and_a_readable_key(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="init"):
        Wallet(tmp_path / "none", clock=CLOCK)
    Wallet.create(tmp_path / "w", clock=CLOCK)
    os.chmod(tmp_path / "w" / "holder-key.json", 0o644)
    with pytest.raises(WalletError, match="chmod 600"):
        Wallet(tmp_path / "w", clock=CLOCK)


def test_default_root_follows_skillcred_home(tmp_path: Path) -> None:
    assert default_root({"SKILLCRED_HOME": str(tmp_path)}) == tmp_path / "wallet"
    assert default_root({}).name == "wallet"


def test_import_keeps_the_exact_bytes_and_lists_in_order(wallet: Wallet, tmp_path: Path) -> None:
    path = write_json(tmp_path / "cred.json", skill_credential(), indent=4)
    stored = wallet.import_file(path)
    assert stored.raw == path.read_bytes()
    assert (wallet.root / "credentials" / f"{stored.local_id}.json").read_bytes() == path.read_bytes()
    assert [c.local_id for c in wallet.credentials()] == [stored.local_id]
    assert wallet.get(stored.local_id).document["id"] == SKILL_ID
    assert wallet.get(stored.local_id[:5]).local_id == stored.local_id
    assert wallet.get(SKILL_ID).local_id == stored.local_id
    assert wallet.get(f"[{stored.local_id}]").local_id == stored.local_id  # as `wallet list` shows it
    assert wallet.find(SKILL_ID) is not None
    assert wallet.import_file(path).local_id == stored.local_id  # same bytes: a no-op
    assert len(wallet.credentials()) == 1


def test_a_different_document_with_the_same_id_is_a_conflict(wallet: Wallet, tmp_path: Path) -> None:
    wallet.import_file(write_json(tmp_path / "a.json", skill_credential()))
    with pytest.raises(WalletError) as info:
        wallet.import_file(write_json(tmp_path / "b.json", skill_credential(holder=HOLDER.controller + "x")))
    assert info.value.code == Code.CONFLICT


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


def _with(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out.update(changes)
    return out


SIGNED = skill_credential()
REFUSED: list[tuple[str, bytes, str]] = [
    ("not-json", b"hello", "not a JSON credential"),
    ("array", b"[1, 2]", "not an object"),
    ("duplicate-key", b'{"id": 1, "id": 2}', "not a JSON credential"),
    ("nan", b'{"a": NaN}', "not a JSON credential"),
    ("presentation", json.dumps({"type": ["VerifiablePresentation"]}).encode(), "presentation"),
    ("no-vc-type", json.dumps(_with(SIGNED, type=["Thing"])).encode(), "VerifiableCredential"),
    ("unsigned", json.dumps(_without_proof(SIGNED)).encode(), "no proof"),
    (
        "unknown-context",
        json.dumps(
            _with(SIGNED, **{"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"]})
        ).encode(),
        "not a valid credential",
    ),
    ("no-issuer", json.dumps({k: v for k, v in SIGNED.items() if k != "issuer"}).encode(), "not a valid credential"),
    ("too-large", b" " * (600 * 1024), "larger than"),
]


@pytest.mark.parametrize(("raw", "message"), [(r, m) for _, r, m in REFUSED], ids=[n for n, _, _ in REFUSED])
def test_non_credentials_are_refused_and_nothing_is_written(
    wallet: Wallet, tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(raw)
    with pytest.raises(WalletError, match=message):
        wallet.import_file(path)
    assert wallet.credentials() == []
    assert not (wallet.root / "index.json").exists()
    assert list((wallet.root / "credentials").iterdir()) == []


def test_a_missing_file_is_one_clear_error(wallet: Wallet, tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="cannot read"):
        wallet.import_file(tmp_path / "nope.json")


def test_import_from_a_qr_image(wallet: Wallet) -> None:
    png = render_png(qr.encode(SIGNED), box_size=4)
    stored = wallet.import_qr_image(png)
    assert stored.document == SIGNED
    assert stored.source == "qr"


def test_a_qr_image_without_a_credential_is_refused(wallet: Wallet) -> None:
    png = render_png(qr.encode({"type": "SkillcredPresentationRequest"}), box_size=4)
    with pytest.raises(WalletError, match="VerifiableCredential"):
        wallet.import_qr_image(png)
    with pytest.raises(WalletError, match="QR"):
        wallet.import_qr_image(b"\x89PNG\r\n\x1a\n garbage")
    assert wallet.credentials() == []


def test_a_reference_qr_is_fetched_and_its_digest_checked(wallet: Wallet) -> None:
    body = json.dumps(SIGNED).encode()
    payload = qr.encode_reference("https://issuer.example.test/c/1", hashlib.sha256(body).hexdigest())
    with pytest.raises(WalletError) as info:
        wallet.import_payload(payload, fetch=lambda url, token: body + b" ")
    assert info.value.code == Code.CRYPTOGRAPHIC_SECURITY_ERROR
    with pytest.raises(WalletError, match="link"):
        wallet.import_payload(payload)
    assert wallet.import_payload(payload, fetch=lambda url, token: body).raw == body


class StubFetch:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, url: str, token: str | None) -> bytes:
        self.calls.append((url, token))
        return self.body


def test_import_from_an_issuer_url_with_a_bearer_token(wallet: Wallet) -> None:
    fetch = StubFetch(json.dumps(SIGNED).encode())
    stored = wallet.import_url("https://issuer.example.test/credentials/1", token="tok-123", fetch=fetch)
    assert fetch.calls == [("https://issuer.example.test/credentials/1", "tok-123")]
    assert stored.document == SIGNED
    assert stored.source.startswith("url:https://")


def test_an_issuance_envelope_is_unwrapped(wallet: Wallet) -> None:
    fetch = StubFetch(json.dumps({"verifiableCredential": SIGNED}).encode())
    assert wallet.import_url("https://issuer.example.test/c", fetch=fetch).document == SIGNED


@pytest.mark.parametrize(
    ("url", "token", "match"),
    [
        ("http://issuer.example.test/c", "t", r"^FETCH_NOT_ALLOWED: only https:// issuer URLs"),
        ("https://user:pw@issuer.example.test/c", "t", r"^FETCH_NOT_ALLOWED: .*must not carry a user name"),
        ("ftp://issuer.example.test/c", "t", r"^FETCH_NOT_ALLOWED: only https:// issuer URLs"),
        ("https://issuer.example.test/c", "bad token\r\nX-Injected: 1", r"^MALFORMED_VALUE_ERROR: the token must be"),
        ("https://issuer.example.test/c", "", r"^MALFORMED_VALUE_ERROR: the token must be"),
    ],
)
def test_unsafe_urls_and_tokens_are_refused_before_fetching(wallet: Wallet, url: str, token: str, match: str) -> None:
    fetch = StubFetch(b"{}")
    with pytest.raises(SkillcredError, match=match):
        wallet.import_url(url, token=token, fetch=fetch)
    assert fetch.calls == []


def test_a_non_credential_from_the_issuer_is_refused(wallet: Wallet) -> None:
    with pytest.raises(WalletError, match="not a"):
        wallet.import_url("https://issuer.example.test/c", fetch=StubFetch(b"<html>login</html>"))
    assert wallet.credentials() == []


def test_the_real_fetcher_refuses_plain_http_without_a_socket() -> None:
    from wallet_demo.remote import https_fetch

    with pytest.raises(SkillcredError, match="https"):
        https_fetch("http://issuer.example.test/c", "t")
