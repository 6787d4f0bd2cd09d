"""The ``skillcred`` command: composes the issuer, verifier and wallet CLIs and vccore's tools.

Exit codes: 0 success (verified), 1 not verified / refused, 2 usage error (a missing input file too).

Errors are translated here, once, for every command (:class:`Root`): the commands below raise what
they mean (a :class:`~vccore.errors.SkillcredError` with its code, an ``OSError`` naming its file, a
``ValueError`` for an option value they cannot use) and never print a traceback.
"""

from __future__ import annotations

import importlib
import re
from typing import IO, Any, Final

import click

from vccore.clock import Runtime, system_clock
from vccore.errors import SkillcredError, title_zh

#: Every command beneath the root: its name, and the module and attribute that define it. A command's module
#: is imported only when that command runs or its help is shown, so ``skillcred verify`` loads the verifier
#: and nothing of the issuer (its registry drivers, the batch code), the wallet or the demo.
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "keys": ("skillcred.keys_cli", "keys_group"),
    "sign": ("skillcred.keys_cli", "sign_command"),
    "verify": ("verifier.cli", "verify"),
    "issuer": ("issuer.cli", "issuer_group"),
    "verifier": ("verifier.cli", "verifier_group"),
    "wallet": ("wallet_demo.cli", "wallet_group"),
    "qr": ("skillcred.qr_cli", "qr_group"),
    "explain": ("skillcred.explain_cli", "explain_command"),
    "demo": ("skillcred.demo", "demo_command"),
}

#: the one wording of a missing file, after its path (exit 2): commands let ``FileNotFoundError`` through
NO_SUCH_FILE = "文件或目录不存在 / no such file or directory"


_CJK = re.compile("[\u4e00-\u9fff]")


class Refused(click.ClickException):
    """A command's refusal (a :class:`SkillcredError`, exit 1), Chinese first: ``错误：<what is wrong> / Error:
    CODE: detail``. What is wrong is the error's own Chinese sentence, else its code's Chinese title; a detail
    that already says it in Chinese (a batch's summary) is not preceded by a second one."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh

    def show(self, file: IO[Any] | None = None) -> None:
        lead = f"错误：{self.zh} / " if self.zh else "错误 / "
        click.echo(f"{lead}Error: {self.format_message()}", err=True)


def _chinese(err: SkillcredError) -> str:
    if err.zh:
        return err.zh
    return "" if _CJK.search(err.detail) else title_zh(err.code)


def _with_notes(message: str, err: BaseException) -> str:
    return "".join([message, *(f"\n{note}" for note in getattr(err, "__notes__", ()))])


def translate(err: Exception) -> click.ClickException | None:
    """The one translation of an error into what the command line shows, or None to let it through.

    * :class:`SkillcredError`: its lines (one per problem) on stderr, then ``错误：… / Error: CODE: detail``
      (:class:`Refused`); exit 1.
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
        return Refused(_with_notes(str(err), err), _chinese(err))
    if isinstance(err, FileNotFoundError):
        return click.UsageError(_with_notes(f"{err.filename or err}: {NO_SUCH_FILE}", err))
    if isinstance(err, OSError):
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        return click.ClickException(_with_notes(f"{where}{err.strerror or err}", err))
    if isinstance(err, ValueError):
        return click.UsageError(_with_notes(str(err), err))
    return None


class Root(click.Group):
    """The root group: runs a command and translates what it raises (:func:`translate`); loads each
    command of :data:`COMMANDS` when it is first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | {name for name in COMMANDS if _load(name) is not None})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = _load(cmd_name)
            if command is not None:
                self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

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
    if ctx.invoked_subcommand == "issuer":
        from issuer.cli import RECOGNIZER_FACTORY

        ctx.meta[RECOGNIZER_FACTORY] = _make_recognizer


def _load(name: str) -> click.Command | None:
    """The command ``name`` of :data:`COMMANDS`, or None when its package is not installed."""
    module_name, attribute = COMMANDS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise
        return None
    command: click.Command = getattr(module, attribute)
    if name == "issuer":
        _compose_recognition(command)
    return command


def _compose_recognition(issuer_group: click.Command) -> None:
    """Recognition needs both the issuer (signing) and the verifier (checking sources): composed here."""
    from skillcred.recognize_cli import recognize_command, rules_group

    assert isinstance(issuer_group, click.Group)
    issuer_group.add_command(rules_group)
    issuer_group.add_command(recognize_command)


def _make_recognizer(*args: Any, **kwargs: Any) -> Any:
    from skillcred.recognize_cli import make_recognizer

    return make_recognizer(*args, **kwargs)


def main() -> None:
    """The composition root: the only place the wall clock is handed in."""
    cli(prog_name="skillcred", obj=Runtime(clock=system_clock))
