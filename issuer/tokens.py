"""API tokens for the issuer's write endpoints (SECURITY.md issuer item 8).

A token reads ``sc_<id>_<secret>``: ``id`` is 16 hex digits (public, names the row), ``secret`` is
32 bytes from the OS CSPRNG in base64url. The full token is shown once, at creation; the registry
keeps only SHA-256 of the secret. A fast hash is the right tool here, unlike for passwords or ID
numbers: the secret carries 256 bits of entropy, so there is nothing to enumerate and no salt or
slow KDF would add strength. Verification looks the row up by ``id`` and compares digests with
``hmac.compare_digest`` (constant time); an unknown id costs the same comparison.

Failures: a missing, malformed, unknown, wrong or revoked token is ``UNAUTHORIZED`` (HTTP 401); a
valid token without the scope an operation needs is ``FORBIDDEN`` (HTTP 403).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from issuer.store.records import TokenRecord
from issuer.store.registry import Store
from vccore.errors import Code, SkillcredError
from vccore.timeutil import format_datetime

SCOPES: Final = frozenset({"credentials:issue", "credentials:status", "credentials:read", "keys:admin"})
_TOKEN = re.compile(r"^sc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")
_DUMMY = hashlib.sha256(b"skillcred-no-such-token").digest()


@dataclass(frozen=True)
class NewToken:
    """A freshly created token. ``token`` is the only copy of the secret: show it once."""

    id: str
    token: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class TokenInfo:
    """What a verified token may do."""

    id: str
    scopes: frozenset[str]


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


class TokenRegistry:
    """Creates, verifies and revokes API tokens stored in ``store``."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, scopes: Iterable[str], *, now: datetime) -> NewToken:
        """A new token with ``scopes`` (a non-empty subset of :data:`SCOPES`)."""
        wanted = frozenset(scopes)
        unknown = wanted - SCOPES
        if not wanted or unknown:
            raise ValueError(f"scopes: expected a non-empty subset of {sorted(SCOPES)}, got {sorted(wanted)}")
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        stamp = format_datetime(now)
        with self._store.write() as tx:
            tx.insert_token(TokenRecord(token_id, _digest(secret), wanted, stamp, None))
            tx.append_event("token.created", token_id, {"scopes": sorted(wanted)}, now=stamp)
        return NewToken(token_id, f"sc_{token_id}_{secret}", wanted)

    def verify(self, presented: str | None, *, scope: str) -> TokenInfo:
        """The token's identity if ``presented`` is a live token holding ``scope``; raises otherwise."""
        if scope not in SCOPES:
            raise ValueError(f"scope: {scope!r} is not one of {sorted(SCOPES)}")
        match = _TOKEN.match(presented) if isinstance(presented, str) else None
        if match is None:
            raise SkillcredError("a valid API token is required", code=Code.UNAUTHORIZED)
        token_id, secret = match.groups()
        with self._store.read() as tx:
            record = tx.token(token_id)
        expected = record.secret_hash if record is not None else _DUMMY
        if not hmac.compare_digest(expected, _digest(secret)) or record is None or record.revoked_at:
            raise SkillcredError("the API token is not valid", code=Code.UNAUTHORIZED)
        if scope not in record.scopes:
            raise SkillcredError(f"the API token lacks the scope {scope}", code=Code.FORBIDDEN)
        return TokenInfo(record.id, record.scopes)

    def records(self) -> tuple[TokenRecord, ...]:
        """Every token ever created, oldest first, revoked ones included (each only its id, scopes and dates
        are meant to be shown: the registry never had the secret)."""
        with self._store.read() as tx:
            return tx.tokens()

    def find(self, token_id: str) -> TokenRecord:
        """The token with ``token_id`` (or the id inside a whole ``sc_<id>_<secret>`` token); ``NOT_FOUND``."""
        match = _TOKEN.match(token_id)
        wanted = match.group(1) if match else token_id
        with self._store.read() as tx:
            record = tx.token(wanted)
        if record is None:
            raise SkillcredError(f"no API token {wanted!r} / 没有该 API 令牌", code=Code.NOT_FOUND)
        return record

    def revoke(self, token_id: str, *, now: datetime) -> bool:
        """Disable a token for good; False if it was unknown or already revoked."""
        stamp = format_datetime(now)
        with self._store.write() as tx:
            changed = tx.revoke_token(token_id, now=stamp)
            if changed:
                tx.append_event("token.revoked", token_id, {}, now=stamp)
        return changed
