"""``skillcred issuer ...``: create an issuer, issue (one or a CSV batch), change status, manage keys and
tokens, serve the HTTP API. Click lives only here; the work is done by :mod:`issuer.home`,
:class:`issuer.service.IssuerService` (whose engine, :mod:`issuer.engine`, issues one credential as the
VC-API does) and :mod:`issuer.batch`.

State lives under ``$SKILLCRED_HOME/issuer`` (``--home`` overrides); the key passphrase comes from
``SKILLCRED_PASSPHRASE``. Errors are translated by the ``skillcred`` root (:mod:`skillcred.cli`): every
refusal is one line ``Error: CODE: message`` and exit status 1; a usage error exits 2; no traceback for
any input.
"""

from __future__ import annotations

import copy
import json
import logging.config
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from issuer import validation
from issuer.home import KDF_CHOICES, IssuerHome, OpenIssuer, init_issuer, open_issuer, passphrase_from_env
from issuer.kinds import KINDS
from issuer.signing import HASH_PARAMS, Request
from issuer.store.db import DEFAULT_POOL_SIZE
from issuer.tokens import SCOPES, TokenRegistry
from vccore.clock import keep_runtime, runtime_clock
from vccore.di.cryptosuites import SUITE_NAMES
from vccore.errors import SkillcredError
from vccore.jsonld.loader import OperatorContext, pin_context
from vccore.jsonstrict import loads

F = TypeVar("F", bound=Callable[..., Any])


def open_from_context(
    ctx: click.Context,
    *,
    need_key: bool,
    base_url: str | None = None,
    pool_size: int = DEFAULT_POOL_SIZE,
    hash_params: str = "default",
    pinned: tuple[tuple[str, Path, str], ...] = (),
    examples: bool = False,
    inline: bool = False,
) -> OpenIssuer:
    """The issuer of the command's home, closed when the command ends. ``hash_params`` other than
    ``default`` (the identity hash's Argon2id cost) are for tests only, and said so. ``pinned``
    (``--context URL FILE SHA256``) and ``examples`` (``--examples-contexts``) add to the contexts the
    config allows."""
    if hash_params != "default":
        click.echo(f"warning: identity hash parameters {hash_params!r} are for tests only", err=True)
    home: IssuerHome = ctx.obj
    loader = (
        home.loader(home.load(), pinned=pins_from_options(pinned), examples=examples, inline=inline)
        if home.exists()
        else None
    )
    opened = open_issuer(
        home,
        need_key=need_key,
        base_url=base_url,
        clock=runtime_clock(ctx),
        pool_size=pool_size,
        hasher=HASH_PARAMS[hash_params],
        loader=loader,
    )
    ctx.call_on_close(opened.close)
    return opened


def pins_from_options(options: tuple[tuple[str, Path, str], ...]) -> list[OperatorContext]:
    """``--context URL FILE SHA256`` values as operator contexts (a refusal is a usage error)."""
    out = []
    for url, path, sha256 in options:
        try:
            out.append(pin_context(url, path.read_bytes(), sha256))
        except (OSError, SkillcredError) as err:
            raise click.BadParameter(str(getattr(err, "detail", err)), param_hint="--context") from err
    return out


CONTEXT_OPTIONS = [
    click.option(
        "--context",
        "pinned",
        multiple=True,
        type=(str, click.Path(path_type=Path, dir_okay=False, exists=True), str),
        metavar="URL FILE SHA256",
        help="固定一个额外的 JSON-LD 上下文（网址、文件、SHA-256；可重复）。 Pin one more JSON-LD context: its URL, "
        'the file with its bytes and their SHA-256 (repeatable; also config.json "contexts").',
    ),
    click.option(
        "--examples-contexts",
        "examples",
        is_flag=True,
        help="允许 W3C 示例上下文（仅用于一致性测试）。 Allow the W3C examples contexts "
        "(https://www.w3.org/ns/credentials/examples/v2 and the VC 1.1 one), shipped pinned: for the "
        "conformance suites (docs/conformance.md).",
    ),
    click.option(
        "--inline-contexts",
        "inline",
        is_flag=True,
        help="通用接口接受内联上下文（安全模式；skillcred 自有凭证除外）。 Accept inline @context objects on generic "
        "credentials (term definitions only, safe mode; never with skillcred's own types).",
    ),
]


