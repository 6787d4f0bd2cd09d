from __future__ import annotations

import json

import pytest

from tests.support import VECTORS
from vccore import multibase
from vccore.did import key as didkey
from vccore.errors import Code, KeyProblem, ResolutionError
from vccore.keys import KeyPair, PublicKey, decode_public_multibase

DIDKEY = json.loads((VECTORS / "did-key" / "ed25519-x25519.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("did", sorted(DIDKEY))
def test_seed_gives_the_published_did_key(did: str) -> None:
    entry = DIDKEY[did]
    pair = KeyPair.from_seed(bytes.fromhex(entry["seed"]))
    assert didkey.did_for(pair.public_multibase) == did


@pytest.mark.parametrize("did", sorted(DIDKEY))
def test_derived_x25519_key_matches_the_vector(did: str) -> None:
    expected = DIDKEY[did]["keyAgreementKeyPair"]["id"].split("#")[-1]
    assert didkey.x25519_multibase(did[len("did:key:") :]) == expected


def test_multikey_round_trips_through_secret_and_public_multibase() -> None:
    pair = KeyPair.generate()
    again = KeyPair.from_secret_multibase(pair.secret_multibase)
    assert again.public_multibase == pair.public_multibase
    assert PublicKey.from_multibase(pair.public_multibase).raw == pair.public_raw


def test_vector_key_pair_encodings_agree() -> None:
    kp = json.loads((VECTORS / "vc-di-eddsa" / "keyPair.json").read_text(encoding="utf-8"))
    pair = KeyPair.from_json(kp)
    assert pair.public_multibase == kp["publicKeyMultibase"]
    assert pair.secret_multibase == kp["privateKeyMultibase"]


def test_signature_verifies_and_a_flipped_bit_does_not() -> None:
    pair = KeyPair.generate()
    sig = pair.sign(b"data")
    assert pair.public.verify(b"data", sig)
    bad = bytes([sig[0] ^ 1]) + sig[1:]
    assert not pair.public.verify(b"data", bad)
    assert not pair.public.verify(b"data", sig[:63])


@pytest.mark.parametrize(
    "value",
    [
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",  # one character short
        "u7QEyzQ",  # not base58btc
        "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW",  # an X25519 key, wrong header
        "z0OIl",  # invalid base58 characters
    ],
)
def test_public_key_header_and_length_are_checked_exactly(value: str) -> None:
    with pytest.raises(KeyProblem) as err:
        decode_public_multibase(value)
    assert err.value.code == Code.INVALID_VERIFICATION_METHOD


@pytest.mark.parametrize(("seed", "message"), [(b"\0" * 31, "seed"), (b"\0" * 33, "seed")])
def test_seed_length_is_validated_with_the_parameter_named(seed: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyPair.from_seed(seed)


def test_key_file_with_mismatched_public_key_is_refused() -> None:
    a, b = KeyPair.generate(), KeyPair.generate()
    doc = a.to_json()
    doc["publicKeyMultibase"] = b.public_multibase
    with pytest.raises(KeyProblem, match=r"^KEY_ERROR: publicKeyMultibase does not belong to secretKeyMultibase"):
        KeyPair.from_json(doc)


def test_did_key_document_lists_the_key_under_every_relationship() -> None:
    pair = didkey.did_key_pair(KeyPair.from_seed(b"\x01" * 32))
    doc = didkey.resolve(pair.controller)
    assert doc["assertionMethod"] == [pair.id]
    assert doc["authentication"] == [pair.id]
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == pair.public_multibase


@pytest.mark.parametrize(
    ("did", "match"),
    [
        ("did:key:", r"^INVALID_VERIFICATION_METHOD: .*must be base58btc"),
        ("did:key:zzzz", r"^INVALID_VERIFICATION_METHOD: .*is not an Ed25519 key"),
        ("did:key:z6Mk#frag", r"^DID_RESOLUTION_ERROR: a DID has no fragment, path or query"),
        ("did:web:example.com", r"^DID_RESOLUTION_ERROR: not a did:key"),
    ],
)
def test_malformed_did_key_is_refused(did: str, match: str) -> None:
    with pytest.raises(ResolutionError, match=match):
        didkey.resolve(did)


def test_keypair_repr_does_not_show_the_seed() -> None:
    pair = KeyPair.from_seed(b"\x07" * 32)
    assert "07070707" not in repr(pair)


@pytest.mark.parametrize("size", [0, 1, 32, 64, 94, 95, 96, 200, 1000])
def test_base58_round_trips_on_both_sides_of_the_short_path(size: int) -> None:
    """Up to 128 characters (keys, signatures) the digits are summed one by one, beyond in chunks of ten."""
    for data in (bytes(size), bytes(range(256)) * (size // 256) + bytes(range(size % 256)), b"\xff" * size):
        text = multibase.b58encode(data)
        assert multibase.b58decode(text) == data
