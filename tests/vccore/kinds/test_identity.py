"""Resident ID validation, the Argon2id identity hash and the clear-ID scanner (vccore.kinds.identity)."""

from __future__ import annotations

import base64
import time
from typing import Any

import nacl.pwhash.argon2id as argon2id
import pytest

from vccore.errors import Code, SkillcredError
from vccore.kinds import identity

#: samples.md P1-P6: fictional, valid check characters
SAMPLE_IDS = [
    "140105198001010003",
    "370202198512129996",
    "230103197803039996",
    "230102198802020001",
    "440115199909090005",
    "210102198706070005",
]
WRONG_CHECK = "230102198802020008"  # samples.md P4 negative variant
FAST: dict[str, Any] = {"opslimit": identity.MIN_OPSLIMIT, "memlimit": identity.MIN_MEMLIMIT}
SALT = bytes(range(16))


def _with_x() -> str:
    """A valid ID number whose check character is X (found, not hard-coded)."""
    for seq in range(1000):
        first17 = f"14010519800101{seq:03d}"
        if identity.check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check character in 1000 sequence codes")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- resident ID numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", SAMPLE_IDS)
def test_sample_ids_are_valid(number: str) -> None:
    assert identity.is_resident_id(number)
    assert identity.normalize_resident_id(number) == number


def test_check_character_follows_iso_7064_mod_11_2() -> None:
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; remainder -> 10X98765432
    assert identity.check_character("14010519800101000") == "3"
    assert identity.check_character("23010219880202000") == "1"


def test_lower_case_x_is_normalized() -> None:
    number = _with_x()
    assert identity.normalize_resident_id(number.lower()) == number


_SHAPE_ZH = "身份证号须为 18 位（地区 6 位、出生日期 8 位、顺序码 3 位、校验码 1 位）"


@pytest.mark.parametrize(
    ("number", "why", "zh"),
    [
        (WRONG_CHECK, "check character '8', expected '1'", "身份证号最后一位校验码不对，请核对号码"),
        (
            "14010519800230000" + identity.check_character("14010519800230000"),
            "impossible birth date",
            "身份证号中的出生日期不存在",
        ),
        ("1401051980010100", "not 18 characters", _SHAPE_ZH),
        ("14010518800101000" + identity.check_character("14010518800101000"), "not 18 characters", _SHAPE_ZH),
        ("14010519800101000 3", "not 18 characters", _SHAPE_ZH),
    ],
)
def test_invalid_ids_are_refused_naming_the_field_and_masking_the_number(number: str, why: str, zh: str) -> None:
    with pytest.raises(SkillcredError) as info:
        identity.normalize_resident_id(number)
    assert info.value.code is Code.MALFORMED_VALUE_ERROR
    assert str(info.value.detail).startswith("idNumber: ")
    assert why in info.value.detail and info.value.zh == zh  # the Chinese sentence a batch row shows first
    assert number not in info.value.detail
    assert not identity.is_resident_id(number)


def test_non_string_id_is_refused() -> None:
    with pytest.raises(SkillcredError) as info:
        identity.normalize_resident_id(140105198001010003)
    assert info.value.code is Code.MALFORMED_VALUE_ERROR


# --- the identity hash -----------------------------------------------------------------------------


def test_hash_round_trip_and_shape() -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    assert set(obj) == {"type", "identityType", "hashValue", "salt", "opsLimit", "memLimit"}
    assert obj["type"] == "Argon2idIdentityHash"
    assert obj["identityType"] == "nationalIdentityNumber"
    assert (obj["opsLimit"], obj["memLimit"]) == (FAST["opslimit"], FAST["memlimit"])
    assert len(obj["hashValue"]) == 43 and "=" not in obj["hashValue"]
    assert len(obj["salt"]) == 22 and "=" not in obj["salt"]
    assert identity.matches(obj, SAMPLE_IDS[0])


@pytest.mark.parametrize("other", [*SAMPLE_IDS[1:], "140105198001010011"])
def test_hash_does_not_match_another_number(other: str) -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    assert identity.matches(obj, other) is False


def test_hash_is_argon2id_of_the_canonical_number() -> None:
    obj = identity.hash_identity(SAMPLE_IDS[1], salt=SALT, **FAST)
    expected = argon2id.kdf(32, SAMPLE_IDS[1].encode(), SALT, opslimit=FAST["opslimit"], memlimit=FAST["memlimit"])
    assert obj["hashValue"] == _b64(expected)
    assert obj["salt"] == _b64(SALT)


def test_salt_is_random_per_hash() -> None:
    first = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    second = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    assert first["salt"] != second["salt"]
    assert first["hashValue"] != second["hashValue"]


def test_lower_case_x_matches_upper_case() -> None:
    number = _with_x()
    obj = identity.hash_identity(number.lower(), **FAST)
    assert identity.matches(obj, number)


def test_defaults_cost_about_a_tenth_of_a_second() -> None:
    started = time.perf_counter()
    obj = identity.hash_identity(SAMPLE_IDS[0])
    elapsed = time.perf_counter() - started
    assert (obj["opsLimit"], obj["memLimit"]) == (3, 64 * 1024 * 1024)
    assert identity.matches(obj, SAMPLE_IDS[0])
    assert 0.01 < elapsed < 5


