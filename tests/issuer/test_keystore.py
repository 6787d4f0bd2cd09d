"""Secrets at rest: issuer keys (Argon2id + SecretBox), the issuer profile's DID document, API tokens."""

from __future__ import annotations

import pytest

from issuer.keystore import MINIMAL, KdfLimits, KeyStore
from issuer.profile import IssuerProfile
from issuer.store.registry import Store
from issuer.tokens import SCOPES, TokenRegistry
from tests.issuer.conftest import PASSPHRASE, PROFILE
from tests.support import NOW
from vccore.errors import Code, SkillcredError

# --- keys ------------------------------------------------------------------------------------------


@pytest.fixture
def keystore(store: Store) -> KeyStore:
    return KeyStore(store, limits=MINIMAL)


def test_a_generated_key_is_sealed_and_unlocks_with_the_passphrase(keystore: KeyStore) -> None:
    record = keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    pair = keystore.unlock(PASSPHRASE)
    assert pair.id == record.id == f"{PROFILE.did}#{record.public_multibase}"
    assert pair.public_multibase == record.public_multibase
    assert pair.seed not in record.secret and len(record.secret) == 24 + 16 + 32
    assert (record.kdf_ops, record.kdf_mem) == (MINIMAL.ops, MINIMAL.mem)


def test_a_wrong_passphrase_is_a_key_error(keystore: KeyStore) -> None:
    keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    with pytest.raises(SkillcredError) as info:
        keystore.unlock("wrong")
    assert info.value.code is Code.KEY_ERROR


def test_a_second_active_key_is_a_conflict(keystore: KeyStore) -> None:
    keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    with pytest.raises(SkillcredError) as info:
        keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    assert info.value.code is Code.CONFLICT


def test_rotation_retires_the_old_key_but_keeps_it_published(keystore: KeyStore) -> None:
    old = keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    new = keystore.rotate(PASSPHRASE, now=NOW)
    assert keystore.active().id == new.id
    states = {k.id: (k.state, k.valid_until) for k in keystore.records()}
    assert states[old.id] == ("retired", "2026-11-30T12:00:00Z") and states[new.id] == ("active", None)
    doc = PROFILE.did_document(keystore.records())
    assert [m["id"] for m in doc["verificationMethod"]] == [old.id, new.id]
    assert doc["assertionMethod"] == [old.id, new.id] and doc["authentication"] == [new.id]


def test_a_compromised_key_leaves_the_did_document_and_cannot_unlock(keystore: KeyStore, store: Store) -> None:
    old = keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    new = keystore.rotate(PASSPHRASE, now=NOW)
    with store.write() as tx:
        assert keystore.compromise_in(tx, old.id, now=NOW) == ()
    doc = PROFILE.did_document(keystore.records())
    assert [m["id"] for m in doc["verificationMethod"]] == [new.id]
    with pytest.raises(SkillcredError) as info:
        keystore.unlock(PASSPHRASE, old.id)
    assert info.value.code is Code.KEY_ERROR
    with store.read() as tx:
        assert [e.subject for e in tx.events(kind="key.compromised")] == [old.id]


def test_a_did_key_issuer_cannot_rotate(keystore: KeyStore) -> None:
    record = keystore.generate(PASSPHRASE, controller=None, now=NOW)
    assert record.controller == f"did:key:{record.public_multibase}"
    profile = IssuerProfile.for_did_key(record.public_multibase, base_url="http://127.0.0.1:8080")
    assert profile.did_document(keystore.records())["assertionMethod"] == [record.id]
    with pytest.raises(SkillcredError) as info:
        keystore.rotate(PASSPHRASE, now=NOW)
    assert info.value.code is Code.KEY_ERROR


def test_kdf_limits_outside_libsodiums_range_are_refused() -> None:
    with pytest.raises(ValueError, match="ops"):
        KdfLimits(0, MINIMAL.mem)


# --- the profile -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "path", "did", "url"),
    [
        ("example.cn", (), "did:web:example.cn", "https://example.cn/.well-known/did.json"),
        ("example.cn", ("issuers", "cnc"), "did:web:example.cn:issuers:cnc", "https://example.cn/issuers/cnc/did.json"),
        ("localhost:8443", (), "did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
    ],
)
def test_did_web_names_and_locations(domain: str, path: tuple[str, ...], did: str, url: str) -> None:
    profile = IssuerProfile.for_did_web(domain, path=path)
    assert (profile.did, profile.did_document_url) == (did, url)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"domain": "Example.CN"}, "domain"),
        ({"domain": "example.cn", "path": ("a/b",)}, "path"),
        ({"domain": "example.cn", "base_url": "https://example.cn/"}, "base_url"),
    ],
)
def test_a_bad_profile_names_the_offending_parameter(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        IssuerProfile.for_did_web(**kwargs)  # type: ignore[arg-type]


def test_the_did_document_has_the_multikey_shape(keystore: KeyStore) -> None:
    keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    doc = PROFILE.did_document(keystore.records())
    assert doc["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert doc["id"] == doc["controller"] == PROFILE.did
    assert doc["verificationMethod"][0]["type"] == "Multikey"


# --- API tokens ------------------------------------------------------------------------------------


def test_a_token_is_shown_once_stored_hashed_and_verified(store: Store) -> None:
    tokens = TokenRegistry(store)
    new = tokens.create(["credentials:issue", "credentials:read"], now=NOW)
    assert new.token.startswith(f"sc_{new.id}_")
    with store.read() as tx:
        record = tx.token(new.id)
    assert record is not None and new.token.split("_", 2)[2].encode() not in record.secret_hash
    assert tokens.verify(new.token, scope="credentials:issue").id == new.id


@pytest.mark.parametrize(
    ("mangle", "scope", "code"),
    [
        (lambda t: t, "keys:admin", Code.FORBIDDEN),
        (lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), "credentials:issue", Code.UNAUTHORIZED),
        (lambda t: "sc_0000000000000000_" + t.split("_", 2)[2], "credentials:issue", Code.UNAUTHORIZED),
        (lambda t: t + "x", "credentials:issue", Code.UNAUTHORIZED),
        (lambda t: "", "credentials:issue", Code.UNAUTHORIZED),
    ],
)
def test_wrong_tokens_are_refused(store: Store, mangle: object, scope: str, code: Code) -> None:
    tokens = TokenRegistry(store)
    new = tokens.create(["credentials:issue"], now=NOW)
    assert callable(mangle)
    with pytest.raises(SkillcredError) as info:
        tokens.verify(mangle(new.token), scope=scope)
    assert info.value.code is code


def test_a_revoked_token_is_refused(store: Store) -> None:
    tokens = TokenRegistry(store)
    new = tokens.create(SCOPES, now=NOW)
    assert tokens.revoke(new.id, now=NOW) and not tokens.revoke(new.id, now=NOW)
    with pytest.raises(SkillcredError) as info:
        tokens.verify(new.token, scope="keys:admin")
    assert info.value.code is Code.UNAUTHORIZED


def test_unknown_scopes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="scopes"):
        TokenRegistry(store).create(["everything"], now=NOW)