def context_options(f: Any) -> Any:
    for option in reversed(CONTEXT_OPTIONS):
        f = option(f)
    return f


@click.group("issuer")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="SKILLCRED_HOME",
    help="状态目录（默认 $SKILLCRED_HOME 或 ~/.skillcred）。 "
    "State directory (default $SKILLCRED_HOME or ~/.skillcred).",
)
@click.pass_context
def issuer_group(ctx: click.Context, home: Path | None) -> None:
    """签发机构：签发、批量签发、撤销与密钥管理。 Issue credentials, batches, status changes, keys."""
    keep_runtime(ctx)
    ctx.obj = IssuerHome(home)


@issuer_group.command("init")
@click.option(
    "--did-web",
    metavar="DOMAIN[/PATH]",
    help="在此域名（及路径）下的 did:web 签发机构。 did:web issuer at this domain (and path).",
)
@click.option(
    "--did-key",
    is_flag=True,
    help="本地使用的 did:key 签发机构（其密钥永远不能轮换）。 did:key issuer (local use; its key can never rotate).",
)
@click.option("--name-zh", required=True, help="签发机构中文名称。 Issuer name in Chinese.")
@click.option("--name-en", required=True, help="签发机构英文名称。 Issuer name in English.")
@click.option(
    "--base-url",
    help="状态列表的发布网址（默认 https://DOMAIN/PATH）。 Where status lists are served (default https://DOMAIN/PATH).",
)
@click.option(
    "--store",
    "store_url",
    help="登记库：SQLite 路径或 postgresql:// 网址。 Registry: a SQLite path or a postgresql:// URL.",
)
@click.option("--key-kdf", type=click.Choice(sorted(KDF_CHOICES)), default="moderate", hidden=True)
@click.pass_context
def init(
    ctx: click.Context,
    did_web: str | None,
    did_key: bool,
    name_zh: str,
    name_en: str,
    base_url: str | None,
    store_url: str | None,
    key_kdf: str,
) -> None:
    """创建签发机构及其第一把密钥（用 SKILLCRED_PASSPHRASE 加密，须足够强）；输出其 DID。 Create the issuer and its
    first key (sealed with SKILLCRED_PASSPHRASE, which must be strong enough); print its DID."""
    if bool(did_web) == did_key:
        raise click.UsageError("give exactly one of --did-web DOMAIN[/PATH] and --did-key")
    config = init_issuer(
        ctx.obj,
        did_web=did_web,
        name_zh=name_zh,
        name_en=name_en,
        passphrase=passphrase_from_env(),
        base_url=base_url,
        store=store_url,
        kdf=key_kdf,
        clock=runtime_clock(ctx),
    )
    click.echo(config.did)


_hash_option = click.option(
    "--identity-hash-params", "hash_params", type=click.Choice(sorted(HASH_PARAMS)), default="default", hidden=True
)
_suite_option = click.option(
    "--cryptosuite",
    type=click.Choice(SUITE_NAMES),
    default=SUITE_NAMES[0],
    show_default=True,
    help="签名所用的密码套件。 The cryptosuite of the proof.",
)


@issuer_group.command("issue")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.option(
    "--data",
    "data_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="该种类的输入：JSON 对象（camelCase 字段，见 skillcred issuer kinds KIND）。 "
    "The kind's input as a JSON object (camelCase fields; skillcred issuer kinds KIND shows them and an example).",
)
@click.option("--subject-did", help="持有人的 DID（credentialSubject.id）。 The holder's DID (credentialSubject.id).")
@click.option(
    "--idempotency-key",
    help="幂等键：用同一键重试返回同一份凭证。 Retrying with the same key returns the same credential.",
)
@_suite_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写入此文件而不是标准输出。 Write here instead of stdout.",
)
@_hash_option
@click.pass_context
def issue(
    ctx: click.Context,
    kind: str,
    data_file: Path,
    subject_did: str | None,
    idempotency_key: str | None,
    cryptosuite: str,
    out: Path | None,
    hash_params: str,
) -> None:
    """按 JSON 输入文件签发一份 KIND 类凭证。 Issue one credential of KIND from a JSON input file."""
    data = loads(data_file.read_bytes())
    checked = validation.from_mapping(KINDS[kind].input_type, data)
    from issuer.batch.files import write_atomic  # the batch code loads only for the commands that use it
    from issuer.batch.rows import is_did

    if subject_did is not None and not is_did(subject_did):
        raise click.BadParameter(f"{subject_did!r} is not a DID", param_hint="--subject-did")
    opened = open_from_context(ctx, need_key=True, hash_params=hash_params)
    request = Request.for_kind(
        kind, checked, given=data, key=idempotency_key, subject_did=subject_did, cryptosuite=cryptosuite
    )
    issued = opened.service.issue_request(request)
    if out is None:
        click.echo(issued.document.decode("utf-8"))
    else:
        write_atomic(out, issued.document)
        click.echo(issued.id)


