"""The demo world: a trust root, a recognition authority with the shipped rule sets, two evaluation
organizations, a technical school and three workers (fictional people of ``../shared/domain/samples.md``)
with wallets, their credentials and one recognition each.

Everything is created fresh under one directory. Issuers are did:key issuers (local use, no domain
needed); their keys are sealed with a demo passphrase at the minimal KDF cost, which is acceptable for a
demo and nothing else. The verifier trusts the world through a trust pack signed by the root, and reads
status lists from the issuers in process (:class:`LocalStatusFetcher`), so a revocation made on the
issuer shows on the scan page as soon as the verifier's cached copy of the list expires (its validUntil).
"""

from __future__ import annotations

import copy
import json
import shlex
import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from issuer.examples import EXAMPLES
from issuer.home import IssuerHome, OpenIssuer, init_issuer, open_issuer
from issuer.kinds import Issuer, build
from issuer.recognize import RecognitionService
from issuer.tokens import TokenRegistry
from vccore.clock import Clock
from vccore.di.proofs import ProofOptions, add_proof
from vccore.did.key import did_key_pair
from vccore.errors import Code, FetchNotAllowed
from vccore.fetch import FetchResponse
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.recognition.rulesets import load_shipped
from vccore.timeutil import beijing_date, require_aware
from vccore.trust.lists import KeyPeriod, TrustedIssuer, TrustList, trust_list_credential
from vccore.trust.pack import StatusSnapshot, build_trust_pack, verify_trust_pack
from verifier.challenges import SqliteChallengeStore
from verifier.pipeline import Verifier, standard_verifier
from verifier.status import StatusSource
from wallet_demo.store import Wallet

DEMO_PASSPHRASE = "skillcred-demo-only-不要用于生产"
#: how long the demo's verifier keeps a status list it read from an issuer: a revocation shows within this
DEMO_STATUS_MAX_AGE = timedelta(seconds=5)


@dataclass(frozen=True)
class IssuerSpec:
    slug: str
    name_zh: str
    name_en: str
    role: str
    jurisdictions: tuple[str, ...]
    types: tuple[str, ...]


ISSUERS: tuple[IssuerSpec, ...] = (
    IssuerSpec(
        "machine",
        "示例重型机床有限公司",
        "Example Heavy Machine Tool Co., Ltd.",
        "skill-evaluation-organization",
        ("CN-SX",),
        ("SkillLevelCredential",),
    ),
    IssuerSpec(
        "weld",
        "示例焊接技术培训评价中心",
        "Example Welding Training and Evaluation Centre",
        "skill-evaluation-organization",
        ("CN-GD",),
        ("SkillLevelCredential",),
    ),
    IssuerSpec(
        "school",
        "示例市技师学院",
        "Example Municipal Technician College",
        "technical-school",
        ("CN-GD",),
        ("TechnicalSchoolDiplomaCredential",),
    ),
    IssuerSpec(
        "hrss",
        "示例省人力资源和社会保障厅（演示）",
        "Example Provincial HRSS Department (demo)",
        "recognition-authority",
        ("CN",),
        ("RecognitionRuleCredential", "RecognitionCredential"),
    ),
    # issue 18: before the 2019-2020 switch skill certificates were 职业资格证书 issued through the government's
    # appraisal stations (DOMAIN.md §6), so P2's 2018 certificate comes from one, not from the welding centre
    IssuerSpec(
        "appraisal",
        "示例市职业技能鉴定站（演示）",
        "Example Municipal Vocational Skill Appraisal Station (demo)",
        "skill-evaluation-organization",
        ("CN-GD",),
        ("SkillLevelCredential",),
    ),
)

_HRSS = next(s for s in ISSUERS if s.slug == "hrss")
_GD_ORG = {
    "name": "示例焊接技术培训评价中心",
    "organizationCategory": "S",
    "filingAuthority": "CN-GD",
    "organizationCode": "0000",
}


@dataclass(frozen=True)
class WorkerSpec:
    slug: str
    name: str
    id_number: str
    #: (issuer slug, kind, input fields) — the first is shown as the worker's main card
    credentials: tuple[tuple[str, str, Mapping[str, Any]], ...]
    rule: str
    #: indexes into ``credentials`` of the recognition's sources
    sources: tuple[int, ...]
    declarations: Mapping[str, str] = field(default_factory=dict)


