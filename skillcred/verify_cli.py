"""``skillcred verify``: a file, a QR payload string or a photo of a QR code, through the verifier
pipeline (the same result the HTTP API gives). One readable line per failed check, or ``--json``.

Exit 0 when verified, 1 when not, 2 for usage errors (click's convention).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vccore import qr
from vccore.errors import SkillcredError
from vccore.qrread import read_qr
from vccore.result import VerificationResult
from vccore.timeutil import parse_datetime
from verifier.cli import build_verifier


def render_result(result: VerificationResult, *, indent: str = "") -> list[str]:
    """The human form: a verdict line, then one line per failed check (and nested failures)."""
    lines: list[str] = []
    if not indent:
        verdict = "✓ verified / 验证通过" if result.verified else "✗ NOT verified / 验证未通过"
        lines.append(f"{verdict}{'  ' + result.subject if result.subject else ''}")
    for check in result.checks:
        for problem in check.problems:
            where = f" at {problem.pointer}" if problem.pointer else ""
            detail = f": {problem.detail}" if problem.detail else ""
            lines.append(f"{indent}  {check.name}: {problem.code.value} — {problem.title} / {problem.title_zh}"
                         f"{detail}{where}")
        for child in check.children:
            if not child.verified:
                lines.append(f"{indent}  └ {child.subject or 'nested document'}:")
                lines.extend(render_result(child, indent=indent + "    "))
    for warning in result.warnings:
        lines.append(f"{indent}  warning: {warning.code.value} — {warning.detail}")
    return lines


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_source(source: str) -> bytes:
    """JSON bytes from a file, standard input, a QR payload string or a QR image file."""
    if source.startswith(qr.DOCUMENT_PREFIX) or source.startswith(qr.REFERENCE_PREFIX):
        payload = source
    else:
        if source == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(source).read_bytes()
            except OSError as err:
                raise click.ClickException(f"cannot read {source}: {err.strerror}") from err
        if not data.startswith(_IMAGE_MAGIC):
            stripped = data.strip()
            if stripped.startswith(qr.DOCUMENT_PREFIX.encode()) or stripped.startswith(qr.REFERENCE_PREFIX.encode()):
                payload = stripped.decode("ascii", "replace")
            else:
                return data
        else:
            try:
                payload = read_qr(data)
            except SkillcredError as err:
                raise click.ClickException(f"{source}: {err}") from err
    try:
        decoded = qr.decode_any(payload)
    except SkillcredError as err:
        raise click.ClickException(f"QR payload: {err}") from err
    if decoded.document is None:
        ref = decoded.reference
        raise click.ClickException(
            f"this QR code points to {ref.url if ref else '?'}: fetch that document and verify the file "
            "(its SHA-256 must match the QR code) / 该二维码指向在线文档，请下载后验证")
    return json.dumps(decoded.document, ensure_ascii=False).encode("utf-8")


@click.command("verify")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--trust-pack", envvar="SKILLCRED_TRUST_PACK", type=click.Path(path_type=Path, dir_okay=False,
                                                                             exists=True))
@click.option("--root", envvar="SKILLCRED_TRUST_ROOT", help="DID of the trust root that signs the pack.")
@click.option("--trust", "trust_mode", type=click.Choice(["pack", "any"]), default="pack", show_default=True,
              help="'any' turns an unknown issuer into a warning (testing only).")
@click.option("--online/--offline", default=False, help="Fetch did:web documents and status lists.")
@click.option("--challenge", help="Expected challenge (presentations).")
@click.option("--domain", help="Expected domain (presentations).")
@click.option("--now", "now_text", help="Verify as of this time (ISO 8601 with offset).")
def verify_command(source: str, as_json: bool, trust_pack: Path | None, root: str | None, trust_mode: str,
                   online: bool, challenge: str | None, domain: str | None, now_text: str | None) -> None:
    """Verify a credential or presentation: FILE, - (stdin), a QR payload (SC2:...) or a QR image.

    验证凭证或出示：文件、二维码内容或二维码图片。"""
    try:
        now = parse_datetime(now_text, field="--now") if now_text else None
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--now") from err
    data = read_source(source)
    verifier = build_verifier(trust_pack=trust_pack, root=root, trust_any=trust_mode == "any", online=online,
                              now=now)
    if b'"VerifiablePresentation"' in data:
        result = verifier.verify_presentation(data, challenge=challenge, domain=domain)
    else:
        result = verifier.verify_credential(data)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in render_result(result):
            click.echo(line)
    sys.exit(0 if result.verified else 1)
