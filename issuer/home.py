"""The issuer's state on disk: ``$SKILLCRED_HOME/issuer/`` (default ``~/.skillcred/issuer/``).

It holds ``config.json`` (the DID, the names in Chinese and English, the base URL, the registry URL
and the key-store KDF choice) and, by default, the registry itself (``registry.sqlite3``; a
``postgresql://`` URL puts it elsewhere). The private key lives in the registry, encrypted with the
passphrase taken from the environment variable ``SKILLCRED_PASSPHRASE``, which is never written
anywhere. :func:`init_issuer` creates the issuer once; :func:`open_service` composes an
:class:`IssuerService` from it for every later command.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from issuer.keystore import MINIMAL, MODERATE, KdfLimits, KeyStore
from issuer.passphrase import require_strong
from issuer.profile import IssuerProfile
from issuer.service import IssuerService
from issuer.signing import DEFAULT_HASH
from issuer.store.db import DEFAULT_POOL_SIZE
from issuer.store.registry import Store
from vccore.clock import Clock
from vccore.errors import Code, KeyProblem, SkillcredError
from vccore.jsonld.loader import DocumentLoader, OperatorContext, pins_from_config

HOME_ENV: Final = "SKILLCRED_HOME"
PASSPHRASE_ENV: Final = "SKILLCRED_PASSPHRASE"
CONFIG_FILE: Final = "config.json"
DEFAULT_STORE_FILE: Final = "registry.sqlite3"
DEFAULT_DID_KEY_BASE_URL: Final = "http://127.0.0.1:8401"
KdfChoice = Literal["moderate", "minimal"]
#: ``minimal`` is libsodium's cheapest Argon2id cost: for tests only, never for a real key
KDF_CHOICES: Final[dict[str, KdfLimits]] = {"moderate": MODERATE, "minimal": MINIMAL}


def default_home() -> Path:
    """``$SKILLCRED_HOME`` or ``~/.skillcred``."""
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else Path.home() / ".skillcred"


def passphrase_from_env(*, required: bool = True) -> str:
    """The key passphrase from ``SKILLCRED_PASSPHRASE``; ``KEY_ERROR`` when unset and required."""
    value = os.environ.get(PASSPHRASE_ENV, "")
    if not value and required:
        raise KeyProblem(f"set {PASSPHRASE_ENV} to the issuer key passphrase (it is never stored)")
    return value


@dataclass(frozen=True)
class IssuerConfig:
    """What ``config.json`` holds. ``store`` None means ``registry.sqlite3`` beside the config."""

    did: str
    base_url: str
    name_zh: str
    name_en: str
    store: str | None = None
    kdf: str = "moderate"
    #: operator-pinned contexts (``[{"url", "file", "sha256"}]``, files relative to the config) and the
    #: W3C examples contexts switch (issue 17)
    contexts: tuple[Mapping[str, Any], ...] = ()
    examples_contexts: bool = False

    def profile(self, *, base_url: str | None = None) -> IssuerProfile:
        return IssuerProfile(self.did, (base_url or self.base_url).rstrip("/"), self.name_zh, self.name_en)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "did": self.did,
            "baseUrl": self.base_url,
            "nameZh": self.name_zh,
            "nameEn": self.name_en,
            "store": self.store,
            "kdf": self.kdf,
            **({"contexts": [dict(c) for c in self.contexts]} if self.contexts else {}),
            **({"examplesContexts": True} if self.examples_contexts else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IssuerConfig:
        try:
            config = cls(
                str(data["did"]),
                str(data["baseUrl"]),
                str(data["nameZh"]),
                str(data["nameEn"]),
                None if data.get("store") is None else str(data["store"]),
                str(data.get("kdf", "moderate")),
                tuple(data.get("contexts") or ()),
                data.get("examplesContexts") is True,
            )
        except KeyError as err:
            raise SkillcredError(f"config.json lacks {err.args[0]!r}", code=Code.MALFORMED_VALUE_ERROR) from err
        if config.kdf not in KDF_CHOICES:
            raise SkillcredError(f"config.json: unknown kdf {config.kdf!r}", code=Code.MALFORMED_VALUE_ERROR)
        return config


class IssuerHome:
    """The directory ``<home>/issuer``: its config and default registry."""

    def __init__(self, home: Path | str | None = None) -> None:
        self.root = (Path(home) if home is not None else default_home()) / "issuer"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    def exists(self) -> bool:
        return self.config_path.is_file()

    def loader(
        self,
        config: IssuerConfig,
        *,
        pinned: Iterable[OperatorContext] = (),
        examples: bool = False,
        inline: bool = False,
    ) -> DocumentLoader:
        """The contexts this issuer may sign: the shipped ones, the examples contexts when the config or
        ``examples`` switches them on, and the operator's (the config's, whose files are relative to it,
        and ``pinned``); ``inline``: inline context objects on generic credentials, in safe mode."""

        def read(name: str) -> bytes:
            try:
                return (self.root / name).read_bytes()
            except OSError as err:
                raise SkillcredError(f"{self.config_path}: context file {name!r}: {err.strerror}") from err

        from_config = pins_from_config(list(config.contexts), read=read, where=str(self.config_path))
        return DocumentLoader(
            examples=examples or config.examples_contexts, pinned=[*from_config, *pinned], inline_contexts=inline
        )

    def store_url(self, config: IssuerConfig) -> str:
        return config.store or str(self.root / DEFAULT_STORE_FILE)

    def load(self) -> IssuerConfig:
        """The config; ``NOT_FOUND`` when the issuer was never initialised here."""
        try:
            text = self.config_path.read_text(encoding="utf-8")
        except FileNotFoundError as err:
            raise SkillcredError(
                f"no issuer at {self.root}: run `skillcred issuer init` first", code=Code.NOT_FOUND
            ) from err
        try:
            data = json.loads(text)
        except ValueError as err:
            raise SkillcredError(f"{self.config_path}: not JSON ({err})", code=Code.PARSING_ERROR) from err
        if not isinstance(data, dict):
            raise SkillcredError(f"{self.config_path}: not a JSON object", code=Code.PARSING_ERROR)
        return IssuerConfig.from_json(data)

    def save(self, config: IssuerConfig) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = self.config_path.with_suffix(".tmp")
        temp.write_text(json.dumps(config.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(temp, self.config_path)

    def open_store(
        self, config: IssuerConfig, *, busy_timeout: float = 5.0, pool_size: int = DEFAULT_POOL_SIZE
    ) -> Store:
        return Store(self.store_url(config), busy_timeout=busy_timeout, pool_size=pool_size)


def init_issuer(
    home: IssuerHome,
    *,
    did_web: str | None,
    name_zh: str,
    name_en: str,
    passphrase: str,
    clock: Clock,
    base_url: str | None = None,
    store: str | None = None,
    kdf: str = "moderate",
) -> IssuerConfig:
    """Create the issuer: registry, first key (sealed with ``passphrase``) and config.

    ``did_web`` is ``domain[/path/segments]``; None makes a did:key issuer. ``CONFLICT`` if ``home``
    already holds an issuer. Bad names, domains or URLs raise ``ValueError`` naming the value.
    """
    if home.exists():
        raise SkillcredError(f"an issuer already exists at {home.root}", code=Code.CONFLICT)
    if not passphrase:
        raise KeyProblem(f"set {PASSPHRASE_ENV} to the issuer key passphrase (it is never stored)")
    require_strong(passphrase)
    limits = KDF_CHOICES.get(kdf)
    if limits is None:
        raise ValueError(f"kdf: {kdf!r} is not one of {sorted(KDF_CHOICES)}")
    for label, name in (("name_zh", name_zh), ("name_en", name_en)):
        if not name.strip():
            raise ValueError(f"{label}: the issuer name must not be empty")
    profile: IssuerProfile | None = None
    if did_web is not None:
        domain, *path = did_web.strip("/").split("/")
        profile = IssuerProfile.for_did_web(domain, path=path, base_url=base_url, name_zh=name_zh, name_en=name_en)
    elif base_url is not None:
        IssuerProfile("did:web:example.invalid", base_url)  # validates the URL before anything is created
    home.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = IssuerConfig("", "", name_zh, name_en, store, kdf)
    with Store(home.store_url(draft)) as opened:
        record = KeyStore(opened, limits=limits).generate(
            passphrase, controller=profile.did if profile else None, now=clock()
        )
    if profile is None:
        profile = IssuerProfile.for_did_key(
            record.public_multibase, base_url=base_url or DEFAULT_DID_KEY_BASE_URL, name_zh=name_zh, name_en=name_en
        )
    config = IssuerConfig(profile.did, profile.base_url, name_zh, name_en, store, kdf)
    home.save(config)
    return config


@dataclass
class OpenIssuer:
    """An opened issuer: its config, profile, store, key store, service and passphrase. Close it (or use
    it as a context manager) to close the registry connections."""

    config: IssuerConfig
    profile: IssuerProfile
    store: Store
    keystore: KeyStore
    service: IssuerService
    passphrase: str = field(repr=False)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> OpenIssuer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_issuer(
    home: IssuerHome,
    *,
    clock: Clock,
    passphrase: str | None = None,
    need_key: bool = True,
    base_url: str | None = None,
    loader: DocumentLoader | None = None,
    busy_timeout: float = 5.0,
    pool_size: int = DEFAULT_POOL_SIZE,
    hasher: Callable[[str], dict[str, Any]] = DEFAULT_HASH,
) -> OpenIssuer:
    """Open the issuer kept in ``home``.

    ``passphrase`` defaults to ``SKILLCRED_PASSPHRASE``; it is required only when ``need_key`` (signing
    or rotating). ``loader`` decides which contexts may be signed (the production allow-list by default);
    ``hasher`` is the identity hash's Argon2id cost in credentials built from a kind's input.
    """
    config = home.load()
    secret = passphrase if passphrase is not None else passphrase_from_env(required=need_key)
    profile = config.profile(base_url=base_url)
    store = home.open_store(config, busy_timeout=busy_timeout, pool_size=pool_size)
    keystore = KeyStore(store, limits=KDF_CHOICES[config.kdf])
    service = IssuerService(
        store=store,
        profile=profile,
        keystore=keystore,
        passphrase=secret,
        loader=loader or home.loader(config),
        clock=clock,
        hasher=hasher,
    )
    return OpenIssuer(config, profile, store, keystore, service, secret)


def open_service(home: IssuerHome, **options: Any) -> IssuerService:
    """The :class:`IssuerService` of :func:`open_issuer` (its registry stays open for the process)."""
    return open_issuer(home, **options).service
