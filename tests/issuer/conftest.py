"""Issuer fixtures: every registry test runs on SQLite (a file in ``tmp_path``) and on PostgreSQL (a
fresh schema per test at ``SKILLCRED_TEST_PG_URL``, skipped only when the server is unreachable).

The worker functions at the bottom run in child processes (``spawn``): each opens its own store.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from issuer.cli import issuer_group
from issuer.engine import CrashHook
from issuer.home import IssuerHome, open_issuer
from issuer.keystore import MINIMAL, KeyStore
from issuer.profile import IssuerProfile
from issuer.service import IssuerService
from issuer.store.registry import Store
from tests.support import CLOCK, NOW, invoke
from vccore.did.resolver import DidResolver
from vccore.jsonld.loader import DocumentLoader

PG_URL = os.environ.get("SKILLCRED_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSPHRASE = "correct horse battery staple"
#: the CLI option for the identity hash at its test cost
FAST = ["--identity-hash-params", "test"]
PROFILE = IssuerProfile.for_did_web(
    "eval.example-heavy-machine.cn",
    path=("issuers", "cnc"),
    name_zh="示例重型机床有限公司",
    name_en="Example Heavy Machine Co.",
)


@dataclass(frozen=True)
class Target:
    """Where a test's registry lives; picklable, so child processes can open their own store."""

    url: str
    schema: str | None = None

    def open(self, *, busy_timeout: float = 10.0, migrate: bool = True, **options: Any) -> Store:
        return Store(self.url, schema=self.schema, busy_timeout=busy_timeout, migrate=migrate, **options)

    def raw(self, sql: str) -> None:
        """Run one statement outside the store (to show what the database itself refuses)."""
        if self.schema is None:
            conn = sqlite3.connect(self.url, isolation_level=None)
            try:
                conn.execute(sql)
            finally:
                conn.close()
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as pg:
            pg.execute(f'SET search_path TO "{self.schema}"')
            pg.execute(sql)


def _pg_target() -> Iterator[Target]:
    import psycopg

    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as err:
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {err}")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield Target(PG_URL, schema)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sqlite":
        yield Target(str(tmp_path / "registry.db"))
    else:
        yield from _pg_target()


@pytest.fixture
def store(target: Target) -> Iterator[Store]:
    with target.open() as opened:
        yield opened


def build_service(
    store: Store, *, clock: Callable[[], datetime] = lambda: NOW, crash_hook: CrashHook | None = None, **options: Any
) -> IssuerService:
    """A service on ``store``; generates the issuer's first key when the registry has none."""
    keystore = KeyStore(store, limits=MINIMAL)
    if not keystore.records():
        keystore.generate(PASSPHRASE, controller=PROFILE.did, now=NOW)
    return IssuerService(
        store=store,
        profile=PROFILE,
        keystore=keystore,
        passphrase=PASSPHRASE,
        loader=DocumentLoader(),
        clock=clock,
        crash_hook=crash_hook,
        **options,
    )


@pytest.fixture
def service(store: Store) -> IssuerService:
    return build_service(store)


def verifying_loader(service: IssuerService) -> DocumentLoader:
    """A loader that resolves the issuer's did:web from its current DID document (offline)."""
    return DocumentLoader(resolver=DidResolver(documents={PROFILE.did: service.did_document()}))


def small_credential(n: int = 0) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": f"did:example:worker-{n}"},
    }


class Cli:
    """``skillcred issuer ...`` in the issuer home ``home``, with the passphrase in the environment."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, passphrase: str | None = PASSPHRASE) -> Result:
        env = {"SKILLCRED_HOME": str(self.home), "SKILLCRED_PASSPHRASE": passphrase}
        result = invoke(issuer_group, args, env=env, catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    def init(self, *extra: str) -> str:
        result = self(
            "init",
            "--did-web",
            "eval.example-heavy-machine.cn/issuers/cnc",
            "--name-zh",
            "示例重型机床有限公司",
            "--name-en",
            "Example Heavy Machine Co.",
            "--key-kdf",
            "minimal",
            *extra,
        )
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    def loader(self) -> DocumentLoader:
        with open_issuer(IssuerHome(self.home), passphrase=PASSPHRASE, clock=CLOCK) as opened:
            document = opened.service.did_document()
        return DocumentLoader(resolver=DidResolver(documents={document["id"]: document}))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


# --- child-process workers (spawn) -----------------------------------------------------------------


def issue_worker(target: Target, count: int, offset: int) -> list[tuple[str, str, int, str, int]]:
    """Issue ``count`` credentials; (id, revocation list, index, suspension list, index) of each."""
    with target.open(busy_timeout=30.0) as opened:
        service = build_service(opened)
        out = []
        for i in range(count):
            issued = service.issue(small_credential(offset + i))
            out.append(
                (
                    issued.id,
                    issued.revocation.list_id,
                    issued.revocation.index,
                    issued.suspension.list_id,
                    issued.suspension.index,
                )
            )
        return out


def same_keys_worker(target: Target, keys: list[str], start: Any, out: Any) -> None:
    """Wait for ``start``, then issue one credential per key (the same keys as another process, in the
    same order); put ``(key, credential id, released bytes)`` of each on ``out``."""
    with target.open(busy_timeout=60.0) as opened:
        service = build_service(opened)
        start.wait(60)
        issued = [service.issue(small_credential(), idempotency_key=key) for key in keys]
        out.put([(key, i.id, i.document) for key, i in zip(keys, issued, strict=True)])


def revoke_worker(target: Target, ids: list[str]) -> int:
    """Revoke each id; how many calls changed something."""
    with target.open(busy_timeout=30.0) as opened:
        service = build_service(opened)
        return sum(service.revoke(i).changed for i in ids)


def crash_worker(target: Target, point: str, key: str, released: str) -> None:
    """Issue with a crash (``os._exit``) at ``point``; write the bytes to ``released`` if returned."""

    def hook(reached: str) -> None:
        if reached == point:
            os._exit(17)

    with target.open() as opened:
        service = build_service(opened, crash_hook=hook)
        issued = service.issue(small_credential(), idempotency_key=key)
        Path(released).write_bytes(issued.document)


def decode_json(data: bytes) -> dict[str, Any]:
    value = json.loads(data)
    assert isinstance(value, dict)
    return value
