"""The ``skillcred`` command: composes the issuer, verifier and wallet CLIs and vccore's tools.

Exit codes: 0 success (verified), 1 not verified / refused, 2 usage error (a missing input file too).

Errors are translated here, once, for every command (:class:`Root`): the commands below raise what
they mean (a :class:`~vccore.errors.SkillcredError` with its code, an ``OSError`` naming its file, a
``ValueError`` for an option value they cannot use) and never print a traceback.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from skillcred.keys_cli import keys_group, sign_command
from vccore.clock import Runtime, system_clock
from vccore.errors import SkillcredError
from verifier.cli import verify as verify_command

#: the one wording of a missing file, after its path (exit 2): commands let ``FileNotFoundError`` through
NO_SUCH_FILE = "文件或目录不存在 / no such file or directory"


def _with_notes(message: str, err: BaseException) -> str:
    return "".join([message, *(f"\n{note}" for note in getattr(err, "__notes__", ()))])


def translate(err: Exception) -> click.ClickException | None:
    """The one translation of an error into what the command line shows, or None to let it through.

    * :class:`SkillcredError`: its lines (one per problem) on stderr, then ``Error: CODE: detail``; exit 1.
    * ``FileNotFoundError`` (a missing input file, in every command): ``Error: FILE: 文件或目录不存在 / no such
      file or directory`` with usage; exit 2 (:data:`NO_SUCH_FILE`).
    * any other ``OSError``: ``Error: FILE: reason``; exit 1.
    * ``ValueError``: an option value the command cannot use, ``Error: …`` with usage; exit 2.
    Notes added to the error (``add_note``: what to do next) follow the message."""
    if isinstance(err, click.ClickException):
        return None
    if isinstance(err, SkillcredError):
        for line in err.lines:
            click.echo(line, err=True)
        return click.ClickException(_with_notes(str(err), err))
    if isinstance(err, FileNotFoundError):
        return click.UsageError(_with_notes(f"{err.filename or err}: {NO_SUCH_FILE}", err))
    if isinstance(err, OSError):
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        return click.ClickException(_with_notes(f"{where}{err.strerror or err}", err))
    if isinstance(err, ValueError):
        return click.UsageError(_with_notes(str(err), err))
    return None


class Root(click.Group):
    """The root group: runs a command and translates what it raises (:func:`translate`)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as err:
            translated = translate(err)
            if translated is None:
                raise
            raise translated from err


@click.group(cls=Root, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="skillcred", help="显示版本并退出。 Show the version and exit.")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """skillcred — 技能等级、职业资格、职称、学历及贯通认定的可验证凭证工具。

    Verifiable credentials for skill levels, qualifications, titles, degrees and their recognition.
    """
    ctx.meta[RECOGNIZER_FACTORY] = make_recognizer


cli.add_command(keys_group)
cli.add_command(sign_command)
cli.add_command(verify_command)

# The app CLIs join when their packages provide them (each package owns its own click group).
for _module, _attr in (
    ("issuer.cli", "issuer_group"),
    ("verifier.cli", "verifier_group"),
    ("wallet_demo.cli", "wallet_group"),
    ("skillcred.qr_cli", "qr_group"),
    ("skillcred.explain_cli", "explain_command"),
    ("skillcred.demo", "demo_command"),
):
    try:
        _mod = importlib.import_module(_module)
    except ModuleNotFoundError as _err:
        if _err.name != _module:
            raise
        continue
    cli.add_command(getattr(_mod, _attr))

# Recognition needs both the issuer (signing) and the verifier (checking sources): composed here.
from issuer.cli import RECOGNIZER_FACTORY, issuer_group  # noqa: E402
from skillcred.recognize_cli import make_recognizer, recognize_command, rules_group  # noqa: E402

issuer_group.add_command(rules_group)
issuer_group.add_command(recognize_command)


def main() -> None:
    """The composition root: the only place the wall clock is handed in."""
    cli(prog_name="skillcred", obj=Runtime(clock=system_clock))
