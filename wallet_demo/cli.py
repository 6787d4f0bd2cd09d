"""``skillcred wallet``: the worker's wallet on the command line.

Errors are one line on stderr and exit 1; usage errors exit 2 (click). The wallet directory is
``--home``, else ``$SKILLCRED_HOME/wallet``, else ``~/.skillcred/wallet``.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from vccore.clock import keep_runtime, runtime_clock
from vccore.qr.render import render_png, render_svg, render_text
from wallet_demo.cards import card_for, card_lines
from wallet_demo.present import DEFAULT_DAYS, MAX_DAYS, answer, decode_request, present
from wallet_demo.refs import QrPlan, plan_qr
from wallet_demo.store import Wallet, default_root

__all__ = ["wallet_group"]

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _root(ctx: click.Context) -> Path:
    home = ctx.obj.get("home") if isinstance(ctx.obj, dict) else None
    return Path(home) if home else default_root()


def _open(ctx: click.Context) -> Wallet:
    return Wallet(_root(ctx), clock=runtime_clock(ctx))


def _emit(text: str | bytes, out: Path | None) -> None:
    if out is None:
        if isinstance(text, bytes):
            raise click.UsageError("binary output needs --out FILE")
        click.echo(text, nl=not text.endswith("\n"))
        return
    out.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    click.echo(f"已写入 {out} / wrote {out}", err=True)


def _render(plan: QrPlan, fmt: str) -> str | bytes:
    renderers: dict[str, Callable[..., Any]] = {"svg": render_svg, "png": render_png, "text": render_text}
    result: str | bytes = renderers[fmt](plan.payload, ec=plan.ec)
    return result


def _is_image(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return head.startswith(_IMAGE_MAGIC)


_lang = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="卡片文字的语言。 Language of the card text.",
)
_out = click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="写入文件而不是标准输出。 Write to FILE instead of standard output.",
)
_qr_out = click.option(
    "--qr",
    "qr_format",
    type=click.Choice(["svg", "png", "text"]),
    default=None,
    help="输出此格式的二维码而不是 JSON。 Write a QR code in this format instead of the JSON.",
)


@click.group("wallet")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="钱包目录（默认 $SKILLCRED_HOME/wallet 或 ~/.skillcred/wallet）。 "
    "Wallet directory (default $SKILLCRED_HOME/wallet or ~/.skillcred/wallet).",
)
@click.pass_context
def wallet_group(ctx: click.Context, home: Path | None) -> None:
    """持有人钱包：保存凭证、出示二维码。 The worker's wallet: keep credentials, show QR codes."""
    keep_runtime(ctx)
    ctx.ensure_object(dict)
    ctx.obj["home"] = home


@wallet_group.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """创建钱包和持有人密钥（did:key）。 Create the wallet and its holder key (did:key)."""
    wallet = Wallet.create(_root(ctx), clock=runtime_clock(ctx))
    click.echo(f"wallet: {wallet.root}\nholder: {wallet.holder_did}")


@wallet_group.command("import")
@click.argument("source")
@click.option(
    "--token",
    envvar="SKILLCRED_TOKEN",
    default=None,
    help="从签发机构网址导入时使用的令牌。 Bearer token for an issuer URL.",
)
@click.pass_context
def import_command(ctx: click.Context, source: str, token: str | None) -> None:
    """导入凭证：JSON 文件、二维码图片或签发机构网址（https）。 Import a credential from a JSON FILE, a QR IMAGE, or an
    issuer URL (https)."""
    wallet = _open(ctx)
    if source.startswith(("https://", "http://")):
        stored = wallet.import_url(source, token=token)
    elif not Path(source).exists():  # the skillcred root's one wording of a missing file, exit 2
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), source)
    elif _is_image(Path(source)):
        stored = wallet.import_qr_image(Path(source).read_bytes())
    else:
        stored = wallet.import_file(source)
    click.echo("\n".join(card_lines(card_for(stored.document, local_id=stored.local_id), detail=False)))


@wallet_group.command("list")
@_lang
@click.pass_context
def list_command(ctx: click.Context, lang: str) -> None:
    """列出凭证卡片。 List the cards."""
    stored = _open(ctx).credentials()
    if not stored:
        click.echo("钱包为空 / the wallet is empty")
    for s in stored:
        click.echo("\n".join(card_lines(card_for(s.document, local_id=s.local_id), lang=lang)))