@issuer_group.command("kinds")
@click.argument("kind", required=False, type=click.Choice(list(KINDS)))
@click.option(
    "--example",
    is_flag=True,
    help="只输出 KIND 的示例输入（JSON），可直接用作 --data。 "
    "Print only KIND's example input (JSON), usable as --data.",
)
@click.option(
    "--example-csv",
    is_flag=True,
    help="只输出 KIND 的批量签发 CSV 示例（表头与一行），可直接用于 issuer batch。 "
    "Print only a batch CSV of KIND (its header and the example row), usable by issuer batch.",
)
def kinds_command(kind: str | None, example: bool, example_csv: bool) -> None:
    """列出凭证种类及其输入字段（issue --data 的格式）与示例。 List the credential kinds with the fields of their
    input (what issuer issue KIND --data FILE takes: a JSON object, camelCase) and an example each."""
    from issuer.examples import EXAMPLES, describe

    if example_csv:
        if kind is None:
            raise click.UsageError("--example-csv needs a KIND, e.g. skillcred issuer kinds skill-level --example-csv")
        from issuer.batch.rows import example_csv as csv_of

        click.echo(csv_of(kind, EXAMPLES[kind]), nl=False)
        return
    if example:
        if kind is None:
            raise click.UsageError("--example needs a KIND, e.g. skillcred issuer kinds skill-level --example")
        click.echo(json.dumps(EXAMPLES[kind], ensure_ascii=False, indent=2))
        return
    click.echo("\n\n".join(describe(k) for k in ([kind] if kind else list(KINDS))))


@issuer_group.command("batch")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind", required=True, type=click.Choice(list(KINDS)), help="每行签发的凭证类别。 The kind each row issues."
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="凭证与 summary.csv 写入此目录。 Directory for the credentials and summary.csv.",
)
@click.option(
    "--skip-bad", is_flag=True, help="即使有错误行也签发正确的行。 Issue the good rows even if some rows are bad."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=lambda: os.cpu_count() or 1,
    help="工作进程数（默认全部核心）。 Worker processes (default: all cores).",
)
@_suite_option
@click.option(
    "--batch-id",
    help="幂等键中的批次标识（默认文件名）。 Identity of the batch in idempotency keys (default: the file name).",
)
@click.option(
    "--unit-rows",
    type=click.IntRange(1),
    help="每次认领的行数（多个进程共享一批时，默认 1024）。 Rows per claim of a shared batch (default 1024).",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1.0),
    help="认领的租期（秒，默认 60），进程失联后到期由他人接手。 Seconds a claim lasts unless renewed (default 60).",
)
@_hash_option
@click.pass_context
def batch(
    ctx: click.Context,
    file: Path,
    kind: str,
    out_dir: Path,
    skip_bad: bool,
    workers: int,
    cryptosuite: str,
    batch_id: str | None,
    unit_rows: int | None,
    lease: float | None,
    hash_params: str,
) -> None:
    """按 CSV 每行签发一份凭证；可续跑（崩溃后重跑不会重复签发）；共用一个 PostgreSQL 登记库的多个进程（可在多台机器上）
    分担各行。 Issue one credential per CSV row; resumable (rerun after a crash issues nothing twice). Several
    processes (on several machines) sharing one PostgreSQL registry share the rows."""
    from issuer.batch.claims import LEASE, UNIT_ROWS  # the batch code loads only when a batch runs
    from issuer.batch.run import run_batch
    from issuer.batch.schedule import BatchIssuer

    opened = open_from_context(ctx, need_key=True, hash_params=hash_params)
    try:
        report = run_batch(
            file,
            kind=kind,
            out_dir=out_dir,
            issuer=BatchIssuer(opened.service),
            skip_bad=skip_bad,
            workers=workers,
            cryptosuite=cryptosuite,
            batch_id=batch_id,
            progress=sys.stderr,
            unit_rows=UNIT_ROWS if unit_rows is None else unit_rows,
            lease=LEASE if lease is None else lease,
        )
    except OSError as err:
        if isinstance(err, FileNotFoundError) and err.filename == str(file):
            raise  # the input file is missing: nothing was issued; the root's one wording, exit 2
        if not getattr(err, "filename", None):
            err.filename = str(out_dir)
        again = f"skillcred issuer batch {file} --kind {kind} --out {out_dir}" + (
            f" --batch-id {batch_id}" if batch_id else ""
        )
        err.add_note(
            f"Every row issued so far is recorded; nothing is issued twice. Fix the cause (free some space), "
            f"then run the same command again to issue the rest and write the missing files:\n  {again}\n"
            f"已签发的记录均已保存，不会重复签发。排除问题（如释放磁盘空间）后重新运行上述命令即可继续。"
        )
        raise
    for problem in report.problems:
        zh, en = problem.where()
        click.echo(f"已跳过{zh}：{problem.reason_zh or problem.reason} / skipped {en}: {problem.reason}", err=True)
    if report.failed:
        summary = out_dir / "summary.csv"
        raise click.ClickException(
            f"有 {report.failed} 行签发失败，详见 {summary} / {report.failed} row(s) failed; see {summary}"
        )


