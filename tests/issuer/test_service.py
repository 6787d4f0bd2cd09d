"""IssuerService on both backends: issuance, idempotency, self-checks, status, status lists, keys,
concurrency across processes and crashes at every step."""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from issuer.service import IssuerService
from issuer.store.registry import Store
from tests.issuer.conftest import (
    PROFILE,
    Target,
    build_service,
    crash_worker,
    decode_json,
    issue_worker,
    revoke_worker,
    small_credential,
    verifying_loader,
)
from tests.support import NOW
from vccore.clock import SettableClock
from vccore.credentials import verify_issued
from vccore.di.proofs import verify_proofs
from vccore.errors import Code, SkillcredError
from vccore.kinds.identity import check_character
from vccore.status.bitstring import decode

SPAWN = multiprocessing.get_context("spawn")


def _counts(store: Store) -> tuple[int, int, int]:
    """Records, credential events and status allocations (key events of the fixture aside)."""
    with store.read() as tx:
        events = [e for e in tx.events() if e.kind.startswith("credential.")]
        return tx.count("credentials"), len(events), tx.count("status_allocations")


# --- issuance ------------------------------------------------------------------------------------


def test_an_issued_credential_verifies_and_is_recorded_byte_for_byte(service: IssuerService, store: Store) -> None:
    issued = service.issue(small_credential())
    doc = issued.json()
    assert doc["issuer"]["id"] == PROFILE.did
    assert doc["id"].startswith("urn:uuid:") and doc["validFrom"] == "2026-11-30T12:00:00Z"
    assert [e["statusPurpose"] for e in doc["credentialStatus"]] == ["revocation", "suspension"]
    assert doc["credentialStatus"][0]["statusListIndex"] == str(issued.revocation.index)
    assert verify_issued(doc, loader=verifying_loader(service), now=NOW).verified
    assert service.get(issued.id) == issued.document
    with store.read() as tx:
        events = tx.events(subject=issued.id)
    assert [e.kind for e in events] == ["credential.issued"]


def test_the_issuer_name_given_as_an_object_is_kept(service: IssuerService) -> None:
    cred = dict(small_credential(), issuer={"id": PROFILE.did, "name": "评价机构"})
    assert service.issue(cred).json()["issuer"] == {"id": PROFILE.did, "name": "评价机构"}


@pytest.mark.parametrize(
    "change",
    [
        {"issuer": "did:web:someone-else.example"},
        {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        {"proof": {"type": "DataIntegrityProof"}},
    ],
)
def test_fields_the_issuer_owns_are_refused(service: IssuerService, store: Store, change: dict[str, Any]) -> None:
    with pytest.raises(SkillcredError) as info:
        service.issue(dict(small_credential(), **change))
    assert info.value.code is Code.MALFORMED_VALUE_ERROR
    assert _counts(store) == (0, 0, 0)


def test_an_undefined_term_is_data_loss_and_consumes_nothing(service: IssuerService, store: Store) -> None:
    cred = small_credential()
    cred["credentialSubject"]["undefinedTerm"] = "x"
    with pytest.raises(SkillcredError) as info:
        service.issue(cred)
    assert info.value.code is Code.DATA_LOSS_DETECTION_ERROR
    assert _counts(store) == (0, 0, 0)


def test_a_clear_id_number_is_personal_data_and_consumes_nothing(service: IssuerService, store: Store) -> None:
    first17 = "11010519491231002"
    cred = small_credential()
    cred["credentialSubject"]["name"] = f"证件号 {first17}{check_character(first17)}"
    with pytest.raises(SkillcredError) as info:
        service.issue(cred)
    assert info.value.code is Code.PERSONAL_DATA_ERROR
    assert _counts(store) == (0, 0, 0)


def test_a_credential_that_fails_the_data_model_is_refused(service: IssuerService, store: Store) -> None:
    with pytest.raises(SkillcredError) as info:
        service.issue(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["Other"],
                "credentialSubject": {"id": "did:example:1"},
            }
        )
    assert info.value.code is Code.MALFORMED_VALUE_ERROR
    assert _counts(store) == (0, 0, 0)


def test_the_same_idempotency_key_returns_identical_bytes(service: IssuerService, store: Store) -> None:
    first = service.issue(small_credential(), idempotency_key="req-1")
    again = service.issue(small_credential(), idempotency_key="req-1")
    assert again.document == first.document and again.replayed and not first.replayed
    with pytest.raises(SkillcredError) as info:
        service.issue(small_credential(2), idempotency_key="req-1")
    assert info.value.code is Code.CONFLICT
    assert _counts(store)[0] == 1


