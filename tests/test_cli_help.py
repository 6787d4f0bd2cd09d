"""Every command and option of the ``skillcred`` tree has its help in Chinese, then in English (issue 14).

The walk goes through :data:`skillcred.cli.cli` as ``--help`` does (``list_commands``/``get_command``, so
lazily loaded groups count too). A help text passes when it has Chinese, at most one English word before
its first Chinese character (a name such as ``skillcred`` or ``DID`` may lead) and English (at least two
words) after its last: "签发机构：…。 Issue …." passes; "Issue …" (no Chinese), "签发…" (no English) and
"Issue … / 签发…." or "Issue …。签发…。 More English." (English first) do not. Hidden options (test-only
costs) and click's own ``--help`` are not part of what a person reads per command and are not walked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click

from skillcred.cli import cli

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z]{2,}")


def why_not_bilingual(text: str | None) -> str | None:
    """What is wrong with ``text`` as a help text (None: Chinese, then English)."""
    if not text or not text.strip():
        return "no help"
    chinese = list(_CJK.finditer(text))
    if not chinese:
        return "no Chinese"
    if len(_WORD.findall(text[: chinese[0].start()])) > 1:
        return "English before the Chinese"
    if len(_WORD.findall(text[chinese[-1].end() :])) < 2:
        return "no English after the Chinese"
    return None


def _option_name(option: click.Option) -> str:
    names = sorted(option.opts, key=lambda n: (not n.startswith("--"), n))
    return "/".join([names[0], *option.secondary_opts])


def walk(
    command: click.Command, path: str = "skillcred", parent: click.Context | None = None
) -> Iterator[tuple[str, str | None]]:
    """``(path, help text)`` for ``command``, each of its visible options, and everything beneath it."""
    ctx = click.Context(command, info_name=path.rsplit(" ", 1)[-1], parent=parent)
    yield path, command.help or command.short_help
    help_option = command.get_help_option(ctx)
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and param is not help_option:
            yield f"{path} {_option_name(param)}", param.help
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, f"{path} {name}", ctx)


def test_the_rule_tells_bilingual_help_from_the_rest() -> None:
    assert why_not_bilingual("签发机构：签发与撤销。 Issue credentials and change their status.") is None
    assert why_not_bilingual("以 JSON 输出。 Print JSON.") is None
    assert why_not_bilingual(None) == "no help"
    assert why_not_bilingual("Issue credentials.") == "no Chinese"
    assert why_not_bilingual("签发凭证。") == "no English after the Chinese"
    assert why_not_bilingual("Ed25519 key pairs / Ed25519 密钥对.") == "English before the Chinese"
    assert why_not_bilingual("Verify a file. 验证文件。 Exit 0 verified.") == "English before the Chinese"
    assert why_not_bilingual("skillcred — 可验证凭证工具。 Verifiable credentials.") is None


def test_the_walk_reaches_leaves_and_options() -> None:
    paths = {path for path, _ in walk(cli)}
    assert {"skillcred issuer keys compromise", "skillcred issuer batch --kind", "skillcred qr encode"} <= paths
    assert "skillcred issuer init --key-kdf" not in paths  # hidden: for tests only


def test_every_command_and_option_has_chinese_then_english_help() -> None:
    missing = [f"{path}: {why}" for path, text in walk(cli) if (why := why_not_bilingual(text)) is not None]
    assert not missing, "commands and options without Chinese-then-English help:\n" + "\n".join(missing)
