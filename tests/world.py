"""The one world the tests live in: who signs, what they signed, who trusts whom.

The cast are the fictional organisations and people of ../shared/domain/samples.md, each with a did:key
from a fixed seed (every run signs the same bytes):

- :data:`ROOT`, the trust root: it signs trust lists and trust packs;
- :data:`EVAL`, 示例重型机床有限公司, the evaluation organization that issued P1 张试一's skill levels (CN-SX),
  and its status lists;
- :data:`SCHOOL`, 示例市技师学院, P5 陈试五's technical school (CN-GD);
- :data:`AUTH_CN` and :data:`AUTH_SX`, the recognition authorities for CN and CN-SX;
- :data:`TITLE_BOARD`, a title review board on did:web (its DID document is :func:`web_document`);
- :data:`HOLDER`, P1's wallet;
- :data:`ROGUE`, a key no trust list names (an attacker, a stranger, a forger).

On top of them: the sample credentials of every kind (:func:`sample_credential`, :func:`issued_credential`),
the trust list (:func:`trust_list`), status lists (:func:`status_list`, :func:`status_entries`), the
recognition chains built from P1's and P5's credentials (:func:`recognitions`), and :class:`VerifierWorld`,
a verifier over all of it whose status lists and clock a test may change.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support import CONTEXTS, DATA, DOMAIN, LOADER, NOW, sign
from vccore.clock import SettableClock
from vccore.credentials import verify_issued
from vccore.did.key import did_key_pair
from vccore.did.resolver import DidResolver
from vccore.errors import Code
from vccore.fetch import FetchResponse, StaticFetcher
from vccore.jsonld.loader import DocumentLoader
from vccore.jsonld.reading import read_or_none
from vccore.keys import KeyPair
from vccore.recognition.credential import RULE_TYPE, parse_rule_credential, recognition_credential, rule_credential
from vccore.recognition.evaluate import evaluate
from vccore.recognition.model import RuleSet
from vccore.recognition.rules import parse_ruleset
from vccore.recognition.rulesets import load_shipped
from vccore.result import Check, CheckName, VerificationResult
from vccore.status.bitstring import MIN_LENGTH, StatusList
from vccore.status.entry import StatusPurpose, status_entry, status_list_credential
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList, trust_list_credential, verify_trust_list_credential
from verifier.challenges import SqliteChallengeStore
from verifier.pipeline import Verifier
from verifier.status import StatusSource

# --- the cast ------------------------------------------------------------------------------------------


def _did_key(seed: int) -> KeyPair:
    return did_key_pair(KeyPair.from_seed(bytes([seed]) * 32))


ROOT = _did_key(0x01)
EVAL = _did_key(0x02)
SCHOOL = _did_key(0x03)
AUTH_CN = _did_key(0x04)
AUTH_SX = _did_key(0x05)
ROGUE = _did_key(0x06)
HOLDER = _did_key(0x07)
WEB_DID = "did:web:title-board.example"
TITLE_BOARD = KeyPair.from_seed(bytes([0x08]) * 32).with_id(f"{WEB_DID}#key-1", WEB_DID)

#: Since when the trust list lists each key (before any sample credential was issued).
SINCE = datetime(2015, 1, 1, tzinfo=UTC)
TRUST_LIST_ID = "urn:skillcred:trustlist:test"


def web_document(key: KeyPair = TITLE_BOARD, did: str = WEB_DID) -> dict[str, Any]:
    """The did:web document of ``did`` naming ``key`` for assertions."""
    vm = f"{did}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_multibase}
        ],
        "assertionMethod": [vm],
        "authentication": [],
    }


def web_loader() -> DocumentLoader:
    """A loader that resolves :data:`WEB_DID` offline (and every did:key)."""
    return DocumentLoader(resolver=DidResolver(documents={WEB_DID: web_document()}))


# --- sample credentials of every kind -------------------------------------------------------------------

PEOPLE: dict[str, Any] = json.loads((DATA / "people.json").read_text(encoding="utf-8"))
#: credential type -> (person, index of the credential in people.json)
SAMPLES: dict[str, tuple[str, int]] = {
    "SkillLevelCredential": ("P1", 0),
    "ProfessionalQualificationCredential": ("P4", 0),
    "ProfessionalTitleCredential": ("P6", 0),
    "DegreeCredential": ("P6", 1),
    "TechnicalSchoolDiplomaCredential": ("P5", 0),
}


def fast_hash(id_number: str) -> dict[str, Any]:
    """The identity hash at libsodium's minimum Argon2id cost: for tests only."""
    from vccore.kinds import identity

    return identity.hash_identity(id_number, opslimit=identity.MIN_OPSLIMIT, memlimit=identity.MIN_MEMLIMIT)