@wallet_group.command("show")
@click.argument("local_id")
@click.option(
    "--qr",
    "qr_format",
    type=click.Choice(["svg", "png", "text"]),
    default=None,
    help="显示凭证的二维码而不是卡片。 Show the credential's QR code instead of the card.",
)
@_out
@_lang
@click.pass_context
def show_command(ctx: click.Context, local_id: str, qr_format: str | None, out: Path | None, lang: str) -> None:
    """显示一张卡片或其二维码。 Show one card, or its QR code."""
    stored = _open(ctx).get(local_id)
    if qr_format is None:
        _emit("\n".join(card_lines(card_for(stored.document, local_id=stored.local_id), lang=lang)), out)
        return
    plan = plan_qr(stored.document, low_ec_ok=True)
    _emit(_render(plan, qr_format), out)
    click.echo(
        f"二维码版本 {plan.version}，纠错 {plan.ec} / QR version {plan.version}, error correction {plan.ec}", err=True
    )


def _write_vp(vp: dict[str, Any], out: Path | None, qr_format: str | None) -> None:
    text = json.dumps(vp, ensure_ascii=False, indent=2) + "\n"
    if qr_format is None:
        _emit(text, out)
        return
    plan = plan_qr(vp)  # too large: QR_TOO_LARGE, and nothing is written
    _emit(_render(plan, qr_format), out)


@wallet_group.command("present")
@click.argument("local_ids", nargs=-1, required=True)
@click.option("--domain", required=True, help="出示对象：用人单位或场景。 Who it is for: the employer or scenario.")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=DEFAULT_DAYS,
    show_default=True,
    help="出示文件的有效天数。 Days until the presentation expires.",
)
@click.option(
    "--challenge",
    default=None,
    help="验证方的随机数（默认新生成一个）。 The verifier's nonce (default: a fresh random one).",
)
@_qr_out
@_out
@click.pass_context
def present_command(
    ctx: click.Context,
    local_ids: tuple[str, ...],
    domain: str,
    days: int,
    challenge: str | None,
    qr_format: str | None,
    out: Path | None,
) -> None:
    """生成限定用途和期限的出示文件。 Sign a purpose-scoped, time-limited presentation."""
    vp = present(_open(ctx), local_ids, domain=domain, days=days, challenge=challenge, now=runtime_clock(ctx)())
    _write_vp(vp, out, qr_format)


@wallet_group.command("answer")
@click.argument("request")
@click.argument("local_ids", nargs=-1, required=True)
@_qr_out
@_out
@click.pass_context
def answer_command(
    ctx: click.Context, request: str, local_ids: tuple[str, ...], qr_format: str | None, out: Path | None
) -> None:
    """回应验证方的出示请求（请求文本或其二维码的照片）。 Answer a verifier's request (payload text or a photo of
    its QR)."""
    from vccore.qr.read import read_qr

    wallet = _open(ctx)
    payload = read_qr(Path(request).read_bytes()) if _is_image(Path(request)) else request
    now = wallet.clock()
    vp = answer(wallet, decode_request(payload, now=now), local_ids, now=now)
    _write_vp(vp, out, qr_format)


@wallet_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。 Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8600, show_default=True, help="监听端口。 Port to listen on."
)
@click.option(
    "--base-url",
    default=None,
    help="手机访问本页面的网址（默认 http://HOST:PORT）。 URL phones use to reach this page (default http://HOST:PORT).",
)
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, base_url: str | None) -> None:
    """启动钱包网页。 Serve the wallet page."""
    import uvicorn

    from wallet_demo.app import create_app

    app = create_app(_open(ctx), base_url=base_url or f"http://{host}:{port}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("warning: the wallet page is reachable from other machines / 注意：其他设备可访问本页面", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


@wallet_group.command("print")
@click.argument("local_id")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="输出文件：cert.png 或 cert.pdf。 Output file: cert.png or cert.pdf.",
)
@click.option(
    "--scan-url",
    default=None,
    help="验证页网址：打印的二维码即该网址（含凭证），手机扫码直接打开验证页。"
    " The verifier's scan page URL: the printed QR is that URL carrying the credential.",
)
@click.pass_context
def print_command(ctx: click.Context, local_id: str, out: Path, scan_url: str | None) -> None:
    """打印带凭证二维码的 A4 证书。 Print an A4 certificate with the credential's QR code."""
    from wallet_demo.certificate import render_certificate
    from wallet_demo.present import with_sources

    suffix = out.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise click.UsageError("--out must end in .png or .pdf")
    wallet = _open(ctx)
    stored = wallet.get(local_id)
    # a recognition's printout carries its sources' codes beside its own: the chain verifies from the paper
    sources = [c.document for c in with_sources(wallet, [local_id])[1:]]
    data, cjk = render_certificate(
        stored.document, fmt="pdf" if suffix == ".pdf" else "png", scan_url=scan_url, sources=sources
    )
    out.write_bytes(data)
    if not cjk:
        click.echo("note: no CJK font found (install fonts-noto-cjk); printed with English labels", err=True)
    click.echo(f"已写入 {out} / wrote {out}", err=True)