WORKERS: tuple[WorkerSpec, ...] = (
    WorkerSpec(
        "p1",
        "张试一",
        "140105198001010003",
        (
            (
                "machine",
                "skill-level",
                {k: v for k, v in EXAMPLES["skill-level"].items() if k not in ("name", "idNumber")},  # P1's example
            ),
        ),
        "CN-SX-L2-TO-INTERMEDIATE",
        (0,),
        # issue 18: the Shanxi rule is selective (article.txt: *outstanding* technicians *can be* recognized);
        # the demo's P1 was selected in a review, which the recognition authority attests by signing
        {"reviewOutcome": "selected"},
    ),
    WorkerSpec(
        "p2",
        "王试二",
        "370202198512129996",
        (
            (
                "weld",
                "skill-level",
                {
                    "occupationCode": "6-18-02-04",
                    "occupationClassification": "中华人民共和国职业分类大典（2022年版）",
                    "occupationName": "焊工",
                    "jobType": "--",
                    "skillLevel": "L1",
                    "certificateNumber": "S000044000123241000007",
                    "evaluationOrganization": _GD_ORG,
                    "assessmentDate": "2024-11-15",
                },
            ),
            # samples.md: 二级 2018 on P2's ladder. In 2018 that was a 职业资格证书 from an appraisal station with
            # the 16-digit number (DOMAIN.md §6 [S22]): 18 year, 44 Guangdong, 01 city, 2 地方鉴定站, 020 station,
            # 2 level, 00031 serial (made up in the samples' pattern); the printed level in the pre-2019 style
            (
                "appraisal",
                "skill-level",
                {
                    "occupationCode": "6-18-02-04",
                    "occupationClassification": "中华人民共和国职业分类大典（2015年版）",
                    "occupationName": "焊工",
                    "jobType": "--",
                    "skillLevel": "L2",
                    "skillLevelText": "技师（国家职业资格二级）",
                    "certificateNumber": "1844012020200031",
                    "credentialForm": "职业资格证书",
                    "assessmentDate": "2018-11-15",
                },
            ),
        ),
        "CN-ENG-2018-L2-TO-INTERMEDIATE",
        (1,),
        {"workField": "engineering"},
    ),
    WorkerSpec(
        "p5",
        "陈试五",
        "440115199909090005",
        (
            (
                "school",
                "technical-school",
                {
                    "technicalSchoolClass": "preparatory-technician-class",
                    "schoolName": "示例市技师学院",
                    "specialty": "数控加工",
                    "certificateNumber": "TEST-JSXY-2021-000001",
                    "graduationDate": "2021-07-01",
                },
            ),
        ),
        "CN-GD-YUBEIJISHI-TO-BENKE",
        (0,),
    ),
)


class LocalStatusFetcher:
    """Serves the demo issuers' status list credentials in process (a :class:`vccore.fetch.Fetcher`)."""

    def __init__(self, issuers: Mapping[str, OpenIssuer]) -> None:
        self._by_prefix = {f"{o.profile.base_url.rstrip('/')}/status/": o for o in issuers.values()}
        self.count = 0

    def fetch(self, url: str) -> FetchResponse:
        self.count += 1
        for prefix, opened in self._by_prefix.items():
            if url.startswith(prefix):
                body = opened.service.status_list_credential(url[len(prefix) :])
                return FetchResponse(url, body, 200, {"content-type": "application/vc+ld+json"})
        raise FetchNotAllowed(f"{url} is not a demo status list", code=Code.FETCH_NOT_ALLOWED)


@dataclass
class Worker:
    spec: WorkerSpec
    wallet: Wallet
    credentials: list[dict[str, Any]]
    recognition: dict[str, Any]


@dataclass
class DemoWorld:
    home: Path
    base_url: str
    root: KeyPair
    issuers: dict[str, OpenIssuer]
    tokens: dict[str, TokenRegistry]
    trust: TrustList
    trust_pack: dict[str, Any]
    rule_credentials: list[dict[str, Any]]
    workers: dict[str, Worker]
    verifier: Verifier
    fetcher: LocalStatusFetcher

    def close(self) -> None:
        for opened in self.issuers.values():
            opened.close()