def test_hash_refuses_a_bad_id_and_a_bad_salt() -> None:
    with pytest.raises(SkillcredError) as info:
        identity.hash_identity(WRONG_CHECK, **FAST)
    assert info.value.code is Code.MALFORMED_VALUE_ERROR
    with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: salt: expected 16 bytes"):
        identity.hash_identity(SAMPLE_IDS[0], salt=b"short", **FAST)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("opsLimit", identity.MAX_OPSLIMIT + 1, Code.RESOURCE_LIMIT_EXCEEDED),
        ("memLimit", identity.MAX_MEMLIMIT + 1, Code.RESOURCE_LIMIT_EXCEEDED),
        ("memLimit", 4 * 1024**3, Code.RESOURCE_LIMIT_EXCEEDED),
        ("opsLimit", 0, Code.RANGE_ERROR),
        ("memLimit", 1024, Code.RANGE_ERROR),
        ("opsLimit", True, Code.MALFORMED_VALUE_ERROR),
        ("memLimit", "67108864", Code.MALFORMED_VALUE_ERROR),
    ],
)
def test_matches_refuses_parameters_out_of_bounds_before_hashing(
    field: str, value: Any, code: Code, monkeypatch: pytest.MonkeyPatch
) -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST) | {field: value}

    def no_kdf(*args: Any) -> bytes:
        raise AssertionError("hashed before checking the parameters")

    monkeypatch.setattr(identity, "_kdf", no_kdf)
    with pytest.raises(SkillcredError) as info:
        identity.matches(obj, SAMPLE_IDS[0])
    assert info.value.code is code
    assert field in info.value.detail


@pytest.mark.parametrize(("opslimit", "memlimit"), [(11, identity.MIN_MEMLIMIT), (1, 512 * 1024 * 1024)])
def test_hash_identity_refuses_what_matches_would_refuse(opslimit: int, memlimit: int) -> None:
    with pytest.raises(SkillcredError) as info:
        identity.hash_identity(SAMPLE_IDS[0], opslimit=opslimit, memlimit=memlimit)
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED


@pytest.mark.parametrize(
    "change",
    [
        {"hashValue": "AAAA"},
        {"hashValue": _b64(bytes(32)) + "="},
        {"hashValue": "u" + _b64(bytes(32))},
        {"salt": _b64(bytes(15))},
        {"salt": 12345},
        {"type": "Sha256IdentityHash"},
        {"identityType": "CN-RIC"},
        {"extra": 1},
    ],
)
def test_matches_refuses_malformed_objects(change: dict[str, Any]) -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST) | change
    with pytest.raises(SkillcredError) as info:
        identity.matches(obj, SAMPLE_IDS[0])
    assert info.value.code is Code.MALFORMED_VALUE_ERROR


def test_matches_refuses_non_canonical_base64url() -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    last = obj["salt"][-1]
    # the last of 22 characters carries 4 unused bits; flipping one keeps the bytes, not the text
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: identityHash\.salt: expected 16 bytes in"):
        identity.matches(obj | {"salt": obj["salt"][:-1] + twin}, SAMPLE_IDS[0])


def test_matches_refuses_a_missing_key_and_a_non_mapping() -> None:
    obj = identity.hash_identity(SAMPLE_IDS[0], **FAST)
    del obj["salt"]
    with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: identityHash: expected keys \['hashValue',"):
        identity.matches(obj, SAMPLE_IDS[0])
    with pytest.raises(SkillcredError, match=r"^MALFORMED_VALUE_ERROR: identityHash: expected an object"):
        identity.matches("not an object", SAMPLE_IDS[0])  # type: ignore[arg-type]


# --- clear ID numbers in JSON trees ----------------------------------------------------------------


@pytest.mark.parametrize(
    "tree",
    [
        {"credentialSubject": {"evidence": [{"note": "身份证 140105198001010003 已核验"}]}},
        ["a", ["b", ["c", {"d": "T370202198512129996"}]]],
        {"jobType": "１４０１０５１９８００１０１０００３"},
        {"jobType": "140105 19800101 0003"},
        {"jobType": "140105-19800101-0003"},
        {"140105198001010003": "as a key"},
        {"n": 140105198001010003},
        {"x": _with_x().lower()},
    ],
)
def test_contains_clear_id_finds_nested_numbers(tree: Any) -> None:
    assert identity.contains_clear_id(tree)


@pytest.mark.parametrize(
    "tree",
    [
        {"id": WRONG_CHECK},
        {"certificateNumber": "Y000014000031232000158"},
        {"certificateNumber": "1523012020300123"},
        {"certificateNumber": "AB12345678901234567890"},
        {"digits": "1" + SAMPLE_IDS[0]},
        {"digits": SAMPLE_IDS[0] + "7"},
        {"occupationCode": "6-18-01-01", "date": "2023-06-30"},
        {"flag": True, "none": None, "float": 1.5},
    ],
)
def test_contains_clear_id_ignores_other_numbers(tree: Any) -> None:
    assert not identity.contains_clear_id(tree)


def test_clear_id_pointers_name_the_place_without_leaking_keys() -> None:
    tree = {"a": [{"b": "x 140105198001010003"}], "140105198001010003": 1}
    pointers = identity.clear_id_pointers(tree)
    assert "/a/0/b" in pointers
    assert all("140105198001010003" not in p for p in pointers)
    assert len(pointers) == 2


def test_scanning_is_bounded() -> None:
    with pytest.raises(SkillcredError) as info:
        identity.clear_id_pointers(list(range(50)), max_nodes=10)
    assert info.value.code is Code.RESOURCE_LIMIT_EXCEEDED