def issuer_input(person: str, index: int = 0) -> dict[str, Any]:
    """What an issuer is given to issue the ``index``-th credential of ``person`` (name, ID number, the rest)."""
    who = PEOPLE["people"][person]
    given: dict[str, Any] = copy.deepcopy(who["credentials"][index]["input"])
    return {"name": who["name"], "idNumber": who["idNumber"]} | given


def person_credential(
    person: str,
    index: int,
    *,
    issuer: str,
    credential_id: str,
    subject_did: str | None = None,
    valid_from: str | None = None,
) -> dict[str, Any]:
    """The unsigned, schema-valid ``index``-th credential of ``person`` (people.json), built by the issuer's
    own builder and issued by ``issuer`` (a DID) under the name people.json gives the issuing organisation."""
    from issuer import kinds

    cred = PEOPLE["people"][person]["credentials"][index]
    names = PEOPLE["issuers"][cred["issuer"]]
    return kinds.build(
        cred["kind"],
        issuer_input(person, index),
        issuer=kinds.Issuer(issuer, names["name_zh"], names["name_en"]),
        valid_from=valid_from or cred["validFrom"],
        credential_id=credential_id,
        subject_did=subject_did,
        hasher=fast_hash,
    )


def sample_credential(
    type_name: str, *, issuer: str, credential_id: str, subject_did: str | None = None, valid_from: str | None = None
) -> dict[str, Any]:
    """The unsigned sample credential of ``type_name`` (:data:`SAMPLES`) issued by ``issuer`` (a DID)."""
    person, index = SAMPLES[type_name]
    return person_credential(
        person, index, issuer=issuer, credential_id=credential_id, subject_did=subject_did, valid_from=valid_from
    )


def issued_credential(
    person: str,
    index: int,
    key: KeyPair,
    credential_id: str,
    *,
    subject_did: str | None = None,
    status_index: int | None = None,
) -> dict[str, Any]:
    """The ``index``-th credential of ``person`` as ``key`` signed it on the day it was issued; with
    ``status_index``, entries at that index of the world's status lists. The same arguments give the same
    document (the identity hash's salt is random: each is built once); each call returns a copy."""
    return copy.deepcopy(_issued(person, index, key, credential_id, subject_did, status_index))


@functools.cache
def _issued(
    person: str, index: int, key: KeyPair, credential_id: str, subject_did: str | None, status_index: int | None
) -> dict[str, Any]:
    doc = person_credential(person, index, issuer=key.controller, credential_id=credential_id, subject_did=subject_did)
    if status_index is not None:
        doc["credentialStatus"] = status_entries(status_index)
    return sign(doc, key, created=datetime.fromisoformat(doc["validFrom"]))


# --- the trust list ---------------------------------------------------------------------------------------

_LISTED: tuple[tuple[KeyPair, str, str, str, str, tuple[str, ...]], ...] = (
    (
        EVAL,
        "示例重型机床有限公司",
        "Example Heavy Machine Tool Co., Ltd.",
        "skill-evaluation-organization",
        "CN-SX",
        ("SkillLevelCredential", "BitstringStatusListCredential"),
    ),
    (
        SCHOOL,
        "示例市技师学院",
        "Example Municipal Technician College",
        "technical-school",
        "CN-GD",
        ("TechnicalSchoolDiplomaCredential",),
    ),
    (
        AUTH_CN,
        "人力资源社会保障部（测试）",
        "MOHRSS (test)",
        "recognition-authority",
        "CN",
        ("RecognitionRuleCredential", "RecognitionCredential"),
    ),
    (
        AUTH_SX,
        "山西省人力资源和社会保障厅（测试）",
        "Shanxi HRSS (test)",
        "recognition-authority",
        "CN-SX",
        ("RecognitionRuleCredential", "RecognitionCredential"),
    ),
    (
        TITLE_BOARD,
        "职称评审委员会",
        "Title Board",
        "title-board",
        "CN",
        ("ProfessionalTitleCredential", "RecognitionRuleCredential"),
    ),
)


