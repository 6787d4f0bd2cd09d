"""The holder's local wallet: a did:key holder key and the credentials, under one directory.

Layout (``root`` is ``$SKILLCRED_HOME/wallet`` or ``~/.skillcred/wallet`` by default, always a
parameter)::

    root/holder-key.json        the holder's Ed25519 key (Multikey JSON with its secret), mode 0600
    root/credentials/<id>.json  each credential exactly as received (the bytes are never re-serialized)
    root/index.json             import order and provenance: local id, credential id, source, time

The local id is the first 10 hex digits of the SHA-256 of the credential bytes: short, stable, and
the same bytes imported twice give the same id (the second import is a no-op).

An import is checked before anything is written: strict JSON (:mod:`vccore.jsonstrict`), the VC 2.0
context and data-model checks (:mod:`vccore.credentials`), and a proof present. The signature is
*not* verified here: an offline wallet cannot resolve a did:web issuer, and a wallet's word would
prove nothing anyway: verifiers re-check everything. Files are written to a temporary name and
renamed, credential first and index last, so a crash leaves at worst an unindexed file.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from vccore import jsonstrict
from vccore.canon.jcs import jcs_bytes
from vccore.clock import Clock
from vccore.credentials import examine, types_of, verify_issued_and_read
from vccore.did.key import did_key_pair
from vccore.errors import Code, SkillcredError
from vccore.jsonld.loader import DocumentLoader
from vccore.keys import KeyPair
from vccore.qr import payload as qr
from vccore.qr.read import read_qr
from vccore.timeutil import format_datetime
from wallet_demo.remote import FetchFn, check_https_url, check_token, https_fetch

__all__ = ["MAX_CREDENTIAL_BYTES", "StoredCredential", "Wallet", "WalletError", "default_root"]

MAX_CREDENTIAL_BYTES: Final = 512 * 1024
KEY_FILE: Final = "holder-key.json"
INDEX_FILE: Final = "index.json"
CRED_DIR: Final = "credentials"


class WalletError(SkillcredError):
    """A wallet operation was refused; nothing was written."""


def default_root(env: Mapping[str, str] | None = None) -> Path:
    """``$SKILLCRED_HOME/wallet``, else ``~/.skillcred/wallet``."""
    env = os.environ if env is None else env
    home = env.get("SKILLCRED_HOME")
    return (Path(home) if home else Path.home() / ".skillcred") / "wallet"


@dataclass(frozen=True)
class StoredCredential:
    local_id: str
    raw: bytes
    document: dict[str, Any]
    source: str
    imported_at: str

    @property
    def credential_id(self) -> str:
        value = self.document.get("id")
        return value if isinstance(value, str) else ""


def _write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _check_credential(raw: bytes, loader: DocumentLoader) -> dict[str, Any]:
    """The parsed credential, or a :class:`WalletError` that says in zh/en what it is instead."""
    if len(raw) > MAX_CREDENTIAL_BYTES:
        raise WalletError(
            f"larger than {MAX_CREDENTIAL_BYTES} bytes: not a credential / 文件过大，不是凭证",
            code=Code.RESOURCE_LIMIT_EXCEEDED,
        )
    try:
        doc = jsonstrict.loads(raw, max_bytes=MAX_CREDENTIAL_BYTES)
    except SkillcredError as err:
        raise WalletError(f"not a JSON credential ({err.detail}) / 不是 JSON 凭证", code=err.code) from err
    if not isinstance(doc, dict):
        raise WalletError("not a credential: the JSON is not an object / 不是凭证", code=Code.PARSING_ERROR)
    kinds = types_of(doc)
    if "VerifiablePresentation" in kinds:
        raise WalletError("this is a presentation, not a credential / 这是出示文件，不是凭证")
    if "VerifiableCredential" not in kinds:
        raise WalletError("not a credential: type lacks VerifiableCredential / 不是可验证凭证")
    result, reading = examine(doc, loader=loader)  # contexts, the one reading, the data model
    if reading is None:
        first = result.problems()[0]
        raise WalletError(
            f"not a valid credential: {first.detail} ({first.pointer or '/'}) / 凭证格式无效", code=first.code
        )
    if not doc.get("proof"):
        raise WalletError("the credential has no proof (unsigned) / 凭证未签名", code=Code.PROOF_VERIFICATION_ERROR)
    return doc


class Wallet:
    """A wallet directory. :meth:`create` makes one; the constructor opens an existing one."""

    def __init__(self, root: Path | str, *, clock: Clock, loader: DocumentLoader | None = None) -> None:
        self.root = Path(root)
        self.clock = clock
        self.loader = loader or DocumentLoader()
        key_path = self.root / KEY_FILE
        if not key_path.is_file():
            raise WalletError(
                f"no wallet at {self.root} (run `skillcred wallet init`) / 钱包尚未初始化", code=Code.NOT_FOUND
            )
        if os.name == "posix" and key_path.stat().st_mode & 0o077:
            raise WalletError(
                f"{key_path} is readable by others; run chmod 600 on it / 密钥文件权限过宽", code=Code.KEY_ERROR
            )
        try:
            pair = KeyPair.from_json(jsonstrict.loads(key_path.read_bytes(), max_bytes=16 * 1024))
        except SkillcredError as err:
            raise WalletError(f"{key_path}: {err.detail}", code=Code.KEY_ERROR) from err
        self.holder: KeyPair = did_key_pair(pair)

    @classmethod
    def create(
        cls, root: Path | str, *, clock: Clock, key: KeyPair | None = None, loader: DocumentLoader | None = None
    ) -> Wallet:
        """Create the wallet (0700 directory, 0600 key file); an existing wallet is opened as is."""
        root = Path(root)
        if not (root / KEY_FILE).exists():
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            (root / CRED_DIR).mkdir(exist_ok=True, mode=0o700)
            pair = did_key_pair(key or KeyPair.generate())
            data = json.dumps(pair.to_json(), indent=2).encode("utf-8")
            fd = os.open(root / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        return cls(root, clock=clock, loader=loader)

    @property
    def holder_did(self) -> str:
        return self.holder.controller

    # --- reading ---------------------------------------------------------------------------

    def _index(self) -> list[dict[str, str]]:
        path = self.root / INDEX_FILE
        if not path.is_file():
            return []
        try:
            value = jsonstrict.loads(path.read_bytes(), max_bytes=16 * 1024 * 1024)
        except SkillcredError as err:
            raise WalletError(f"{path} is damaged: {err.detail}") from err
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            raise WalletError(f"{path} is damaged: not a list of entries")
        return value

    def _load(self, entry: Mapping[str, str]) -> StoredCredential:
        local_id = str(entry.get("localId", ""))
        raw = (self.root / CRED_DIR / f"{local_id}.json").read_bytes()
        doc = jsonstrict.loads(raw, max_bytes=MAX_CREDENTIAL_BYTES)
        return StoredCredential(local_id, raw, doc, str(entry.get("source", "")), str(entry.get("importedAt", "")))

    def credentials(self) -> list[StoredCredential]:
        """Every credential, in import order."""
        return [self._load(e) for e in self._index()]

    def get(self, local_id: str) -> StoredCredential:
        """By local id (as ``wallet list`` shows it, ``[4088b52c62]``, or without the brackets), or by a unique
        prefix of at least 4 characters, or by credential id."""
        if isinstance(local_id, str) and len(local_id) > 2 and local_id[0] == "[" and local_id[-1] == "]":
            local_id = local_id[1:-1]
        entries = self._index()
        exact = [e for e in entries if local_id in (e.get("localId"), e.get("credentialId"))]
        if not exact and isinstance(local_id, str) and len(local_id) >= 4:
            exact = [e for e in entries if str(e.get("localId", "")).startswith(local_id)]
        if len(exact) != 1:
            why = "is ambiguous" if exact else "is not in the wallet"
            raise WalletError(f"credential {local_id!r} {why} / 钱包中没有该凭证", code=Code.NOT_FOUND)
        return self._load(exact[0])

    def find(self, credential_id: str) -> StoredCredential | None:
        """The stored credential whose ``id`` is ``credential_id``, if any."""
        for e in self._index():
            if e.get("credentialId") == credential_id:
                return self._load(e)
        return None

    def signature_intact(self, stored: StoredCredential) -> bool:
        """Whether the credential's proof verifies offline (its issuer's key resolvable here, e.g. did:key)
        and it is within its validity window. Trust lists and revocation are *not* checked: a wallet's word
        proves nothing to a verifier, it only spares the holder a "not verified" label on a sound card."""
        result, _ = verify_issued_and_read(stored.document, loader=self.loader, now=self.clock())
        return result.verified

    # --- importing -------------------------------------------------------------------------

    def import_bytes(self, raw: bytes, *, source: str) -> StoredCredential:
        """Check and store one credential's bytes exactly as received. A credential already held (the same
        content by JSON canonicalization, however spelled: from its QR code, pretty-printed) is returned as
        held; another document with the same id is ``CONFLICT``."""
        doc = _check_credential(bytes(raw), self.loader)
        local_id = hashlib.sha256(raw).hexdigest()[:10]
        entries = self._index()
        for e in entries:
            if e.get("localId") == local_id:
                return self._load(e)
        cred_id = doc.get("id") if isinstance(doc.get("id"), str) else ""
        same_id = [e for e in entries if cred_id and e.get("credentialId") == cred_id]
        for e in same_id:  # the same content spelled otherwise (from its QR code, pretty-printed): already held
            held = self._load(e)
            if jcs_bytes(held.document) == jcs_bytes(doc):
                return held
        if same_id:
            raise WalletError(
                f"the wallet already holds a different document with id {cred_id} / 钱包中已有同一编号但内容不同的凭证",
                code=Code.CONFLICT,
            )
        entry = {
            "localId": local_id,
            "credentialId": str(cred_id),
            "source": source[:500],
            "importedAt": format_datetime(self.clock()),
        }
        (self.root / CRED_DIR).mkdir(exist_ok=True, mode=0o700)
        _write_atomic(self.root / CRED_DIR / f"{local_id}.json", bytes(raw))
        _write_atomic(
            self.root / INDEX_FILE, json.dumps([*entries, entry], ensure_ascii=False, indent=1).encode("utf-8")
        )
        return StoredCredential(local_id, bytes(raw), doc, entry["source"], entry["importedAt"])

    def import_file(self, path: Path | str) -> StoredCredential:
        path = Path(path)
        try:
            with path.open("rb") as fh:
                raw = fh.read(MAX_CREDENTIAL_BYTES + 1)
        except OSError as err:
            raise WalletError(f"cannot read {path}: {err.strerror} / 无法读取文件", code=Code.NOT_FOUND) from err
        return self.import_bytes(raw, source=f"file:{path.name}")

    def import_payload(self, payload: str, *, fetch: FetchFn | None = None) -> StoredCredential:
        """Import what a QR payload carries: a credential (document payload), or a reference that
        is fetched (with ``fetch``, no token) and accepted only if its SHA-256 matches."""
        try:
            decoded = qr.decode_any(payload.strip())
        except SkillcredError as err:
            raise WalletError(f"not a skillcred QR payload: {err.detail} / 不是本系统的二维码", code=err.code) from err
        if decoded.document is not None:
            return self.import_bytes(jsonstrict.dumps_compact(decoded.document).encode("utf-8"), source="qr")
        assert decoded.reference is not None
        if fetch is None:
            raise WalletError(
                "the QR code holds a link, and fetching is not enabled here / 二维码为链接，未启用下载",
                code=Code.FETCH_NOT_ALLOWED,
            )
        body = fetch(decoded.reference.url, None)
        if not decoded.reference.matches(body):
            raise WalletError(
                "the linked document does not match the QR code's SHA-256 / 下载内容与二维码摘要不符",
                code=Code.CRYPTOGRAPHIC_SECURITY_ERROR,
            )
        return self.import_bytes(body, source=f"qr-ref:{decoded.reference.url}")

    def import_qr_image(self, image: bytes, *, fetch: FetchFn | None = None) -> StoredCredential:
        try:
            payload = read_qr(image)
        except SkillcredError as err:
            raise WalletError(f"no readable QR code: {err.detail} / 未能识别二维码", code=err.code) from err
        return self.import_payload(payload, fetch=fetch)

    def import_url(self, url: str, *, token: str | None = None, fetch: FetchFn = https_fetch) -> StoredCredential:
        """Fetch a credential from the issuer (HTTPS only) with a bearer token."""
        check_https_url(url)
        check_token(token)
        body = fetch(url, token)
        try:
            outer = jsonstrict.loads(body, max_bytes=MAX_CREDENTIAL_BYTES)
        except SkillcredError:
            outer = None
        if isinstance(outer, dict) and "VerifiableCredential" not in types_of(outer):
            inner = outer.get("verifiableCredential", outer.get("credential"))
            if isinstance(inner, dict):  # an issuance envelope: keep the credential itself
                body = jsonstrict.dumps_compact(inner).encode("utf-8")
        return self.import_bytes(body, source=f"url:{url}")
