"""``skillcred qr``: encode a JSON document as a skillcred QR code, decode one back.

``encode --format payload`` prints the payload text (``SC2:…``) that ``verify`` and ``decode`` take.
``encode`` refuses (exit 1, in Chinese and English) a document whose payload needs a QR version
above 25 at error-correction level M: such a code does not scan reliably from a phone (use a
presentation's reference QR from the wallet page instead). ``decode`` takes an image (PNG/JPEG) or
the payload text and prints the JSON it carries; a reference payload prints its URL and SHA-256.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from vccore import jsonstrict
from vccore.qr import capacity as qrcapacity
from vccore.qr import payload as qr
from vccore.qr.read import read_qr
from vccore.qr.render import render_png, render_svg, render_text

__all__ = ["qr_group"]

_MAX_INPUT = 1024 * 1024


@click.group("qr")
def qr_group() -> None:
    """二维码编码与解码。 Encode and decode skillcred QR codes."""


@qr_group.command("encode")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png", "text", "payload"]),
    default="text",
    show_default=True,
    help="输出格式：svg、png、终端文字图案，或二维码内容文本（SC2:…）。 Output: svg, png, a text drawing, or the "
    "payload text itself (SC2:…).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="写入此文件而不是标准输出（png 必须）。 Write to this file instead of stdout (needed for png).",
)
@click.option(
    "--mm",
    type=click.FloatRange(10, 200),
    default=40.0,
    show_default=True,
    help="PNG 打印宽度（毫米）。 PNG print width in millimetres.",
)
def encode_command(file: Path, fmt: str, out: Path | None, mm: float) -> None:
    """将 JSON 文件编码为二维码。 Encode the JSON document in FILE as a QR code."""
    if fmt == "png" and out is None:
        raise click.UsageError("--format png needs --out FILE")
    try:
        with file.open("rb") as fh:
            document = jsonstrict.loads(fh.read(_MAX_INPUT + 1), max_bytes=_MAX_INPUT)
        if not isinstance(document, dict):
            raise click.ClickException("the file is not a JSON object / 文件不是 JSON 对象")
        payload = qr.encode(document)
        version = qrcapacity.fit(payload)
        rendered: str | bytes = (
            payload + "\n"
            if fmt == "payload"
            else render_svg(payload)
            if fmt == "svg"
            else render_png(payload, mm=mm)
            if fmt == "png"
            else render_text(payload)
        )
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read {file}: {err.strerror}") from err
    if out is None:
        click.echo(rendered, nl=False)
    else:
        out.write_bytes(rendered if isinstance(rendered, bytes) else rendered.encode("utf-8"))
        click.echo(f"已写入 {out} / wrote {out}", err=True)
    click.echo(
        f"二维码版本 {version}（纠错 M），{len(payload)} 个字符 / QR version {version} (M), {len(payload)} characters",
        err=True,
    )


@qr_group.command("decode")
@click.argument("source")
def decode_command(source: str) -> None:
    """解码二维码图片文件或二维码内容文本，输出其 JSON。 Decode a QR IMAGE file or a PAYLOAD text and print its
    JSON."""
    path = Path(source)
    try:
        if not source.startswith(("SC", "sc")):  # not a payload: an image file (a missing one is exit 2)
            with path.open("rb") as fh:
                payload = read_qr(fh.read(20 * 1024 * 1024 + 1))
        else:
            payload = source.strip()
        decoded = qr.decode_any(payload)
    except FileNotFoundError:  # the root's one wording, exit 2
        raise
    except OSError as err:
        raise click.ClickException(f"cannot read {source}: {err.strerror}") from err
    if decoded.reference is not None:
        ref = decoded.reference
        value: dict[str, object] = {"reference": {"url": ref.url, "sha256": ref.sha256}}
    else:
        assert decoded.document is not None
        value = decoded.document
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