def trust_list(
    *,
    issued: datetime = NOW - timedelta(days=2),
    id: str = TRUST_LIST_ID,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> TrustList:
    """The root's list of the world's issuers (all but :data:`ROGUE`), each key valid since :data:`SINCE`.
    ``names``: DID -> (Chinese, English) names the list gives instead of the organisation's own."""
    renamed = names or {}
    return TrustList(
        tuple(
            TrustedIssuer(
                key.controller,
                *renamed.get(key.controller, (zh, en)),
                (role,),
                (where,),
                types,
                (KeyPeriod(key.id, SINCE),),
            )
            for key, zh, en, role, where, types in _LISTED
        ),
        issued,
        id,
    )


def signed_trust_list(trust: TrustList, *, id: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """``trust`` published as a trust list credential signed by :data:`ROOT` (at ``now``, by default when
    the list was issued)."""
    when = trust.issued if now is None else now
    doc = trust_list_credential(trust, root_did=ROOT.controller, id=id or trust.id, now=when)
    return sign(doc, ROOT, created=when)


# --- status lists -----------------------------------------------------------------------------------------

REV_URL = "https://status.example/a/revocation"
SUS_URL = "https://status.example/a/suspension"
#: The bits set in the world's lists: index 7 is revoked, index 9 suspended.
REVOKED_INDEX = 7
SUSPENDED_INDEX = 9


def status_entries(index: int, *, revocation: str = REV_URL, suspension: str = SUS_URL) -> list[dict[str, Any]]:
    """A credential's two ``BitstringStatusListEntry`` values at ``index``."""
    return [
        status_entry(revocation, index, purpose="revocation"),
        status_entry(suspension, index, purpose="suspension"),
    ]


def status_list(
    url: str,
    purpose: StatusPurpose,
    *,
    set_bits: tuple[int, ...] = (),
    key: KeyPair = EVAL,
    ttl: timedelta = timedelta(days=1),
    length: int = MIN_LENGTH,
    now: datetime = NOW - timedelta(hours=1),
) -> dict[str, Any]:
    """The status list credential at ``url`` with ``set_bits`` set, published by ``key`` at ``now``."""
    bits = StatusList(bytes(length // 8)).set_many(set_bits)
    return sign(status_list_credential(url, bits, issuer=key.controller, purpose=purpose, now=now, ttl=ttl), key)


def status_lists() -> dict[str, dict[str, Any]]:
    """The world's two lists by URL: :data:`REVOKED_INDEX` revoked, :data:`SUSPENDED_INDEX` suspended."""
    return {
        REV_URL: status_list(REV_URL, "revocation", set_bits=(REVOKED_INDEX,)),
        SUS_URL: status_list(SUS_URL, "suspension", set_bits=(SUSPENDED_INDEX,)),
    }


def serving(lists: Mapping[str, Any]) -> StaticFetcher:
    """A fetcher that answers each URL of ``lists`` with its document (and nothing else)."""
    return StaticFetcher({u: FetchResponse(u, json.dumps(d).encode()) for u, d in lists.items()})


# --- recognitions -----------------------------------------------------------------------------------------

L2_RULE = "CN-ENG-2018-L2-TO-INTERMEDIATE"
SX_RULE = "CN-SX-L2-TO-INTERMEDIATE"
STEP2_RULE = "CN-TEST-INTERMEDIATE-TO-TREATMENT"
INFERRED_RULE = "CN-SX-TEST-INFERRED"


def read(document: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """How a verifier reads a cited document (the chain's ``read``)."""
    return read_or_none(document, loader=LOADER)


def mutable(document: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(document))


def step2_ruleset() -> RuleSet:
    """A small test rule set whose rule takes a RecognitionCredential (no shipped rule does)."""
    shipped = load_shipped()["CN"].rule(L2_RULE)
    assert shipped is not None
    rule = json.loads(json.dumps(shipped.to_json()))
    rule.update(
        {
            "id": STEP2_RULE,
            "direction": "skill-to-title-treatment",
            "declaredInputs": [],
            "name": {
                "zh": "测试：中级职称认定后享受同等待遇",
                "en": "Test: equal treatment after an intermediate recognition",
            },
            "inputs": [
                {
                    "name": "source",
                    "kinds": ["RecognitionCredential"],
                    "zh": "中级职称认定",
                    "en": "an intermediate title recognition",
                }
            ],
            "conditions": [
                {
                    "id": "intermediate",
                    "zh": "认定为中级职称",
                    "en": "recognized as an intermediate title",
                    "logic": {"==": [{"var": "source.credentialSubject.recognizedAs.titleLevel"}, "intermediate"]},
                }
            ],
            "recognizedAs": {"kind": "treatment", "treatment": "equal-treatment-test"},
            "grants": ["equal-treatment"],
            "purposes": ["招聘"],
            "inForceFrom": "2020-01-01",
        }
    )
    rule.pop("notes", None)
    return parse_ruleset(
        {
            "type": "RecognitionRuleSet",
            "id": "CN-TEST",
            "version": "1",
            "jurisdiction": "CN",
            "legalBasis": {"issuingAuthority": None, "standing": "inferred"},
            "rules": [rule],
        }
    )


def inferred_ruleset() -> RuleSet:
    """A test CN-SX set with one rule of standing ``inferred`` (our reading: every technician, no review),
    so that the surfaces' 推定（非官方） marking has a recognition to show; no shipped rule P1 meets is."""
    shipped = load_shipped()["CN-SX"].rule(SX_RULE)
    assert shipped is not None
    rule = json.loads(json.dumps(shipped.to_json()))
    rule.update(
        {
            "id": INFERRED_RULE,
            "name": {"zh": "测试：技师对应中级职称（推定）", "en": "Test: technician as intermediate title (inferred)"},
            "declaredInputs": [],
            "conditions": [],
            "standing": "inferred",
            "notes": {"zh": "测试规则：我们的解读。", "en": "Test rule: our reading."},
        }
    )
    return parse_ruleset(
        {
            "type": "RecognitionRuleSet",
            "id": "CN-SX-TEST",
            "version": "1",
            "jurisdiction": "CN-SX",
            "legalBasis": {"issuingAuthority": None, "standing": "inferred"},
            "rules": [rule],
        }
    )


def published_rules(ruleset: RuleSet | str, authority: KeyPair, *, now: datetime = NOW) -> dict[str, Any]:
    """``ruleset`` (or the shipped set of that name) published by ``authority`` at ``now``, signed."""
    parsed = load_shipped()[ruleset] if isinstance(ruleset, str) else ruleset
    return sign(rule_credential(parsed, authority_did=authority.controller, now=now), authority, created=now)


def derive(
    rule_doc: Mapping[str, Any],
    rule_id: str,
    sources: list[dict[str, Any]],
    pair: KeyPair,
    *,
    as_of: date,
    ident: str,
    now: datetime = NOW,
    **declared: str,
) -> dict[str, Any]:
    """The recognition ``pair`` issues at ``now`` by ``rule_id`` of ``rule_doc`` over ``sources``, signed."""
    rule = parse_rule_credential(rule_doc).rule(rule_id)
    assert rule is not None
    evaluation = evaluate(rule, sources, as_of=as_of, declarations=declared)
    unsigned = recognition_credential(
        evaluation,
        rule_credential=rule_doc,
        sources=sources,
        issuer=pair.controller,
        as_of=as_of,
        credential_id=ident,
        now=now,
    )
    return sign(unsigned, pair, created=now)


@dataclass(frozen=True)
class Recognitions:
    """P1's and P5's credentials, the rule sets published as credentials, and recognitions derived from them."""

    trust: TrustList  # the world's trust list, as a verifier read it from the root's signed credential
    p1: dict[str, Any]  # P1 张试一's technician credential (samples.md), by EVAL
    p5: dict[str, Any]  # P5 陈试五's diploma, by SCHOOL
    rules_cn: dict[str, Any]
    rules_sx: dict[str, Any]
    rules_test: dict[str, Any]  # step2_ruleset(), by AUTH_CN
    rules_sx_test: dict[str, Any]  # inferred_ruleset(), by AUTH_SX
    rules_rogue: dict[str, Any]  # the CN rules, published by ROGUE
    recognition: dict[str, Any]  # P1, CN-ENG-2018-L2-TO-INTERMEDIATE as of 2026-07-01, by AUTH_CN
    inferred: dict[str, Any]  # P1, CN-SX-TEST-INFERRED (standing inferred), by AUTH_SX
    step2: dict[str, Any]  # from ``recognition``, by the test rule
    selected: dict[str, Any]  # P1, CN-SX-L2-TO-INTERMEDIATE (reported; review outcome selected), by AUTH_SX

    @property
    def rule_credentials(self) -> list[dict[str, Any]]:
        return [self.rules_cn, self.rules_sx, self.rules_test, self.rules_sx_test]


@functools.cache
def recognitions(*, held: bool = False) -> Recognitions:
    """The recognition world. ``held``: P1's credential names her wallet (:data:`HOLDER`) and carries status
    entries (index 5 of the world's lists), as one a verifier scans does; otherwise it has neither."""
    published = signed_trust_list(trust_list(issued=NOW), id="urn:uuid:tl-1")
    trust, result = verify_trust_list_credential(published, root_did=ROOT.controller, loader=LOADER, now=NOW)
    assert trust is not None, result.to_json()
    p1 = issued_credential(
        "P1",
        0,
        EVAL,
        "urn:uuid:00000000-0000-4000-8000-000000000001",
        subject_did=HOLDER.controller if held else None,
        status_index=5 if held else None,
    )
    p5 = issued_credential("P5", 0, SCHOOL, "urn:uuid:00000000-0000-4000-8000-000000000005")
    rules_cn = published_rules("CN", AUTH_CN)
    rules_sx = published_rules("CN-SX", AUTH_SX)
    rules_test = published_rules(step2_ruleset(), AUTH_CN)
    rules_sx_test = published_rules(inferred_ruleset(), AUTH_SX)
    rules_rogue = published_rules("CN", ROGUE)
    recognition = derive(
        rules_cn, L2_RULE, [p1], AUTH_CN, as_of=date(2026, 7, 1), ident="urn:uuid:rec-1", workField="engineering"
    )
    inferred = derive(rules_sx_test, INFERRED_RULE, [p1], AUTH_SX, as_of=date(2026, 7, 1), ident="urn:uuid:rec-sx")
    selected = derive(
        rules_sx, SX_RULE, [p1], AUTH_SX, as_of=date(2026, 7, 1), ident="urn:uuid:rec-sx-2", reviewOutcome="selected"
    )
    step2 = derive(rules_test, STEP2_RULE, [recognition], AUTH_CN, as_of=date(2026, 8, 1), ident="urn:uuid:rec-2")
    return Recognitions(
        trust,
        p1,
        p5,
        rules_cn,
        rules_sx,
        rules_test,
        rules_sx_test,
        rules_rogue,
        recognition,
        inferred,
        step2,
        selected,
    )


def status_verifier(
    statuses: Mapping[str, str] | None = None, *, now: datetime = NOW
) -> Callable[[Mapping[str, Any]], VerificationResult]:
    """``verify_issued`` plus a fake status map (credential id -> ``revoked``/``suspended``)."""
    table = dict(statuses or {})

    def verify(document: Mapping[str, Any]) -> VerificationResult:
        result = verify_issued(document, loader=LOADER, now=now)
        state = table.get(str(document.get("id")))
        if state == "revoked":
            return result.with_check(Check.fail(CheckName.STATUS_REVOCATION, Code.REVOKED, "revoked"))
        if state == "suspended":
            return result.with_check(Check.fail(CheckName.STATUS_SUSPENSION, Code.SUSPENDED, "suspended"))
        return result.with_check(Check.ok(CheckName.STATUS_REVOCATION))

    return verify


@dataclass
class ChainVerifier:
    """A recognition service's verifier for tests (:class:`issuer.recognize.SourceVerifier`): sources
    verified by ``verify``, recognitions re-checked by :func:`vccore.recognition.chain.verify_chain` against
    ``trust``."""

    verify: Callable[[Mapping[str, Any]], VerificationResult]
    trust: TrustList | None
    now: datetime = NOW

    def verify_credential(self, document: Any) -> VerificationResult:
        return self.verify(document)

    def read(self, document: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return read(document)

    def check_recognition(
        self, recognition: Mapping[str, Any], *, presented: Sequence[Mapping[str, Any]] = ()
    ) -> Check:
        from vccore.recognition.chain import verify_chain

        reading = read(recognition)
        assert reading is not None
        rules = [d for d in presented if RULE_TYPE in d.get("type", [])]
        sources = [d for d in presented if RULE_TYPE not in d.get("type", [])]
        return verify_chain(
            reading,
            sources=sources,
            rule_credentials=rules,
            trust=self.trust,
            verify_credential=self.verify,
            read=read,
            now=self.now,
        )


# --- a verifier over the world ----------------------------------------------------------------------------

#: When the verifier world's credentials were signed.
SIGNED = NOW - timedelta(days=30)
CREDENTIAL_ID = "urn:uuid:8a1c1f36-6a0c-4f52-9d2e-3f0b1b5a2c11"


@dataclass
class VerifierWorld:
    """A verifier's view of the world that a test may change: the trust list, the status lists it serves
    (:meth:`serve`), its clock and a directory for its challenge store."""

    tmp: Path
    trust: TrustList = field(default_factory=trust_list)
    loader: DocumentLoader = field(default_factory=web_loader)
    lists: dict[str, dict[str, Any]] = field(default_factory=status_lists)
    clock: SettableClock = field(default_factory=lambda: SettableClock(NOW))
    fetcher: StaticFetcher = field(init=False)

    def __post_init__(self) -> None:
        self.fetcher = serving(self.lists)

    def unsigned(
        self,
        *,
        issuer: str | None = None,
        index: int = 3,
        subject: str | None = None,
        kind: str = "SkillLevelCredential",
        status: bool = True,
        ident: str = CREDENTIAL_ID,
        revocation: str = REV_URL,
    ) -> dict[str, Any]:
        """P1's credential of ``kind`` (schema-valid for the skillcred kinds, a bare one otherwise), valid
        from 2026-10-01 to 2030-10-01, held by :data:`HOLDER`, with status entries at ``index``."""
        if kind in SAMPLES:  # schema-valid: the verifier checks each skillcred type against its schema
            doc = sample_credential(
                kind,
                issuer=issuer or EVAL.controller,
                credential_id=ident,
                subject_did=subject or HOLDER.controller,
                valid_from="2026-10-01T00:00:00Z",
            )
            doc["validUntil"] = "2030-10-01T00:00:00Z"
        else:
            doc = {
                "@context": list(CONTEXTS),
                "id": ident,
                "type": ["VerifiableCredential"] if kind == "VerifiableCredential" else ["VerifiableCredential", kind],
                "issuer": issuer or EVAL.controller,
                "validFrom": "2026-10-01T00:00:00Z",
                "validUntil": "2030-10-01T00:00:00Z",
                "credentialSubject": {"id": subject or HOLDER.controller, "name": "张试一"},
            }
        if status:
            doc["credentialStatus"] = status_entries(index, revocation=revocation)
        return doc

    def credential(self, *, key: KeyPair = EVAL, **unsigned: Any) -> dict[str, Any]:
        """:meth:`unsigned`, signed by ``key`` at :data:`SIGNED`."""
        return sign(self.unsigned(**unsigned), key, created=SIGNED)

    def serve(self, url: str, doc: dict[str, Any]) -> None:
        self.lists[url] = doc
        self.fetcher = serving(self.lists)

    def source(self, **kw: Any) -> StatusSource:
        kw.setdefault("fetcher", self.fetcher)
        return StatusSource(loader=self.loader, **kw)

    def verifier(self, **kw: Any) -> Verifier:
        kw.setdefault("trust", self.trust)
        kw.setdefault("loader", self.loader)
        if "status" not in kw:
            kw["status"] = self.source()
        kw.setdefault("clock", self.clock)
        if "challenges" not in kw:
            kw["challenges"] = SqliteChallengeStore(self.tmp / "challenges.db", domain=DOMAIN, clock=self.clock)
        return Verifier(**kw)