def test_lists_roll_over_when_full(store: Store) -> None:
    service = build_service(store, status_list_length=16)
    refs = [service.issue(small_credential(i)).revocation for i in range(20)]
    assert len(set(refs)) == 20
    assert {r.list_id for r in refs} == {"revocation-1", "revocation-2"}


def test_unknown_ids_are_not_found(service: IssuerService) -> None:
    for call in (service.get, service.revoke, service.suspend, service.status_list_credential):
        with pytest.raises(SkillcredError) as info:
            call("urn:uuid:00000000-0000-0000-0000-000000000000")
        assert info.value.code is Code.NOT_FOUND


# --- status --------------------------------------------------------------------------------------


def test_revocation_is_final(service: IssuerService, store: Store) -> None:
    issued = service.issue(small_credential())
    assert service.suspend(issued.id).changed and service.status(issued.id).suspended
    assert service.unsuspend(issued.id).changed and not service.status(issued.id).suspended
    assert service.revoke(issued.id).changed
    assert not service.revoke(issued.id).changed
    for call in (service.unrevoke, service.unsuspend, service.suspend):
        with pytest.raises(SkillcredError) as info:
            call(issued.id)
        assert info.value.code is Code.CONFLICT
    assert service.status(issued.id).revoked
    with store.read() as tx:
        kinds = [e.kind for e in tx.events(subject=issued.id)]
    assert kinds == ["credential.issued", "credential.suspended", "credential.unsuspended", "credential.revoked"]


def test_the_status_list_credential_verifies_reflects_bits_and_is_cached(store: Store) -> None:
    clock = SettableClock(NOW)
    service = build_service(store, clock=clock, status_ttl=timedelta(minutes=30))
    revoked, suspended, fine = (service.issue(small_credential(i)) for i in range(3))
    service.revoke(revoked.id)
    service.suspend(suspended.id)
    loader = verifying_loader(service)
    for ref, purpose in ((revoked.revocation, "revocation"), (suspended.suspension, "suspension")):
        data = service.status_list_credential(ref.list_id)
        doc = decode_json(data)
        assert verify_proofs(doc, loader=loader, now=NOW).passed
        assert doc["credentialSubject"]["statusPurpose"] == purpose
        assert (doc["validFrom"], doc["validUntil"]) == ("2026-11-30T12:00:00Z", "2026-11-30T12:30:00Z")
        bits = decode(doc["credentialSubject"]["encodedList"])
        assert bits.set_indexes() == (ref.index,)
        assert bits.get((fine.revocation if purpose == "revocation" else fine.suspension).index) == 0
        assert service.status_list_credential(ref.list_id) == data  # cached
    list_id = revoked.revocation.list_id
    cached = service.status_list_credential(list_id)
    clock.now = NOW + timedelta(minutes=14)
    assert service.status_list_credential(list_id) == cached  # more than half the TTL left
    clock.now = NOW + timedelta(minutes=16)
    fresher = decode_json(service.status_list_credential(list_id))
    assert fresher["validFrom"] == "2026-11-30T12:16:00Z"
    service.revoke(fine.id)
    changed = decode_json(service.status_list_credential(list_id))
    assert set(decode(changed["credentialSubject"]["encodedList"]).set_indexes()) == {
        revoked.revocation.index,
        fine.revocation.index,
    }


# --- keys ----------------------------------------------------------------------------------------


def test_rotation_keeps_old_credentials_verifiable(service: IssuerService) -> None:
    old = service.issue(small_credential(1))
    new_key = service.rotate_key()
    new = service.issue(small_credential(2))
    assert new.key_id == new_key.id != old.key_id
    loader = verifying_loader(service)
    assert verify_issued(old.json(), loader=loader, now=NOW).verified
    assert verify_issued(new.json(), loader=loader, now=NOW).verified
    doc = service.did_document()
    assert doc["assertionMethod"] == [old.key_id, new.key_id] and doc["authentication"] == [new.key_id]


