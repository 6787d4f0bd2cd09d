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
from verifier.pipeline import Freshness, Verifier, standard_verifier
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
    freshness: Freshness | None = None
    if trust_pack is not None:
        if not root:
            raise click.UsageError("--trust-pack needs --root (the DID that signs the pack)")
        try:
            document = parse_trust_pack(trust_pack.read_bytes())
        except FileNotFoundError:  # the root's one wording, exit 2
            raise
        except (OSError, SkillcredError) as err:
            raise click.UsageError(f"cannot read the trust pack: {err}") from err
        pack, result = verify_trust_pack(document, root_did=root, loader=loader, now=now)
        if pack is None:
            problems = "; ".join(f"{p.code.value}: {p.detail}" for p in result.problems())
            raise click.UsageError(f"the trust pack does not verify: {problems}")
        trust, snapshots, freshness = pack.trust_list, pack.status_snapshots, pack.freshness  # per answer
        rule_credentials = tuple(pack.rule_credentials)
        loader = loader.with_resolver(resolver.with_documents(pack.did_documents))
        try:
            loader = loader.with_pinned(pack.contexts)
        except SkillcredError as err:
            raise click.UsageError(f"the trust pack's contexts: {err.detail}") from err
    elif not trust_any:
        raise click.UsageError("give --trust-pack and --root, or --trust any")
    from verifier.challenges import open_challenge_store  # its PostgreSQL driver only when it is used

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
    """The human form, Chinese first: a verdict line, then one line per failed check (nested failures
    indented) and one per warning."""
    lines: list[str] = []
    if not indent:
        verdict = "✓ 验证通过 / VERIFIED" if result.verified else "✗ 验证未通过 / NOT VERIFIED"
        lines.append(f"{verdict}{'  ' + result.subject if result.subject else ''}")
    for check in result.checks:
        for problem in check.problems:
            where = f" at {problem.pointer}" if problem.pointer else ""
            detail = f": {problem.detail}" if problem.detail else ""
            lines.append(
                f"{indent}  {check.name}: {problem.code.value} — {problem.title_zh} / {problem.title}{detail}{where}"
            )
        for child in check.children:
            if not child.verified:
                lines.append(f"{indent}  └ {child.subject or 'nested document'}:")
                lines.extend(render_result(child, indent=indent + "    "))
    for warning in result.warnings:
        lines.append(f"{indent}  提示 / warning: {warning.code.value} — {warning.detail}")
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
        except FileNotFoundError:  # the root's one wording, exit 2
            raise
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
        "--trust-pack",
        envvar="SKILLCRED_TRUST_PACK",
        type=click.Path(path_type=Path, dir_okay=False),
        help="信任包文件（verifier pack build 生成）。 The trust pack file (from verifier pack build).",
    ),
    click.option(
        "--root",
        envvar="SKILLCRED_TRUST_ROOT",
        help="签署信任包的信任根 DID。 DID of the trust root that signs the pack.",
    ),
    click.option(
        "--trust",
        "trust_mode",
        type=click.Choice(["pack", "any"]),
        default="pack",
        help="any：未知签发机构只作警告（仅供测试，每个结果都会注明）。 'any' turns an unknown issuer into a warning "
        "(testing only, said on every answer).",
    ),
    click.option(
        "--online/--offline",
        default=False,
        help="联网获取 did:web 文档和状态列表。 Fetch did:web documents and status lists.",
    ),
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
        type=(str, click.Path(path_type=Path, dir_okay=False), str),
        metavar="URL FILE SHA256",
        help="固定一个额外的 JSON-LD 上下文（网址、文件、SHA-256；可重复）。 Pin one more JSON-LD context: its URL, "
        "the file with its bytes and their SHA-256 (repeatable).",
    ),
    click.option(
        "--contexts-config",
        "contexts_config",
        type=click.Path(path_type=Path, dir_okay=False),
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
    """验证方：验证凭证与出示，信任包与信任列表。 Verify credentials and presentations; trust packs and lists."""


verifier_group = main


@main.command()
@click.argument("source")
@_options
@click.option("--challenge", help="预期的挑战值（出示）。 Expected challenge (presentations).")
@click.option("--domain", help="预期的域（出示）。 Expected domain (presentations).")
@click.option(
    "--now", "now_text", help="按此时间验证（ISO 8601，带时区）。 Verify as of this time (ISO 8601 with offset)."
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出完整结果。 Print the full result as JSON.")
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
    """验证凭证或出示：文件、-（标准输入）、二维码内容（SC2:…）或二维码图片；退出码 0 通过，1 未通过，2 用法错误。

    Verify a credential or presentation: FILE, - (stdin), a QR payload (SC2:…) or a QR image. Exit 0 verified,
    1 not verified, 2 usage."""
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
@click.option("--host", default="127.0.0.1", help="监听地址。 Address to listen on.")
@click.option("--port", default=8402, type=int, help="监听端口。 Port to listen on.")
@click.option(
    "--challenges",
    default="verifier-challenges.db",
    help="挑战值存储：SQLite 路径或 postgresql:// 网址。 Challenge store: a SQLite path or a postgresql:// URL.",
)
@click.option(
    "--domain",
    default="localhost",
    help="本验证方的域（写入挑战值）。 This verifier's domain (bound into challenges).",
)
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
    """启动验证方 HTTP 接口和扫码页面。 Serve the verifier's HTTP API and scan page."""
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
    """信任包：信任列表、规则、上下文与状态快照合为一个签名文件。 Trust packs: trust lists, rules, contexts and status
    snapshots in one signed file."""


@pack_group.command("build")
@click.option(
    "--root-key",
    "root_key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="根密钥文件（skillcred keys generate）。 The root's key file (skillcred keys generate).",
)
@click.option(
    "--trust-list",
    "trust_lists",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="已签名的信任列表凭证。 A signed TrustListCredential (skillcred verifier trust-list sign).",
)
@click.option(
    "--rules",
    "rules",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="规则凭证文件（一个或 JSON 列表，skillcred issuer rules publish --out）。 "
    "Signed RecognitionRuleCredentials: one, or a JSON list (skillcred issuer rules publish --out FILE).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="要快照的已签名状态列表凭证文件。 A signed status list credential file to snapshot.",
)
@click.option(
    "--status-from",
    "status_from",
    multiple=True,
    metavar="URL",
    help="从签发机构获取其全部状态列表（机构根地址，或单个列表地址 …/status/ID）；did:web 机构的 DID 文档一并获取。 "
    "Fetch status lists from an issuer: its base URL (all its lists) or one list's URL (…/status/ID); "
    "a did:web issuer's DID document comes from the same server.",
)
@click.option(
    "--did-document",
    "did_docs",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="要打包的 DID 文档（did:key 的文档自动生成）。 A DID document to bundle (did:key documents are derived).",
)
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(1, 90),
    help="信任包有效天数。 How long the pack is valid.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="输出文件。 Where to write the pack.",
)
@click.option(
    "--context",
    "pinned",
    multiple=True,
    type=(str, click.Path(path_type=Path, dir_okay=False), str),
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
    status_from: tuple[str, ...],
    did_docs: tuple[Path, ...],
    days: int,
    out: Path,
    pinned: tuple[tuple[str, Path, str], ...],
) -> None:
    """构建并签名离线核验用的信任包，并列出仍缺少的内容。 Build and sign a trust pack for offline verification;
    did:key documents are derived, status lists fetched with --status-from, and what is still missing is
    said (on stderr)."""
    from vccore.jsonstrict import loads
    from vccore.keys import KeyPair
    from vccore.trust.lists import verify_trust_list_credential
    from vccore.trust.pack import StatusSnapshot, build_trust_pack
    from verifier import packsources

    def read(path: Path) -> Any:
        try:
            return loads(path.read_bytes(), max_bytes=32 * 1024 * 1024)
        except FileNotFoundError:  # the root's one wording, exit 2
            raise
        except (OSError, SkillcredError) as err:
            raise click.ClickException(f"{path}: {err}") from err

    try:
        signer = KeyPair.from_json(read(root_key))
    except SkillcredError as err:
        raise click.ClickException(f"{root_key}: {err.detail}") from err
    now = runtime_clock(ctx)()
    list_docs = [read(p) for p in trust_lists]
    parsed = []
    for path, doc in zip(trust_lists, list_docs, strict=True):
        trust, result = verify_trust_list_credential(doc, root_did=signer.controller, loader=DocumentLoader(), now=now)
        if trust is None:
            problems = "; ".join(f"{p.code.value}: {p.detail}" for p in result.problems())
            raise click.ClickException(f"{path}: the trust list does not verify with this root key: {problems}")
        parsed.append(trust)
    docs: dict[str, Any] = packsources.did_key_documents(parsed)
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
    if status_from:
        try:
            fetched = packsources.fetch_from_issuers(
                status_from, fetcher=packsources.operator_fetcher(status_from), have_documents=docs, now=now
            )
        except SkillcredError as err:
            raise click.ClickException(f"--status-from: {err}") from err
        snapshots.extend(fetched.snapshots)
        docs.update(fetched.did_documents)
    rule_credentials: list[Any] = []
    for path in rules:
        value = read(path)
        rule_credentials.extend(value if isinstance(value, list) else [value])
    loader = DocumentLoader(resolver=DidResolver(documents=docs))
    pack = build_trust_pack(
        trust_lists=list_docs,
        signer=signer,
        loader=loader,
        now=now,
        valid_for=timedelta(days=days),
        rule_credentials=rule_credentials,
        status_snapshots=snapshots,
        did_documents=docs,
        pinned_contexts={
            c.url: path.read_bytes() for c, (_, path, _) in zip(pins_from_options(pinned, None)[0], pinned, strict=True)
        },
    )
    out.write_text(json.dumps(pack, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(
        f"已写入 {out}（信任列表 {len(trust_lists)} 份，规则凭证 {len(rule_credentials)} 份，"
        f"状态快照 {len(snapshots)} 份，DID 文档 {len(docs)} 份，有效 {days} 天） / wrote {out} "
        f"({len(trust_lists)} trust list(s), {len(rule_credentials)} rule credential(s), "
        f"{len(snapshots)} status snapshot(s), {len(docs)} DID document(s), valid {days} days)"
    )
    for line in packsources.missing(parsed, did_documents=docs, snapshots=snapshots, rule_credentials=rule_credentials):
        click.echo(f"! {line}", err=True)


@pack_group.command("show")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--root", envvar="SKILLCRED_TRUST_ROOT", required=True, help="信任根的 DID。 DID of the trust root.")
@click.pass_context
def pack_show(ctx: click.Context, file: Path, root: str) -> None:
    """验证信任包并显示其内容与新鲜度。 Verify a trust pack and show what it holds and how fresh it is."""
    try:
        document = parse_trust_pack(file.read_bytes())
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
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
    """信任列表：谁可以在何地、何时签发什么，由信任根签署。 Trust lists: who may issue what, where and when, signed by
    the root."""


@trust_list_group.command("template")
@click.option(
    "--issuer",
    "dids",
    multiple=True,
    metavar="DID",
    help="为此 DID 生成条目（did:key 的密钥自动填入），可重复。 An entry for this DID (a did:key's key is filled in); "
    "repeat for more. Default: one example entry to edit.",
)
@click.option(
    "--issuer-url",
    "issuer_urls",
    multiple=True,
    metavar="URL",
    help="为在此地址运行的签发机构生成条目：DID 与密钥取自其服务（/status/ 与 DID 文档），可重复。 An entry for the "
    "issuer served at this base URL: its DID and keys come from it (its /status/ index and DID document); "
    "repeat for more.",
)
@click.option("--name-zh", default="（机构中文名称）", help="条目的中文名称。 The entries' Chinese name.")
@click.option("--name-en", default="(issuer's English name)", help="条目的英文名称。 The entries' English name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    help="角色，可重复（允许值见 _about）。 A role; repeat for more (allowed values: see _about). "
    "Default: skill-evaluation-organization.",
)
@click.option(
    "--jurisdiction",
    "jurisdictions",
    multiple=True,
    help="管辖地区，如 CN、CN-SX，可重复。 A jurisdiction, e.g. CN or CN-SX; repeat for more. Default: CN.",
)
@click.option(
    "--type",
    "types",
    multiple=True,
    help="可签发的凭证类型，可重复（允许值见 _about）。 A credential type it may issue; repeat for more. "
    "Default: SkillLevelCredential.",
)
@click.option(
    "--keys-valid-from",
    help="密钥受信起始时间（ISO 8601，默认 30 天前）。 "
    "Since when its keys are trusted (ISO 8601; default 30 days ago).",
)
@click.pass_context
def trust_list_template(
    ctx: click.Context,
    dids: tuple[str, ...],
    issuer_urls: tuple[str, ...],
    name_zh: str,
    name_en: str,
    roles: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    types: tuple[str, ...],
    keys_valid_from: str | None,
) -> None:
    """输出一个起始信任列表（issuers.json），允许值写在 _about 中。 Print a starting trust list (issuers.json) for
    trust-list sign, with every allowed value written in its _about."""
    from vccore.trust.template import trust_list_template as template

    now = runtime_clock(ctx)()
    try:
        since = parse_datetime(keys_valid_from, field="--keys-valid-from") if keys_valid_from else None
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--keys-valid-from") from err
    from verifier import packsources

    for did in dids:
        if not did.startswith(("did:key:", "did:web:")):
            raise click.BadParameter(f"{did!r} is not a did:key or did:web DID", param_hint="--issuer")
    documents: dict[str, Any] = {}
    if issuer_urls:
        fetcher = packsources.operator_fetcher(issuer_urls)
        for url in issuer_urls:
            try:
                did, documents[did] = packsources.issuer_document(url, fetcher=fetcher)
            except SkillcredError as err:
                raise click.ClickException(f"--issuer-url {url}: {err}") from err
            dids += (did,)
    document = template(
        dids,
        documents=documents,
        now=now,
        keys_since=since or now - timedelta(days=30),
        name_zh=name_zh,
        name_en=name_en,
        roles=roles or ("skill-evaluation-organization",),
        jurisdictions=jurisdictions or ("CN",),
        credential_types=types or ("SkillLevelCredential",),
    )
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    if any(d.startswith("did:web:") and d not in documents for d in dids) or not dids:
        click.echo(
            "! 请按 DID 文档填写 did:web 的密钥 id。 Fill in each did:web issuer's key ids from its DID document.",
            err=True,
        )


@trust_list_group.command("sign")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--root-key",
    "root_key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="信任根的密钥文件（skillcred keys generate）。 The root's key file (skillcred keys generate).",
)
@click.option(
    "--id",
    "list_id",
    default="urn:skillcred:trust-list",
    show_default=True,
    help="信任列表凭证的编号。 The id of the trust list credential.",
)
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(1, 366),
    help="信任列表有效天数。 How many days the list is valid.",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="签名后的信任列表写入此文件。 Write the signed list to this file.",
)
@click.pass_context
def trust_list_sign(ctx: click.Context, file: Path, root_key: Path, list_id: str, days: int, out: Path) -> None:
    """由信任根签署信任列表（JSON 文件 FILE），生成信任列表凭证。 Sign a trust list (JSON: {version: 1, issued,
    issuers: [{id, name: {zh, en}, roles, jurisdictions, credentialTypes, keys: [{id, validFrom, validUntil}]}]})
    as a TrustListCredential of the root."""
    from vccore.di.proofs import ProofOptions, add_proof
    from vccore.jsonstrict import loads
    from vccore.keys import KeyPair
    from vccore.trust.lists import TrustList, trust_list_credential

    try:
        trust = TrustList.from_json(loads(file.read_bytes()))
        signer = KeyPair.from_json(loads(root_key.read_bytes()))
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read: {err}") from err
    now = runtime_clock(ctx)()
    loader = DocumentLoader()
    unsigned = trust_list_credential(
        trust, root_did=signer.controller, id=list_id, now=now, valid_for=timedelta(days=days)
    )
    signed = add_proof(unsigned, signer=signer, loader=loader, options=ProofOptions(created=now))
    out.write_text(json.dumps(signed, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(
        f"已写入 {out}：{len(trust.issuers)} 个签发机构，由 {signer.controller} 签名，有效 {days} 天 / "
        f"wrote {out}: {len(trust.issuers)} issuer(s), signed by {signer.controller}, valid {days} days"
    )