def _trust_list(issuers: Mapping[str, OpenIssuer], now: datetime) -> TrustList:
    entries = []
    for spec in ISSUERS:
        opened = issuers[spec.slug]
        keys = tuple(
            KeyPeriod(f"{opened.profile.did}#{r.public_multibase}", now - timedelta(days=1))
            for r in opened.keystore.published()
        )
        entries.append(
            TrustedIssuer(
                opened.profile.did, spec.name_zh, spec.name_en, (spec.role,), spec.jurisdictions, spec.types, keys
            )
        )
    return TrustList(tuple(entries), now, "urn:skillcred:demo:trust-list")


def build_world(home: Path, *, base_url: str, clock: Clock) -> DemoWorld:
    """Create the demo world under ``home`` (which must not hold one yet), seeded at ``clock()``; its
    issuers, wallets and verifier keep deciding by ``clock``. Takes a few seconds: the identity hashes are
    Argon2id at their real cost."""
    now = require_aware(clock()).replace(microsecond=0)
    base = base_url.rstrip("/")
    home.mkdir(parents=True, exist_ok=True)
    loader = DocumentLoader()
    issuers: dict[str, OpenIssuer] = {}
    tokens: dict[str, TokenRegistry] = {}
    for spec in ISSUERS:
        ihome = IssuerHome(home / "issuers" / spec.slug)
        init_issuer(
            ihome,
            did_web=None,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            passphrase=DEMO_PASSPHRASE,
            base_url=f"{base}/issuers/{spec.slug}",
            kdf="minimal",
            clock=clock,
        )
        issuers[spec.slug] = open_issuer(ihome, passphrase=DEMO_PASSPHRASE, loader=loader, clock=clock)
        tokens[spec.slug] = TokenRegistry(issuers[spec.slug].store)
    root = did_key_pair(KeyPair.generate())
    trust = _trust_list(issuers, now)
    tl_doc = add_proof(
        trust_list_credential(
            trust, root_did=root.controller, id="urn:skillcred:demo:trust-list", now=now, valid_for=timedelta(days=365)
        ),
        signer=root,
        loader=loader,
        options=ProofOptions(created=now),
    )
    fetcher = LocalStatusFetcher(issuers)

    source_verifier = make_verifier(trust, (), loader, fetcher, clock=clock)

    authority = issuers["hrss"]
    recognizer = RecognitionService(
        authority.service,
        authority={
            "id": authority.profile.did,
            "name": [
                {"@value": _HRSS.name_zh, "@language": "zh"},
                {"@value": _HRSS.name_en, "@language": "en"},
            ],
        },
        verifier=source_verifier,
        clock=clock,
    )
    for ruleset in load_shipped().values():
        recognizer.publish_ruleset(ruleset)
    rule_credentials = [dict(d) for d in recognizer.rule_credentials]
    workers: dict[str, Worker] = {}
    for wspec in WORKERS:
        wallet = Wallet.create(home / "wallets" / wspec.slug, clock=clock)
        issued = []
        for n, (islug, kind, fields) in enumerate(wspec.credentials):
            opened = issuers[islug]
            spec = next(s for s in ISSUERS if s.slug == islug)
            data = {"name": wspec.name, "idNumber": wspec.id_number, **copy.deepcopy(dict(fields))}
            unsigned = build(
                kind,
                data,
                issuer=Issuer(opened.profile.did, spec.name_zh, spec.name_en),
                valid_from=now,
                credential_id=f"urn:uuid:{uuid.uuid4()}",
                subject_did=wallet.holder_did,
            )
            doc = opened.service.issue(unsigned, idempotency_key=f"demo-{wspec.slug}-{n}").json()
            wallet.import_bytes(_bytes(doc), source=f"demo:{islug}")
            issued.append(doc)
        recognition = recognizer.recognize(
            [issued[i] for i in wspec.sources],
            rule_id=wspec.rule,
            as_of=beijing_date(now),  # the day it is in China, not in UTC
            declarations=dict(wspec.declarations),
        ).json()
        wallet.import_bytes(_bytes(recognition), source="demo:hrss")
        workers[wspec.slug] = Worker(wspec, wallet, issued, recognition)
    verifier = make_verifier(
        trust,
        rule_credentials,
        loader,
        fetcher,
        clock=clock,
        challenges=SqliteChallengeStore(home / "challenges.sqlite3", domain=_host(base), clock=clock),
        domain=_host(base),
    )
    # the pack for checking the demo's credentials offline: its status snapshots are taken now, with everything
    # issued (valid as long as the issuers' lists, one hour; seed again for a fresh one)
    snapshots = [
        StatusSnapshot(url, json.loads(opened.service.status_list_credential(url.rsplit("/", 1)[1])), now)
        for opened in issuers.values()
        for url in opened.service.status_list_urls()
    ]
    pack = build_trust_pack(
        trust_lists=[tl_doc],
        signer=root,
        loader=loader,
        now=now,
        valid_for=timedelta(days=30),
        rule_credentials=rule_credentials,
        status_snapshots=snapshots,
    )
    checked, result = verify_trust_pack(pack, root_did=root.controller, loader=loader, now=now)
    if checked is None:
        raise RuntimeError(f"the demo trust pack does not verify: {result.to_json()}")
    world = DemoWorld(home, base, root, issuers, tokens, trust, pack, rule_credentials, workers, verifier, fetcher)
    write_files(world)
    return world


