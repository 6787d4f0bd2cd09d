"""``skillcred verify``: one readable line per failed check, or the result as JSON.

Exit 0 when verified, 1 when not, 2 for usage errors (click's convention).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from vccore.credentials import verify_json
from vccore.errors import SkillcredError
from vccore.loader import DocumentLoader
from vccore.result import VerificationResult
from vccore.timeutil import parse_datetime, utcnow


def render_result(result: VerificationResult, *, indent: str = "") -> list[str]:
    """The human form: a verdict line, then one line per failed check (and nested failures)."""
    lines: list[str] = []
    if not indent:
        verdict = "✓ verified / 验证通过" if result.verified else "✗ NOT verified / 验证未通过"
        lines.append(f"{verdict}{'  ' + result.subject if result.subject else ''}")
    for check in result.checks:
        for problem in check.problems:
            where = f" at {problem.pointer}" if problem.pointer else ""
            lines.append(f"{indent}  {check.name}: {problem.code.value} — {problem.title} / {problem.title_zh}"
                         f"{': ' + problem.detail if problem.detail else ''}{where}")
        for child in check.children:
            if not child.verified:
                lines.append(f"{indent}  └ {child.subject or 'nested document'}:")
                lines.extend(render_result(child, indent=indent + "    "))
    for warning in result.warnings:
        lines.append(f"{indent}  warning: {warning.code.value} — {warning.detail}")
    return lines


def read_input(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    path = Path(source)
    try:
        return path.read_bytes()
    except OSError as err:
        raise click.ClickException(f"cannot read {source}: {err.strerror}") from err


@click.command("verify")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option("--now", "now_text", help="Verify as of this time (ISO 8601 with offset).")
def verify_command(source: str, as_json: bool, now_text: str | None) -> None:
    """Verify a secured credential (FILE, or - for standard input)."""
    try:
        now = parse_datetime(now_text, field="--now") if now_text else utcnow()
    except SkillcredError as err:
        raise click.BadParameter(err.detail, param_hint="--now") from err
    data = read_input(source)
    result = verify_json(data, loader=DocumentLoader(), now=now)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in render_result(result):
            click.echo(line)
    sys.exit(0 if result.verified else 1)
