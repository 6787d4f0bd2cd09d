"""The minimum strength of the issuer key passphrase (issue 14; docs/operations.md, "Key passphrase").

The passphrase derives the key that seals every issuer key (:mod:`issuer.keystore`), so whoever copies the
registry can try passphrases offline at Argon2id's cost. A new passphrase (``issuer init``, a key sealed by
``issuer keys rotate``) must therefore:

* have at least :data:`MIN_LENGTH` (12) characters and at least :data:`MIN_DISTINCT` (6) different ones;
* if shorter than :data:`LONG_ENOUGH` (20) characters, mix at least 3 of 4 kinds: lowercase letters,
  uppercase letters, digits, and everything else (spaces, punctuation, Chinese characters);
* not be made only of common words (:data:`WEAK_WORDS`, e.g. ``password``, ``admin``, ``qwerty``,
  ``skillcred``) with digits and punctuation around them (``Password1234!`` is refused).

A long phrase of several ordinary words passes on its length alone. The refusal says what is missing, in
Chinese and English, and never repeats the passphrase.
"""

from __future__ import annotations

import re
from typing import Final

from vccore.errors import KeyProblem

MIN_LENGTH: Final = 12
MIN_DISTINCT: Final = 6
LONG_ENOUGH: Final = 20
MIN_KINDS: Final = 3
#: words that add nothing to a passphrase: the most common passwords' stems (lowercase, longest first)
WEAK_WORDS: Final = tuple(
    sorted(
        {
            "password",
            "passw0rd",
            "p@ssw0rd",
            "p@ssword",
            "passwd",
            "pass",
            "qwertyuiop",
            "qwerty",
            "asdfgh",
            "asdf",
            "zxcvbn",
            "1qaz2wsx",
            "admin",
            "administrator",
            "root",
            "letmein",
            "welcome",
            "iloveyou",
            "changeme",
            "secret",
            "default",
            "test",
            "abc",
            "skillcred",
            "issuer",
            "woaini",
            "mima",
            "密码",
            "口令",
        },
        key=lambda w: (-len(w), w),
    )
)
_WEAK = re.compile("|".join(re.escape(w) for w in WEAK_WORDS))


def _kinds(passphrase: str) -> int:
    lower = any("a" <= c <= "z" for c in passphrase)
    upper = any("A" <= c <= "Z" for c in passphrase)
    digit = any("0" <= c <= "9" for c in passphrase)
    other = any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in passphrase)
    return lower + upper + digit + other


def weakness(passphrase: str) -> str | None:
    """Why ``passphrase`` is too weak (Chinese, then English), or None when it is strong enough."""
    if len(passphrase) < MIN_LENGTH:
        return (
            f"口令至少需要 {MIN_LENGTH} 个字符（现为 {len(passphrase)} 个）/ "
            f"the passphrase needs at least {MIN_LENGTH} characters (it has {len(passphrase)})"
        )
    if len(set(passphrase)) < MIN_DISTINCT:
        return (
            f"口令至少需要 {MIN_DISTINCT} 个不同的字符 / "
            f"the passphrase needs at least {MIN_DISTINCT} different characters"
        )
    if len(passphrase) < LONG_ENOUGH and _kinds(passphrase) < MIN_KINDS:
        return (
            f"少于 {LONG_ENOUGH} 个字符的口令须混合小写字母、大写字母、数字、其他字符中的至少 {MIN_KINDS} 类 / "
            f"a passphrase shorter than {LONG_ENOUGH} characters must mix at least {MIN_KINDS} of: lowercase letters, "
            "uppercase letters, digits, other characters"
        )
    rest = _WEAK.sub("", passphrase.lower())
    if not any(c.isalpha() for c in rest):
        return (
            "口令仅由常见词（如 password、admin、qwerty）加数字或符号组成 / "
            "the passphrase is only common words (such as password, admin, qwerty) with digits or symbols"
        )
    return None


def require_strong(passphrase: str) -> None:
    """``KEY_ERROR`` naming what is missing when ``passphrase`` is too weak for a new key (module docstring)."""
    why = weakness(passphrase)
    if why is not None:
        raise KeyProblem(
            f"{why}。请换一个更强的 SKILLCRED_PASSPHRASE（见 docs/operations.md）/ "
            "choose a stronger SKILLCRED_PASSPHRASE (see docs/operations.md)"
        )