#: what the demo leaves in its home for the command line (besides issuers/ and wallets/)
PACK_FILE = "trust-pack.json"
ROOT_FILE = "root-did.txt"
COMMANDS_FILE = "commands.txt"


def write_files(world: DemoWorld) -> None:
    """The trust pack, the root DID, each credential and recognition, and ``commands.txt``: one ready-to-run
    ``skillcred verify`` per credential and ``skillcred explain`` per recognition, offline with the pack."""
    home = world.home.resolve()
    (home / PACK_FILE).write_text(json.dumps(world.trust_pack, ensure_ascii=False, indent=1), encoding="utf-8")
    (home / ROOT_FILE).write_text(world.root.controller + "\n", encoding="utf-8")
    trust = f"--trust-pack {shlex.quote(str(home / PACK_FILE))} --root {world.root.controller}"
    lines = [
        "# skillcred demo: 可直接运行的离线核验命令 / ready-to-run offline checks (sh commands.txt)",
        f"# 信任根 / trust root: {world.root.controller}",
    ]
    here = Path(sys.executable).parent  # the environment the demo runs in (make demo: .venv/bin)
    if (here / "skillcred").is_file():
        lines.append(f"PATH={shlex.quote(str(here))}:$PATH")
    files = home / "credentials"
    files.mkdir(exist_ok=True)
    for slug, worker in world.workers.items():
        paths = []
        for n, doc in enumerate(worker.credentials):
            path = files / f"{slug}-{n + 1}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            paths.append(path)
            lines.append(f"skillcred verify {shlex.quote(str(path))} {trust}")
        recognition = files / f"{slug}-recognition.json"
        recognition.write_text(json.dumps(worker.recognition, ensure_ascii=False, indent=1), encoding="utf-8")
        sources = " ".join(f"--sources {shlex.quote(str(paths[i]))}" for i in worker.spec.sources)
        lines.append(f"skillcred explain {shlex.quote(str(recognition))} {sources} {trust}")
    (home / COMMANDS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_verifier(
    trust: TrustList,
    rule_credentials: Any,
    loader: DocumentLoader,
    fetcher: LocalStatusFetcher,
    *,
    clock: Clock,
    challenges: Any = None,
    domain: str | None = None,
) -> Verifier:
    """The demo's verifier: the world's trust list, status lists read in process from the issuers."""
    return standard_verifier(
        trust=trust,
        loader=loader,
        status=StatusSource(loader=loader, fetcher=fetcher, max_age=DEMO_STATUS_MAX_AGE),
        rule_credentials=rule_credentials,
        challenges=challenges,
        domain=domain,
        clock=clock,
    )


def _bytes(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _host(base: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(base).netloc or "localhost"


__all__ = [
    "COMMANDS_FILE",
    "DEMO_PASSPHRASE",
    "DEMO_STATUS_MAX_AGE",
    "ISSUERS",
    "PACK_FILE",
    "ROOT_FILE",
    "WORKERS",
    "DemoWorld",
    "LocalStatusFetcher",
    "build_world",
    "make_verifier",
    "write_files",
]