def test_compromise_revokes_everything_the_key_signed(service: IssuerService, store: Store) -> None:
    old = [service.issue(small_credential(i)) for i in range(3)]
    list_id = old[0].suspension.list_id
    signed_by_old = decode_json(service.status_list_credential(list_id))["proof"]["verificationMethod"]
    service.rotate_key()
    kept = service.issue(small_credential(9))
    revoked = service.compromise_key(old[0].key_id)
    assert sorted(revoked) == sorted(c.id for c in old)
    assert all(service.status(c.id).revoked for c in old) and not service.status(kept.id).revoked
    assert old[0].key_id not in json.dumps(service.did_document())
    assert service.compromise_key(old[0].key_id) == revoked  # repeatable, changes nothing
    resigned = decode_json(service.status_list_credential(list_id))  # unchanged list, new signature
    assert signed_by_old == old[0].key_id != resigned["proof"]["verificationMethod"]
    assert verify_proofs(resigned, loader=verifying_loader(service), now=NOW).passed
    with store.read() as tx:
        assert len(tx.events(kind="credential.revoked")) == 3
        assert len(tx.events(kind="key.compromised")) == 1
    service.compromise_key(kept.key_id)
    with pytest.raises(SkillcredError) as info:
        service.issue(small_credential())
    assert info.value.code is Code.KEY_ERROR


# --- concurrency and crashes ------------------------------------------------------------------------


def test_a_locked_sqlite_database_is_store_busy_with_nothing_partial(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "r.db"
    with Store(path) as setup:
        build_service(setup)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(path, busy_timeout=0.1, migrate=False) as busy:
            service = build_service(busy)
            started = time.monotonic()
            with pytest.raises(SkillcredError) as info:
                service.issue(small_credential(), idempotency_key="k")
            assert info.value.code is Code.STORE_BUSY and time.monotonic() - started < 2.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Store(path) as after:
        assert _counts(after) == (0, 0, 0)


def test_1000_concurrent_issuances_in_4_processes_share_no_index(
    service: IssuerService, store: Store, target: Target
) -> None:
    started = time.monotonic()
    with SPAWN.Pool(4) as pool:
        chunks = pool.starmap(issue_worker, [(target, 250, k * 250) for k in range(4)])
    elapsed = time.monotonic() - started
    rows = [row for chunk in chunks for row in chunk]
    assert len({r[0] for r in rows}) == 1000
    assert len({(r[1], r[2]) for r in rows}) == 1000 and len({(r[3], r[4]) for r in rows}) == 1000
    with store.read() as tx:
        assert tx.count("credentials") == 1000 and tx.count("status_allocations") == 2000
        assert len(tx.events(kind="credential.issued")) == 1000
    print(f"\n1000 issuances in 4 processes on {store.dialect}: {elapsed:.1f} s")


def test_100_concurrent_revocations_lose_no_update(service: IssuerService, store: Store, target: Target) -> None:
    same = service.issue(small_credential())
    many = [service.issue(small_credential(i)).id for i in range(100)]
    started = time.monotonic()
    with SPAWN.Pool(4) as pool:
        changed_same = pool.starmap(revoke_worker, [(target, [same.id] * 25) for _ in range(4)])
        changed_many = pool.starmap(revoke_worker, [(target, many[k::4]) for k in range(4)])
    elapsed = time.monotonic() - started
    assert sum(changed_same) == 1 and sum(changed_many) == 100
    assert service.status(same.id).revoked and all(service.status(i).revoked for i in many)
    with store.read() as tx:
        assert len(tx.events(kind="credential.revoked")) == 101
        lists = [tx.status_list(i) for i in tx.status_list_ids()]
    assert sum(len(decode_bits(r.bits)) for r in lists if r is not None and r.purpose == "revocation") == 101
    print(f"\n200 revocations in 4 processes on {store.dialect}: {elapsed:.1f} s")


def decode_bits(bits: bytes) -> tuple[int, ...]:
    from vccore.status.bitstring import StatusList

    return StatusList(bits).set_indexes()


@pytest.mark.parametrize("point", ["allocated", "signed", "committed"])
def test_a_crash_leaves_no_unrecorded_release_and_no_reused_index(
    service: IssuerService, store: Store, target: Target, tmp_path: Path, point: str
) -> None:
    released = tmp_path / "released.json"
    child = SPAWN.Process(target=crash_worker, args=(target, point, "crash-key", str(released)))
    child.start()
    child.join(60)
    assert child.exitcode == 17 and not released.exists()
    with store.read() as tx:
        burned = set(tx.allocations())
        records = tx.credentials()
    assert len(burned) == 2
    assert len(records) == (1 if point == "committed" else 0)
    retried = service.issue(small_credential(), idempotency_key="crash-key")
    if point == "committed":
        assert retried.replayed and retried.document == records[0].document
    else:
        assert not retried.replayed and not {retried.revocation, retried.suspension} & burned
    with store.read() as tx:
        assert tx.count("credentials") == 1
        for record in tx.credentials():
            assert {record.revocation, record.suspension} <= set(tx.allocations())
