"""Bitstring Status List v1.0: encoding, hostile decoding, strict indexes, the status check."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import VECTORS
from vccore.errors import Code, SkillcredError
from vccore.status.bitstring import MIN_LENGTH, StatusList, decode, parse_index
from vccore.status.check import check_status
from vccore.status.entry import status_entry, status_list_credential

STATUS_VECTORS = VECTORS / "vc-bitstring-status-list"
#: the instant the status lists here are published and checked at (the expected values below are written
#: for it, e.g. a validFrom ten minutes later)
LIST_TIME = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
LIST_URL = "https://status.example.org/lists/7"


def _vector(name: str) -> dict[str, Any]:
    path = next(STATUS_VECTORS.glob(f"{name}-*.json"))
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _u(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _code(excinfo: pytest.ExceptionInfo[SkillcredError]) -> Code:
    return excinfo.value.code


# --- spec vectors ------------------------------------------------------------------------------


def test_rec_ex3_encoded_list_is_131072_zero_bits() -> None:
    cred = _vector("rec-ex3")
    bits = decode(cred["credentialSubject"]["encodedList"])
    assert bits.length == 131_072
    assert bits.bits == bytes(16 * 1024)
    assert bits.set_indexes() == ()


def test_rec_ex1_entries_parse() -> None:
    entries = _vector("rec-ex1")["credentialStatus"]
    parsed = [(e["statusPurpose"], parse_index(e["statusListIndex"], length=MIN_LENGTH)) for e in entries]
    assert parsed == [("revocation", 94567), ("suspension", 23452)]
    for entry in entries:
        assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"


def test_rec_ex1_revocation_entry_checks_against_rec_ex3_list() -> None:
    entry = _vector("rec-ex1")["credentialStatus"][0]
    result = check_status(entry, _vector("rec-ex3"), now=LIST_TIME)
    assert result.completed and result.bit == 0 and result.index == 94567
    assert result.to_check().passed and result.to_check().name == "status.revocation"


def test_signed_vector_list_decodes_like_unsigned() -> None:
    signed = _vector("rec-exA2")["credentialSubject"]["encodedList"]
    assert decode(signed) == StatusList.empty()


# --- the value ---------------------------------------------------------------------------------


def test_index_zero_is_most_significant_bit_of_first_byte() -> None:
    bits = StatusList.empty().set(0)
    assert bits.bits[0] == 0x80 and bits.get(0) == 1 and bits.get(1) == 0
    assert bits.set_indexes() == (0,)


def test_last_index_is_least_significant_bit_of_last_byte() -> None:
    last = MIN_LENGTH - 1
    bits = StatusList.empty().set(last)
    assert bits.bits[-1] == 0x01 and bits.get(last) == 1


def test_set_returns_new_value_and_leaves_original() -> None:
    empty = StatusList.empty()
    revoked = empty.set(5)
    assert empty.get(5) == 0 and revoked.get(5) == 1
    assert revoked.set(5, 0) == empty


def test_encode_decode_round_trip_and_is_deterministic() -> None:
    bits = StatusList.empty().set_many([0, 7, 8, 94567, MIN_LENGTH - 1])
    encoded = bits.encode()
    assert encoded.startswith("u") and "=" not in encoded
    assert encoded == bits.encode()
    assert decode(encoded) == bits
    assert decode(encoded).set_indexes() == (0, 7, 8, 94567, MIN_LENGTH - 1)


@given(st.sets(st.integers(min_value=0, max_value=MIN_LENGTH - 1), max_size=30))
def test_set_get_round_trip(indexes: set[int]) -> None:
    bits = StatusList.empty().set_many(indexes)
    assert set(bits.set_indexes()) == indexes
    assert all(bits.get(i) == 1 for i in indexes)


@pytest.mark.parametrize("length", [0, 7, 131_073, 8])
def test_empty_refuses_bad_lengths(length: int) -> None:
    with pytest.raises(ValueError, match="length"):
        StatusList.empty(length)


def test_empty_allows_a_smaller_list_when_asked() -> None:
    assert StatusList.empty(64, min_length=8).length == 64


@pytest.mark.parametrize("index", [-1, MIN_LENGTH])
def test_get_set_refuse_outside_indexes(index: int) -> None:
    with pytest.raises(ValueError, match="index"):
        StatusList.empty().get(index)
    with pytest.raises(ValueError, match="index"):
        StatusList.empty().set(index)


# --- hostile encodings -------------------------------------------------------------------------

ZEROS = bytes(MIN_LENGTH // 8)
GOOD_RAW = _gzip(ZEROS)


@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        pytest.param(_u(GOOD_RAW)[1:], Code.PARSING_ERROR, id="missing-u"),
        pytest.param("z" + _u(GOOD_RAW)[1:], Code.PARSING_ERROR, id="other-multibase"),
        pytest.param("u", Code.PARSING_ERROR, id="empty"),
        pytest.param("u" + base64.b64encode(GOOD_RAW).decode() + "+/", Code.PARSING_ERROR, id="std-alphabet"),
        pytest.param(_u(GOOD_RAW) + "=" * 2, Code.PARSING_ERROR, id="padding"),
        pytest.param(_u(GOOD_RAW) + "A", Code.PARSING_ERROR, id="bad-length"),
        pytest.param(_u(GOOD_RAW)[:10] + " " + _u(GOOD_RAW)[10:], Code.PARSING_ERROR, id="space"),
        pytest.param("uQR", Code.PARSING_ERROR, id="non-canonical-trailing-bits"),
        pytest.param(_u(b"not gzip at all"), Code.PARSING_ERROR, id="not-gzip"),
        pytest.param(_u(zlib.compress(ZEROS)), Code.PARSING_ERROR, id="zlib-not-gzip"),
        pytest.param(_u(GOOD_RAW[:-9]), Code.PARSING_ERROR, id="truncated"),
        pytest.param(_u(GOOD_RAW[:12]), Code.PARSING_ERROR, id="truncated-header"),
        pytest.param(_u(GOOD_RAW + b"\x00"), Code.PARSING_ERROR, id="trailing-byte"),
        pytest.param(_u(GOOD_RAW + GOOD_RAW), Code.PARSING_ERROR, id="second-member"),
        pytest.param(_u(_gzip(bytes(16 * 1024 * 1024 + 1))), Code.RESOURCE_LIMIT_EXCEEDED, id="gzip-bomb"),
        pytest.param(_u(_gzip(bytes(1024))), Code.STATUS_LIST_LENGTH_ERROR, id="too-short"),
        pytest.param(_u(_gzip(b"")), Code.STATUS_LIST_LENGTH_ERROR, id="empty-bitstring"),
    ],
)
def test_decode_refuses_hostile_input(encoded: str, code: Code) -> None:
    with pytest.raises(SkillcredError) as excinfo:
        decode(encoded)
    assert _code(excinfo) is code


def test_small_bomb_is_stopped_at_a_custom_cap() -> None:
    bomb = _u(_gzip(bytes(10 * 1024 * 1024)))
    assert len(bomb) < 20_000
    with pytest.raises(SkillcredError) as excinfo:
        decode(bomb, max_inflated=MIN_LENGTH // 8)
    assert _code(excinfo) is Code.RESOURCE_LIMIT_EXCEEDED


def test_list_exactly_at_the_cap_decodes() -> None:
    assert decode(_u(GOOD_RAW), max_inflated=len(ZEROS)).length == MIN_LENGTH


def test_compressed_cap_is_checked_before_decoding() -> None:
    with pytest.raises(SkillcredError) as excinfo:
        decode("u" + "A" * 5000, max_compressed=1000)
    assert _code(excinfo) is Code.RESOURCE_LIMIT_EXCEEDED


def test_decode_with_lower_minimum() -> None:
    assert decode(_u(_gzip(bytes(2))), min_length=16).length == 16


# --- strict indexes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-1", Code.MALFORMED_VALUE_ERROR),
        ("+1", Code.MALFORMED_VALUE_ERROR),
        (" 1", Code.MALFORMED_VALUE_ERROR),
        ("1 ", Code.MALFORMED_VALUE_ERROR),
        ("1e3", Code.MALFORMED_VALUE_ERROR),
        ("0x10", Code.MALFORMED_VALUE_ERROR),
        ("1.0", Code.MALFORMED_VALUE_ERROR),
        ("", Code.MALFORMED_VALUE_ERROR),
        ("01", Code.MALFORMED_VALUE_ERROR),
        ("1_000", Code.MALFORMED_VALUE_ERROR),
        ("١٢", Code.MALFORMED_VALUE_ERROR),  # Arabic-Indic digits pass str.isdigit()
        ("1\n", Code.MALFORMED_VALUE_ERROR),
        (1.0, Code.MALFORMED_VALUE_ERROR),
        (True, Code.MALFORMED_VALUE_ERROR),
        (None, Code.MALFORMED_VALUE_ERROR),
        ("131072", Code.RANGE_ERROR),
        ("9" * 5000, Code.RANGE_ERROR),
        (-1, Code.RANGE_ERROR),
        (MIN_LENGTH, Code.RANGE_ERROR),
    ],
)
def test_parse_index_refuses(value: Any, code: Code) -> None:
    with pytest.raises(SkillcredError) as excinfo:
        parse_index(value, length=MIN_LENGTH)
    assert _code(excinfo) is code


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("131071", 131_071), (42, 42)])
def test_parse_index_accepts(value: str | int, expected: int) -> None:
    assert parse_index(value, length=MIN_LENGTH) == expected


# --- builders ----------------------------------------------------------------------------------


def test_status_entry_has_the_spec_shape() -> None:
    entry = status_entry(LIST_URL, 94567, purpose="suspension")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"index": -1, "purpose": "revocation"}, r"^index: expected a non-negative int"),
        ({"index": 5, "purpose": "message"}, r"^purpose: expected one of \('revocation', 'suspension'\)"),
        ({"index": MIN_LENGTH, "purpose": "revocation", "length": MIN_LENGTH}, r"^index: \d+ is outside a list"),
    ],
)
def test_status_entry_refuses_misuse(kwargs: dict[str, Any], match: str) -> None:
    index = kwargs.pop("index")
    with pytest.raises(ValueError, match=match):
        status_entry(LIST_URL, index, **kwargs)


def _list_credential(
    bits: StatusList | None = None,
    *,
    purpose: str = "revocation",
    now: datetime = LIST_TIME,
    ttl: timedelta = timedelta(hours=1),
) -> dict[str, Any]:
    return status_list_credential(
        LIST_URL,
        bits or StatusList.empty(),
        issuer="did:web:issuer.example",
        purpose=purpose,  # type: ignore[arg-type]
        now=now,
        ttl=ttl,
    )


def test_status_list_credential_has_the_spec_shape() -> None:
    cred = _list_credential(StatusList.empty().set(3), now=LIST_TIME.replace(microsecond=123))
    assert cred["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert cred["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert cred["id"] == LIST_URL
    assert cred["validFrom"] == "2025-06-01T12:00:00Z" and cred["validUntil"] == "2025-06-01T13:00:00Z"
    subject = cred["credentialSubject"]
    assert subject["id"] == f"{LIST_URL}#list" and subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    assert decode(subject["encodedList"]).set_indexes() == (3,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"now": datetime(2025, 6, 1)}, r"^now must be a timezone-aware datetime"),  # naive
        ({"ttl": timedelta(0)}, r"^ttl: expected a positive timedelta"),
        ({"purpose": "refresh"}, r"^purpose: expected one of"),
    ],
)
def test_status_list_credential_refuses_misuse(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _list_credential(**kwargs)


# --- check_status ------------------------------------------------------------------------------

ENTRY = status_entry(LIST_URL, 1234, purpose="revocation")


def test_check_status_reports_a_clear_bit() -> None:
    result = check_status(ENTRY, _list_credential(), now=LIST_TIME)
    assert result.completed and result.bit == 0 and not result.is_set
    assert result.valid_until == LIST_TIME + timedelta(hours=1)
    check = result.to_check()
    assert check.passed and check.info["statusListIndex"] == 1234


@pytest.mark.parametrize(("purpose", "code"), [("revocation", Code.REVOKED), ("suspension", Code.SUSPENDED)])
def test_check_status_reports_a_set_bit(purpose: str, code: Code) -> None:
    entry = status_entry(LIST_URL, 1234, purpose=purpose)  # type: ignore[arg-type]
    cred = _list_credential(StatusList.empty().set(1234), purpose=purpose)
    result = check_status(entry, cred, now=LIST_TIME)
    assert result.completed and result.bit == 1 and result.is_set
    check = result.to_check()
    assert not check.passed and check.name == f"status.{purpose}"
    assert [p.code for p in check.problems] == [code]


def test_check_status_accepts_a_list_with_several_purposes() -> None:
    cred = _list_credential()
    cred["credentialSubject"]["statusPurpose"] = ["suspension", "revocation"]
    assert check_status(ENTRY, cred, now=LIST_TIME).completed


def test_check_status_does_not_mutate_inputs() -> None:
    entry, cred = copy.deepcopy(ENTRY), _list_credential()
    before = copy.deepcopy(cred)
    check_status(entry, cred, now=LIST_TIME)
    assert entry == ENTRY and cred == before


def _edit(target: str, path: tuple[str, ...], value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    entry, cred = copy.deepcopy(ENTRY), _list_credential()
    node = entry if target == "entry" else cred
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return entry, cred


_DELETE = object()


@pytest.mark.parametrize(
    ("target", "path", "value", "code"),
    [
        ("entry", ("type",), "StatusList2021Entry", Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusPurpose",), "message", Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusListCredential",), _DELETE, Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusSize",), 2, Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusListIndex",), 1234, Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusListIndex",), "-1", Code.MALFORMED_VALUE_ERROR),
        ("entry", ("statusListIndex",), "131072", Code.RANGE_ERROR),
        ("entry", ("statusPurpose",), "suspension", Code.STATUS_VERIFICATION_ERROR),
        ("entry", ("statusListCredential",), LIST_URL + "x", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("type",), ["VerifiableCredential"], Code.STATUS_VERIFICATION_ERROR),
        ("list", ("type",), "BitstringStatusListCredential", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("credentialSubject", "type"), "StatusList2021", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("credentialSubject", "statusPurpose"), "suspension", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("credentialSubject",), [], Code.STATUS_VERIFICATION_ERROR),
        ("list", ("validUntil",), "2025-06-01T11:00:00Z", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("validFrom",), "2025-06-01T12:10:00Z", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("validUntil",), "2025-06-01T13:00:00", Code.STATUS_VERIFICATION_ERROR),
        ("list", ("credentialSubject", "encodedList"), 5, Code.PARSING_ERROR),
        ("list", ("credentialSubject", "encodedList"), "xyz", Code.PARSING_ERROR),
        ("list", ("credentialSubject", "encodedList"), _u(_gzip(bytes(100))), Code.STATUS_LIST_LENGTH_ERROR),
        (
            "list",
            ("credentialSubject", "encodedList"),
            _u(_gzip(bytes(17 * 1024 * 1024))),
            Code.RESOURCE_LIMIT_EXCEEDED,
        ),
    ],
)
def test_check_status_fails_closed(target: str, path: tuple[str, ...], value: Any, code: Code) -> None:
    entry, cred = _edit(target, path, value)
    result = check_status(entry, cred, now=LIST_TIME)
    assert result.bit is None and not result.completed
    assert [p.code for p in result.problems] == [code]
    check = result.to_check()
    assert not check.passed and [p.code for p in check.problems] == [code]


def test_stale_list_within_clock_skew_still_passes() -> None:
    cred = _list_credential(now=LIST_TIME - timedelta(hours=1))  # validUntil == LIST_TIME
    assert check_status(ENTRY, cred, now=LIST_TIME + timedelta(seconds=299)).completed
    late = check_status(ENTRY, cred, now=LIST_TIME + timedelta(seconds=301))
    assert [p.code for p in late.problems] == [Code.STATUS_VERIFICATION_ERROR]
    assert late.problems[0].pointer == "/validUntil"


def test_list_without_valid_until_is_accepted() -> None:
    cred = _list_credential()
    del cred["validUntil"]
    result = check_status(ENTRY, cred, now=LIST_TIME + timedelta(days=365))
    assert result.completed and result.valid_until is None


@pytest.mark.parametrize("entry", [None, [], "entry"])
def test_check_status_never_raises_on_garbage_entries(entry: Any) -> None:
    result = check_status(entry, _list_credential(), now=LIST_TIME)
    assert [p.code for p in result.problems] == [Code.MALFORMED_VALUE_ERROR]


@pytest.mark.parametrize("cred", [None, [], "cred"])
def test_check_status_never_raises_on_garbage_lists(cred: Any) -> None:
    result = check_status(ENTRY, cred, now=LIST_TIME)
    assert [p.code for p in result.problems] == [Code.STATUS_VERIFICATION_ERROR]


def test_check_status_requires_aware_now() -> None:
    with pytest.raises(ValueError, match=r"^now must be a timezone-aware datetime, got datetime\.datetime\(2025, 6,"):
        check_status(ENTRY, _list_credential(), now=datetime(2025, 6, 1))


@pytest.mark.parametrize(
    "url",
    [
        "",
        " ",
        f" {LIST_URL}",
        f"{LIST_URL}\n",
        "https://issuer.example/st atus/1",
        "https://issuer.example/status/1\u3000",
        f"{LIST_URL}#frag",
        42,
        None,
    ],
)
def test_status_entry_refuses_a_list_url_that_is_empty_spaced_or_has_a_fragment(url: object) -> None:
    with pytest.raises(ValueError, match="list_url"):
        status_entry(url, 1, purpose="revocation")  # type: ignore[arg-type]