_yes_option = click.option(
    "--yes", "-y", is_flag=True, help="不再询问，直接执行（用于脚本）。 Do it without asking (for scripts)."
)


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` on stderr (default: no) unless ``yes``; anything but yes, including no terminal
    to answer from, changes nothing and exits 1."""
    if yes:
        return
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        raise click.ClickException(
            "未确认，未做任何更改（--yes 可跳过确认）/ not confirmed: nothing was changed (--yes skips the question)"
        )


@issuer_group.command("revoke")
@click.argument("credential_id")
@_yes_option
@click.pass_context
def revoke(ctx: click.Context, credential_id: str, yes: bool) -> None:
    """撤销凭证：不可恢复，先询问确认；其状态列表立即改变。 Revoke a credential for good (asks first); its status
    list changes at once."""
    service = open_from_context(ctx, need_key=False).service
    if service.status(credential_id).revoked:
        click.echo(f"此前已撤销 / was already revoked  {credential_id}")
        return
    confirm(
        f"将撤销 1 份凭证 {credential_id}，不可恢复。继续吗？ / This revokes 1 credential, {credential_id}, for good. "
        "Continue?",
        yes=yes,
    )
    change = service.revoke(credential_id)
    said = "已撤销 / revoked" if change.changed else "此前已撤销 / was already revoked"
    click.echo(f"{said}  {credential_id}")


def _status_command(name: str, method: str, verb: tuple[str, str], doc: str) -> None:
    @issuer_group.command(name, help=doc)
    @click.argument("credential_id")
    @click.pass_context
    def command(ctx: click.Context, credential_id: str) -> None:
        change = getattr(open_from_context(ctx, need_key=False).service, method)(credential_id)
        zh, en = verb
        said = f"已{zh} / {en}" if change.changed else f"此前已{zh} / was already {en}"
        click.echo(f"{said}  {credential_id}")


@issuer_group.command("show")
@click.argument("credential_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="写入此文件而非标准输出。 Write the credential here instead of stdout.",
)
@click.pass_context
def show(ctx: click.Context, credential_id: str, out: Path | None) -> None:
    """显示本机构签发的任一凭证（原样字节）及其当前状态。 Print any credential this issuer issued (the exact
    bytes released, from the registry) and its current status (on stderr)."""
    service = open_from_context(ctx, need_key=False).service
    document = service.get(credential_id)
    status = service.status(credential_id)
    state = (
        ("已撤销", "revoked")
        if status.revoked
        else ("已暂停", "suspended")
        if status.suspended
        else ("有效", "not revoked or suspended")
    )
    if out is None:
        click.echo(document.decode("utf-8"))
    else:
        from issuer.batch.files import write_atomic  # the batch code loads only for the commands that use it

        write_atomic(out, document)
    click.echo(f"状态：{state[0]} / status: {state[1]}  {credential_id}", err=True)


_status_command(
    "suspend",
    "suspend",
    ("暂停", "suspended"),
    "暂停凭证（可恢复）；其状态列表立即改变。 Suspend a credential (can be lifted).",
)
_status_command(
    "unsuspend",
    "unsuspend",
    ("恢复", "unsuspended"),
    "恢复已暂停的凭证；其状态列表立即改变。 Lift a credential's suspension.",
)


@issuer_group.group("keys")
def keys() -> None:
    """签发密钥：列出、轮换、标记泄露。 The issuer's signing keys: list, rotate, mark compromised."""


@keys.command("rotate")
@click.pass_context
def keys_rotate(ctx: click.Context) -> None:
    """停用当前密钥（旧凭证仍可验证），改用新密钥签名；输出新密钥编号。 Retire the active key (old credentials still
    verify) and sign with a new one; print its id."""
    click.echo(open_from_context(ctx, need_key=True).service.rotate_key().id)


@keys.command("compromise")
@click.argument("key_id")
@_yes_option
@click.pass_context
def keys_compromise(ctx: click.Context, key_id: str, yes: bool) -> None:
    """密钥泄露：从 DID 文档移除 KEY_ID 并撤销其签发的全部凭证；先说明数量并询问确认。 Remove KEY_ID from the DID
    document and revoke everything it signed; says how many and asks first."""
    service = open_from_context(ctx, need_key=False).service
    pending = service.revocable_by_key(key_id)
    confirm(
        f"将把密钥 {key_id} 标记为已泄露，并撤销它签发的 {len(pending)} 份凭证，不可恢复。继续吗？ / This marks "
        f"{key_id} compromised and revokes the {len(pending)} credential(s) it signed, for good. Continue?",
        yes=yes,
    )
    revoked = service.compromise_key(key_id)
    click.echo(
        f"已撤销该密钥签发的 {len(revoked)} 份凭证 / revoked {len(revoked)} credential(s) signed by the key  {key_id}"
    )


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。 Print JSON.")
@click.pass_context
def keys_list(ctx: click.Context, as_json: bool) -> None:
    """列出签发密钥：编号、状态、启用与停用时间（不含任何秘密）。 List the issuer's keys: id, state (active signs),
    from and until; never a secret."""
    records = open_from_context(ctx, need_key=False).keystore.records()
    rows = [{"id": k.id, "state": k.state, "validFrom": k.valid_from, "validUntil": k.valid_until} for k in records]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("STATE        FROM                  UNTIL                 ID")
    for row in rows:
        click.echo(f"{row['state']:<12} {row['validFrom']:<21} {row['validUntil'] or '-':<21} {row['id']}")


@issuer_group.group("tokens")
def tokens() -> None:
    """HTTP 接口的 API 令牌：创建、列出、停用。 API tokens for the HTTP API: create, list, revoke."""


@tokens.command("create")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(sorted(SCOPES)),
    help="令牌的权限（可重复）。 A scope of the token (repeatable).",
)
@click.pass_context
def tokens_create(ctx: click.Context, scopes: tuple[str, ...]) -> None:
    """创建具有给定权限的令牌；令牌只输出一次，仅在标准输出。 Create a token with the given scopes; it is printed once,
    on stdout only."""
    opened = open_from_context(ctx, need_key=False)
    created = TokenRegistry(opened.store).create(scopes, now=opened.service.now())
    click.echo(created.token)


@tokens.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。 Print JSON.")
@click.pass_context
def tokens_list(ctx: click.Context, as_json: bool) -> None:
    """列出 API 令牌：编号、权限、创建与停用时间（从不显示令牌本身）。 List API tokens: id, scopes, created,
    revoked; never the token itself."""
    records = TokenRegistry(open_from_context(ctx, need_key=False).store).records()
    rows = [
        {"id": t.id, "scopes": sorted(t.scopes), "createdAt": t.created_at, "revokedAt": t.revoked_at} for t in records
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("ID                 CREATED               REVOKED               SCOPES")
    for t in records:
        click.echo(f"{t.id:<18} {t.created_at:<21} {t.revoked_at or '-':<21} {','.join(sorted(t.scopes))}")


@tokens.command("revoke")
@click.argument("token_id")
@_yes_option
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: str, yes: bool) -> None:
    """永久停用 API 令牌 TOKEN_ID（见 tokens list），先询问确认。 Disable API token TOKEN_ID (see tokens list) for
    good; asks first."""
    opened = open_from_context(ctx, need_key=False)
    registry = TokenRegistry(opened.store)
    record = registry.find(token_id)
    if record.revoked_at:
        click.echo(f"API 令牌此前已停用 / token was already revoked  {record.id}")
        return
    scopes = ", ".join(sorted(record.scopes))
    confirm(
        f"将永久停用 API 令牌 {record.id}（权限：{scopes}），不可恢复。继续吗？ / This disables API token {record.id} "
        f"({scopes}) for good. Continue?",
        yes=yes,
    )
    registry.revoke(record.id, now=opened.service.now())
    click.echo(f"已停用 API 令牌 / revoked token  {record.id}")


#: key in ``click.Context.meta`` under which a composing CLI (skillcred) may register a factory
#: ``factory(opened_issuer, *, trust_pack, root, online) -> Recognizer`` for ``POST /recognitions``;
#: the issuer itself never imports the verifier that checks the sources.
RECOGNIZER_FACTORY = "skillcred.issuer.recognizer_factory"


@issuer_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。 Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8401, show_default=True, help="监听端口。 Port to listen on."
)
@click.option(
    "--base-url", help="本服务的公开网址（默认取配置）。 Public URL of this service (default: the configured one)."
)
@click.option(
    "--trust-pack",
    envvar="SKILLCRED_TRUST_PACK",
    type=click.Path(path_type=Path, dir_okay=False),
    help="启用 POST /recognitions：按此信任包验证来源凭证。 Enables POST /recognitions: sources are verified against "
    "this trust pack.",
)
@click.option(
    "--root", envvar="SKILLCRED_TRUST_ROOT", help="签署信任包的信任根 DID。 DID of the trust root that signs the pack."
)
@click.option(
    "--online/--offline",
    default=False,
    help="认定时联网获取来源凭证的状态列表。 Fetch status lists of sources when recognizing.",
)
@click.option(
    "--pool-size",
    type=click.IntRange(1, 64),
    default=DEFAULT_POOL_SIZE,
    show_default=True,
    envvar="SKILLCRED_POOL_SIZE",
    help="本进程可占用的登记库连接数（见 docs/operations.md）。 Registry connections this process may hold "
    "(docs/operations.md, connection budget).",
)
@context_options
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    base_url: str | None,
    trust_pack: Path | None,
    root: str | None,
    online: bool,
    pool_size: int,
    pinned: tuple[tuple[str, Path, str], ...],
    examples: bool,
    inline: bool,
) -> None:
    """启动签发机构 HTTP 接口（VC-API 风格）。 Serve the issuer HTTP API (VC-API style) with uvicorn."""
    import uvicorn

    from issuer.app import create_app

    logs = _log_config()
    logging.config.dictConfig(logs)  # uvicorn's own format, also for the issuer's "key unlocked" line
    opened = open_from_context(
        ctx, need_key=True, base_url=base_url, pool_size=pool_size, pinned=pinned, examples=examples, inline=inline
    )
    opened.service.unlock()  # once, before serving: fail now, and no request ever waits for an unlock
    recognizer = None
    if trust_pack is not None:
        factory = ctx.meta.get(RECOGNIZER_FACTORY)
        if factory is None:
            raise click.UsageError("--trust-pack needs the skillcred command (it verifies recognition sources)")
        recognizer = factory(opened, trust_pack=trust_pack, root=root, online=online)
    uvicorn.run(
        create_app(opened.service, TokenRegistry(opened.store), recognizer=recognizer),
        host=host,
        port=port,
        log_config=logs,
    )


def _log_config() -> dict[str, Any]:
    """uvicorn's logging setup with the issuer's logger (``skillcred``, INFO) beside its own."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["skillcred"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
