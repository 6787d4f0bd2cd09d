"""``skillcred-verifier``: verify a file, or serve the HTTP API. Click lives only here.

Trust comes from a trust pack signed by the configured root DID (``--trust-pack`` + ``--root``), or
is switched off explicitly with ``--trust any`` (every answer then says so). Status lists come from
the pack's snapshots and, with ``--online``, from the network through the guarded fetcher.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from vccore.clock import Clock, fixed_clock, runtime_clock
from vccore.did.resolver import DidResolver
from vccore.errors import SkillcredError
from vccore.fetch import HttpsFetcher
from vccore.jsonld.loader import DocumentLoader, OperatorContext, pin_context, pins_from_config
from vccore.result import VerificationResult
from vccore.timeutil import parse_datetime
from vccore.trust.pack import parse_trust_pack, verify_trust_pack
from verifier.challenges import open_challenge_store
from verifier.pipeline import Verifier, standard_verifier
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
    clock: Clock,
    allow_fetch: tuple[str, ...] = (),
    pinned: tuple[OperatorContext, ...] = (),
    examples: bool = False,
    inline: bool = False,
) -> Verifier:
    """Compose a :class:`Verifier` from command-line choices, deciding by ``clock``. Raises
    ``click.UsageError``. ``allow_fetch`` (``HOST[:PORT]``) exempts those endpoints from the fetcher's
    public-address rule (:mod:`vccore.fetch`); it needs ``online``. ``pinned`` and ``examples`` add
    operator contexts and the W3C examples contexts; a trust pack adds the contexts its root pinned."""
    if allow_fetch and not online:
        raise click.UsageError("--allow-fetch needs --online (nothing is fetched offline)")
    try:
        fetcher = HttpsFetcher(allow_fetch=allow_fetch) if online else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--allow-fetch") from err
    resolver = DidResolver(did_web=web_resolver(fetcher) if fetcher else None)
    loader = DocumentLoader(resolver=resolver, examples=examples, pinned=pinned, inline_contexts=inline)
    now = clock()
    trust = None
    rule_credentials: tuple[Any, ...] = ()
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
        rule_credentials = tuple(pack.rule_credentials)
        loader = loader.with_resolver(resolver.with_documents(pack.did_documents))
        try:
            loader = loader.with_pinned(pack.contexts)
        except SkillcredError as err:
            raise click.UsageError(f"the trust pack's contexts: {err.detail}") from err
    elif not trust_any:
        raise click.UsageError("give --trust-pack and --root, or --trust any")
    store = open_challenge_store(challenges, domain=domain or "localhost", clock=clock) if challenges else None
    return standard_verifier(
        trust=trust,
        trust_any=trust_any,
        loader=loader,
        challenges=store,
        domain=domain,
        status=StatusSource(loader=loader, snapshots=snapshots, fetcher=fetcher),
        freshness=freshness,
        clock=clock,
        rule_credentials=rule_credentials,
    )


def render_result(result: VerificationResult, *, indent: str = "") -> list[str]:
    """The human form: a verdict line, then one line per failed check (nested failures indented) and
    one per warning."""
    lines: list[str] = []
    if not indent:
        verdict = "✓ VERIFIED / 验证通过" if result.verified else "✗ NOT VERIFIED / 验证未通过"
        lines.append(f"{verdict}{'  ' + result.subject if result.subject else ''}")
    for check in result.checks:
        for problem in check.problems:
            where = f" at {problem.pointer}" if problem.pointer else ""
            detail = f": {problem.detail}" if problem.detail else ""
            lines.append(
                f"{indent}  {check.name}: {problem.code.value} — {problem.title} / {problem.title_zh}{detail}{where}"
            )
        for child in check.children:
            if not child.verified:
                lines.append(f"{indent}  └ {child.subject or 'nested document'}:")
                lines.extend(render_result(child, indent=indent + "    "))
    for warning in result.warnings:
        lines.append(f"{indent}  warning: {warning.code.value} — {warning.detail}")
    return lines


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_source(source: str, *, max_bytes: int) -> bytes:
    """JSON bytes from a file, ``-`` (standard input), a QR payload string (``SC2:…``) or a QR image."""
    from vccore.qr import payload as qr
    from vccore.qr.read import read_qr

    if source.startswith((qr.DOCUMENT_PREFIX, qr.REFERENCE_PREFIX)):
        payload = source
    else:
        try:
            if source == "-":
                data = sys.stdin.buffer.read(max_bytes + 1)
            else:
                data = Path(source).read_bytes()
        except OSError as err:
            raise click.ClickException(f"cannot read {source}: {err.strerror}") from err
        stripped = data.strip()
        if data.startswith(_IMAGE_MAGIC):
            try:
                payload = read_qr(data)
            except SkillcredError as err:
                raise click.ClickException(f"{source}: {err}") from err
        elif stripped.startswith((qr.DOCUMENT_PREFIX.encode(), qr.REFERENCE_PREFIX.encode())):
            payload = stripped.decode("ascii", "replace")
        else:
            return data
    try:
        decoded = qr.decode_any(payload)
    except SkillcredError as err:
        raise click.ClickException(f"QR payload: {err}") from err
    if decoded.document is None:
        ref = decoded.reference
        raise click.ClickException(
            f"this QR code points to {ref.url if ref else '?'}: fetch that document and verify the file "
            "(its SHA-256 must match the QR code) / 该二维码指向在线文档，请下载后验证"
        )
    return json.dumps(decoded.document, ensure_ascii=False).encode("utf-8")


_common = [
    click.option(
        "--trust-pack", envvar="SKILLCRED_TRUST_PACK", type=click.Path(path_type=Path, dir_okay=False, exists=True)
    ),
    click.option("--root", envvar="SKILLCRED_TRUST_ROOT", help="DID of the trust root that signs the pack"),
    click.option(
        "--trust",
        "trust_mode",
        type=click.Choice(["pack", "any"]),
        default="pack",
        help="'any' turns an unknown issuer into a warning (testing only, said on every answer)",
    ),
    click.option("--online/--offline", default=False, help="fetch did:web documents and status lists"),
    click.option(
        "--allow-fetch",
        "allow_fetch",
        multiple=True,
        metavar="HOST[:PORT]",
        help="允许联网查询访问该内网或本机地址（可重复；默认不允许，仅用于测试和内网）。 Let --online fetch from this "
        "host (and port), even on a private or loopback address; plain http only on loopback. Repeatable; off "
        "by default (test and intranet setups).",
    ),
    click.option(
        "--context",
        "pinned",
        multiple=True,
        type=(str, click.Path(path_type=Path, dir_okay=False, exists=True), str),
        metavar="URL FILE SHA256",
        help="固定一个额外的 JSON-LD 上下文（网址、文件、SHA-256；可重复）。 Pin one more JSON-LD context: its URL, "
        "the file with its bytes and their SHA-256 (repeatable).",
    ),
    click.option(
        "--contexts-config",
        "contexts_config",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help='上下文配置文件（JSON）。 A JSON file {"contexts": [{"url", "file", "sha256"}], '
        '"examplesContexts": true|false}; files relative to it.',
    ),
    click.option(
        "--examples-contexts",
        "examples",
        is_flag=True,
        help="允许 W3C 示例上下文（仅用于一致性测试）。 Allow the W3C examples contexts, shipped pinned: for the "
        "conformance suites (docs/conformance.md).",
    ),
    click.option(
        "--inline-contexts",
        "inline",
        is_flag=True,
        help="接受内联上下文（安全模式；skillcred 自有凭证除外）。 Accept inline @context objects (term definitions "
        "only, safe mode; never with skillcred's own types).",
    ),
]


def pins_from_options(
    pairs: tuple[tuple[str, Path, str], ...], config: Path | None
) -> tuple[tuple[OperatorContext, ...], bool]:
    """The operator contexts of ``--context URL FILE SHA256`` and of ``--contexts-config FILE`` (JSON
    ``{"contexts": [{"url", "file", "sha256"}], "examplesContexts": bool}``, files relative to it), and
    whether the config switches the examples contexts on. A refusal is a usage error."""
    pins: list[OperatorContext] = []
    examples = False
    try:
        for url, path, sha256 in pairs:
            pins.append(pin_context(url, path.read_bytes(), sha256))
        if config is not None:
            from vccore.jsonstrict import loads

            data = loads(config.read_bytes(), max_bytes=1024 * 1024)
            if not isinstance(data, dict):
                raise SkillcredError(f"{config}: expected a JSON object")
            examples = data.get("examplesContexts") is True
            pins += pins_from_config(
                data.get("contexts", []), read=lambda name: (config.parent / name).read_bytes(), where=str(config)
            )
    except (OSError, SkillcredError) as err:
        raise click.BadParameter(str(getattr(err, "detail", err)), param_hint="--context/--contexts-config") from err
    return tuple(pins), examples


def _context_choices(pairs: tuple[tuple[str, Path, str], ...], config: Path | None, examples: bool) -> dict[str, Any]:
    pins, from_config = pins_from_options(pairs, config)
    return {"pinned": pins, "examples": examples or from_config}


def _options(f: Any) -> Any:
    for option in reversed(_common):
        f = option(f)
    return f


@click.group("verifier")
def main() -> None:
    """Verify skillcred credentials and presentations / 验证凭证与出示."""


verifier_group = main


@main.command()
@click.argument("source")
@_options
@click.option("--challenge", help="expected challenge (presentations)")
@click.option("--domain", help="expected domain (presentations)")
@click.option("--now", "now_text", help="verify as of this time (ISO 8601 with offset)")
@click.option("--json", "as_json", is_flag=True, help="print the full result as JSON")
@click.pass_context
def verify(
    ctx: click.Context,
    source: str,
    trust_pack: Path | None,
    root: str | None,
    trust_mode: str,
    online: bool,
    allow_fetch: tuple[str, ...],
    pinned: tuple[tuple[str, Path, str], ...],
    contexts_config: Path | None,
    examples: bool,
    inline: bool,
    challenge: str | None,
    domain: str | None,
    now_text: str | None,
    as_json: bool,
) -> None:
    """Verify a credential or presentation: FILE, - (stdin), a QR payload (SC2:…) or a QR image.

    验证凭证或出示：文件、二维码内容或二维码图片。Exit 0 verified, 1 not verified, 2 usage."""
    try:
        clock = fixed_clock(parse_datetime(now_text, field="--now")) if now_text else runtime_clock(ctx)
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--now") from err
    verifier = build_verifier(
        trust_pack=trust_pack,
        root=root,
        trust_any=trust_mode == "any",
        online=online,
        clock=clock,
        allow_fetch=allow_fetch,
        **_context_choices(pinned, contexts_config, examples),
        inline=inline,
    )
    data = read_source(source, max_bytes=verifier.max_bytes)
    run_verification(verifier, data, challenge=challenge, domain=domain, as_json=as_json)


def run_verification(
    verifier: Verifier, data: bytes, *, challenge: str | None, domain: str | None, as_json: bool
) -> None:
    """Verify raw JSON bytes as a credential or a presentation, print, exit 1 unless verified."""
    if b'"VerifiablePresentation"' in data:
        result = verifier.verify_presentation(data, challenge=challenge, domain=domain)
    else:
        result = verifier.verify_credential(data)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in render_result(result):
            click.echo(line)
    if not result.verified:
        raise SystemExit(1)


@main.command()
@_options
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8402, type=int)
@click.option("--challenges", default="verifier-challenges.db", help="SQLite path or postgresql:// URL")
@click.option("--domain", default="localhost", help="this verifier's domain (bound into challenges)")
@click.option(
    "--api-profile",
    "api_profile",
    type=click.Choice(["skillcred", "vc-api"]),
    default="skillcred",
    show_default=True,
    help="出示验证接口的规则：skillcred（本验证方签发的一次性挑战、必须有持有人）或 vc-api（调用方提供挑战与域，"
    "持有人可选）。 Rules of POST /presentations/verify: skillcred (a challenge this verifier issued, used once; a "
    "holder) or vc-api (the caller's options.challenge/domain checked against the proof; holder optional unless "
    "requested or a skillcred credential needs it). docs/conformance.md",
)
@click.pass_context
def serve(
    ctx: click.Context,
    trust_pack: Path | None,
    root: str | None,
    trust_mode: str,
    online: bool,
    allow_fetch: tuple[str, ...],
    pinned: tuple[tuple[str, Path, str], ...],
    contexts_config: Path | None,
    examples: bool,
    inline: bool,
    host: str,
    port: int,
    challenges: str,
    domain: str,
    api_profile: str,
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from verifier.apiprofile import PROFILES
    from verifier.app import create_app

    verifier = build_verifier(
        trust_pack=trust_pack,
        root=root,
        trust_any=trust_mode == "any",
        online=online,
        challenges=challenges,
        domain=domain,
        clock=runtime_clock(ctx),
        allow_fetch=allow_fetch,
        **_context_choices(pinned, contexts_config, examples),
        inline=inline,
    )
    uvicorn.run(create_app(verifier, presentation_rules=PROFILES[api_profile]), host=host, port=port)


@main.group("pack")
def pack_group() -> None:
    """Trust packs: trust lists, rules, contexts and status snapshots in one signed file / 信任包."""


@pack_group.command("build")
@click.option(
    "--root-key",
    "root_key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="the root's key file (skillcred keys generate)",
)
@click.option(
    "--trust-list",
    "trust_lists",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="signed TrustListCredential",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="signed RecognitionRuleCredential",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="a signed status list credential to snapshot",
)
@click.option(
    "--did-document",
    "did_docs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="a DID document to bundle",
)
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 90), help="how long the pack is valid")
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--context",
    "pinned",
    multiple=True,
    type=(str, click.Path(path_type=Path, dir_okay=False, exists=True), str),
    metavar="URL FILE SHA256",
    help="把一个额外上下文固定在信任包中（可重复）。 Pin one more JSON-LD context in the pack, bytes included, for "
    "every verifier that uses it (repeatable).",
)
@click.pass_context
def pack_build(
    ctx: click.Context,
    root_key: Path,
    trust_lists: tuple[Path, ...],
    rules: tuple[Path, ...],
    statuses: tuple[Path, ...],
    did_docs: tuple[Path, ...],
    days: int,
    out: Path,
    pinned: tuple[tuple[str, Path, str], ...],
) -> None:
    """Build and sign a trust pack for offline verification."""
    from vccore.jsonstrict import loads
    from vccore.keys import KeyPair
    from vccore.trust.pack import StatusSnapshot, build_trust_pack

    def read(path: Path) -> Any:
        try:
            return loads(path.read_bytes(), max_bytes=32 * 1024 * 1024)
        except (OSError, SkillcredError) as err:
            raise click.ClickException(f"{path}: {err}") from err

    try:
        signer = KeyPair.from_json(read(root_key))
    except SkillcredError as err:
        raise click.ClickException(f"{root_key}: {err.detail}") from err
    now = runtime_clock(ctx)()
    docs = {}
    for path in did_docs:
        doc = read(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise click.ClickException(f"{path}: not a DID document")
        docs[doc["id"]] = doc
    snapshots = []
    for path in statuses:
        cred = read(path)
        if not isinstance(cred, dict) or not isinstance(cred.get("id"), str):
            raise click.ClickException(f"{path}: not a status list credential")
        snapshots.append(StatusSnapshot(cred["id"], cred, now))
    loader = DocumentLoader(resolver=DidResolver(documents=docs))
    pack = build_trust_pack(
        trust_lists=[read(p) for p in trust_lists],
        signer=signer,
        loader=loader,
        now=now,
        valid_for=timedelta(days=days),
        rule_credentials=[read(p) for p in rules],
        status_snapshots=snapshots,
        did_documents=docs,
        pinned_contexts={
            c.url: path.read_bytes() for c, (_, path, _) in zip(pins_from_options(pinned, None)[0], pinned, strict=True)
        },
    )
    out.write_text(json.dumps(pack, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(
        f"wrote {out} ({len(trust_lists)} trust list(s), {len(rules)} rule credential(s), "
        f"{len(snapshots)} status snapshot(s), valid {days} days)"
    )


@pack_group.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--root", envvar="SKILLCRED_TRUST_ROOT", required=True, help="DID of the trust root")
@click.pass_context
def pack_show(ctx: click.Context, file: Path, root: str) -> None:
    """Verify a trust pack and show what it holds and how fresh it is."""
    try:
        document = parse_trust_pack(file.read_bytes())
    except (OSError, SkillcredError) as err:
        raise click.ClickException(f"cannot read the trust pack: {err}") from err
    docs = document.get("didDocuments") if isinstance(document, dict) else None
    resolver = DidResolver(documents=docs if isinstance(docs, dict) else {})
    now = runtime_clock(ctx)()
    pack, result = verify_trust_pack(document, root_did=root, loader=DocumentLoader(resolver=resolver), now=now)
    if pack is None:
        for p in result.problems():
            click.echo(f"FAIL {p.code.value}: {p.detail}")
        raise SystemExit(1)
    click.echo(
        f"trust pack from {root}, created {pack.created_at.isoformat()}, valid until {pack.valid_until.isoformat()}"
    )
    for issuer in pack.trust_list.issuers:
        kinds = ", ".join(issuer.credential_types)
        click.echo(f"  {issuer.name_zh} / {issuer.name_en}  {issuer.did}  [{', '.join(issuer.jurisdictions)}] {kinds}")
    click.echo(f"  {len(pack.rule_credentials)} rule credential(s), {len(pack.status_snapshots)} status snapshot(s)")
    click.echo("  freshness: " + json.dumps(pack.freshness(now), ensure_ascii=False, default=str))


@main.group("trust-list")
def trust_list_group() -> None:
    """Trust lists: who may issue what, where and when, signed by the root / 信任列表."""


@trust_list_group.command("sign")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--root-key",
    "root_key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="the root's key file (skillcred keys generate)",
)
@click.option("--id", "list_id", default="urn:skillcred:trust-list", show_default=True)
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="how long the list is valid")
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_context
def trust_list_sign(ctx: click.Context, file: Path, root_key: Path, list_id: str, days: int, out: Path) -> None:
    """Sign a trust list (JSON: {version: 1, issued, issuers: [{id, name: {zh, en}, roles, jurisdictions,
    credentialTypes, keys: [{id, validFrom, validUntil}]}]}) as a TrustListCredential of the root."""
    from vccore.di.proofs import ProofOptions, add_proof
    from vccore.jsonstrict import loads
    from vccore.keys import KeyPair
    from vccore.trust.lists import TrustList, trust_list_credential

    try:
        trust = TrustList.from_json(loads(file.read_bytes()))
        signer = KeyPair.from_json(loads(root_key.read_bytes()))
    except OSError as err:
        raise click.ClickException(f"cannot read: {err}") from err
    now = runtime_clock(ctx)()
    loader = DocumentLoader()
    unsigned = trust_list_credential(
        trust, root_did=signer.controller, id=list_id, now=now, valid_for=timedelta(days=days)
    )
    signed = add_proof(unsigned, signer=signer, loader=loader, options=ProofOptions(created=now))
    out.write_text(json.dumps(signed, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out}: {len(trust.issuers)} issuer(s), signed by {signer.controller}, valid {days} days")
