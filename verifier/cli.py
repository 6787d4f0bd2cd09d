"""``skillcred-verifier``: verify a file, or serve the HTTP API. Click lives only here.

Trust comes from a trust pack signed by the configured root DID (``--trust-pack`` + ``--root``), or
is switched off explicitly with ``--trust any`` (every answer then says so). Status lists come from
the pack's snapshots and, with ``--online``, from the network through the guarded fetcher.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vccore.dids import DidResolver
from vccore.errors import SkillcredError
from vccore.fetch import HttpsFetcher
from vccore.loader import DocumentLoader
from vccore.result import VerificationResult
from vccore.timeutil import utcnow
from vccore.trustpack import parse_trust_pack, verify_trust_pack
from verifier.challenges import open_challenge_store
from verifier.pipeline import Verifier
from verifier.status import StatusSource
from verifier.webdid import web_resolver


def build_verifier(
    *,
    trust_pack: Path | None,
    root: str | None,
    trust_any: bool,
    online: bool,
    challenges: str | None = None,
    domain: str | None = None,
) -> Verifier:
    """Compose a :class:`Verifier` from command-line choices. Raises ``click.UsageError``."""
    fetcher = HttpsFetcher() if online else None
    resolver = DidResolver(did_web=web_resolver(fetcher) if fetcher else None)
    loader = DocumentLoader(resolver=resolver)
    now = utcnow()
    trust = None
    snapshots: tuple[Any, ...] = ()
    freshness: dict[str, Any] = {}
    if trust_pack is not None:
        if not root:
            raise click.UsageError("--trust-pack needs --root (the DID that signs the pack)")
        try:
            document = parse_trust_pack(trust_pack.read_bytes())
        except (OSError, SkillcredError) as err:
            raise click.UsageError(f"cannot read the trust pack: {err}") from err
        pack, result = verify_trust_pack(document, root_did=root, loader=loader, now=now)
        if pack is None:
            problems = "; ".join(f"{p.code.value}: {p.detail}" for p in result.problems())
            raise click.UsageError(f"the trust pack does not verify: {problems}")
        trust, snapshots, freshness = pack.trust_list, pack.status_snapshots, pack.freshness(now)
        loader = loader.with_resolver(resolver.with_documents(pack.did_documents))
    elif not trust_any:
        raise click.UsageError("give --trust-pack and --root, or --trust any")
    store = open_challenge_store(challenges, domain=domain or "localhost") if challenges else None
    return Verifier(
        trust=trust,
        trust_any=trust_any,
        loader=loader,
        challenges=store,
        domain=domain,
        status=StatusSource(loader=loader, snapshots=snapshots, fetcher=fetcher),
        freshness=freshness,
    )


def _print(result: VerificationResult, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for w in result.warnings:
        click.echo(f"WARNING {w.code.value}: {w.detail}", err=True)
    for check in result.checks:
        click.echo(f"{'ok  ' if check.passed else 'FAIL'} {check.name}")
        for p in check.problems:
            click.echo(f"     {p.code.value}: {p.detail} / {p.title_zh}")
    click.echo("VERIFIED / 验证通过" if result.verified else "NOT VERIFIED / 验证未通过")


_common = [
    click.option("--trust-pack", type=click.Path(path_type=Path, dir_okay=False, exists=True)),
    click.option("--root", help="DID of the trust root that signs the pack"),
    click.option("--trust", "trust_mode", type=click.Choice(["pack", "any"]), default="pack"),
    click.option("--online/--offline", default=False, help="fetch did:web documents and status lists"),
]


def _options(f: Any) -> Any:
    for option in reversed(_common):
        f = option(f)
    return f


@click.group()
def main() -> None:
    """Verify skillcred credentials and presentations."""


@main.command()
@click.argument("file", type=click.File("rb"))
@_options
@click.option("--challenge", help="expected challenge (presentations)")
@click.option("--domain", help="expected domain (presentations)")
@click.option("--json", "as_json", is_flag=True)
def verify(
    file: Any,
    trust_pack: Path | None,
    root: str | None,
    trust_mode: str,
    online: bool,
    challenge: str | None,
    domain: str | None,
    as_json: bool,
) -> None:
    """Verify a credential or presentation (JSON file, or - for stdin)."""
    verifier = build_verifier(trust_pack=trust_pack, root=root, trust_any=trust_mode == "any", online=online)
    data = file.read(verifier.max_bytes + 1)
    if b'"VerifiablePresentation"' in data:
        result = verifier.verify_presentation(data, challenge=challenge, domain=domain)
    else:
        result = verifier.verify_credential(data)
    _print(result, as_json)
    if not result.verified:
        raise SystemExit(1)


@main.command()
@_options
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8402, type=int)
@click.option("--challenges", default="verifier-challenges.db", help="SQLite path or postgresql:// URL")
@click.option("--domain", default="localhost", help="this verifier's domain (bound into challenges)")
def serve(
    trust_pack: Path | None,
    root: str | None,
    trust_mode: str,
    online: bool,
    host: str,
    port: int,
    challenges: str,
    domain: str,
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from verifier.app import create_app

    verifier = build_verifier(
        trust_pack=trust_pack,
        root=root,
        trust_any=trust_mode == "any",
        online=online,
        challenges=challenges,
        domain=domain,
    )
    uvicorn.run(create_app(verifier), host=host, port=port)
