"""Fetching a credential from an issuer URL with a bearer token: HTTPS only, no redirects, capped.

The wallet never opens a socket on its own: :class:`wallet_demo.store.Wallet` takes a ``fetch``
callable (``fetch(url, token) -> bytes``) so that tests hand it a stub. :func:`https_fetch` is the
real one, on the standard library's ``urllib``:

- only ``https://`` URLs with a host and without userinfo (the bearer token must never travel in
  clear, and a redirect could carry it elsewhere, so no redirect is followed: a 3xx is an error);
- the token is sent as ``Authorization: Bearer`` and must be printable ASCII without spaces (a
  CR/LF would split the header);
- a total timeout and a body cap enforced while reading; only ``200`` is accepted.
"""

from __future__ import annotations

import re
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import IO, Final
from urllib.parse import urlsplit

from vccore.errors import Code, FetchNotAllowed, ResourceLimitError, SkillcredError

__all__ = ["DEFAULT_MAX_BYTES", "FetchFn", "check_https_url", "check_token", "https_fetch"]

#: ``fetch(url, token) -> body bytes``; raises :class:`SkillcredError` on any failure.
FetchFn = Callable[[str, str | None], bytes]

DEFAULT_MAX_BYTES: Final = 1024 * 1024
DEFAULT_TIMEOUT: Final = 15.0
_TOKEN_RE: Final = re.compile(r"[\x21-\x7e]{1,4096}")
_ACCEPT: Final = "application/vc, application/ld+json, application/json;q=0.9"


def check_https_url(url: str) -> str:
    """``url`` if it is an absolute ``https`` URL with a host and no credentials, else an error."""
    if not isinstance(url, str) or len(url) > 2048 or any(ch <= " " or ch == "\x7f" for ch in url):
        raise FetchNotAllowed("the issuer URL is empty, too long or contains spaces / 网址无效")
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as err:
        raise FetchNotAllowed(f"the issuer URL is malformed: {err} / 网址格式错误") from err
    if parts.scheme != "https":
        raise FetchNotAllowed(
            "only https:// issuer URLs are fetched (a bearer token must not travel in clear) / 仅支持 https:// 网址"
        )
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise FetchNotAllowed("the issuer URL needs a host and must not carry a user name or password")
    return url


def check_token(token: str | None) -> str | None:
    if token is None:
        return None
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        raise SkillcredError(
            "the token must be 1 to 4096 printable ASCII characters without spaces / 令牌格式错误",
            code=Code.MALFORMED_VALUE_ERROR,
        )
    return token


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        raise FetchNotAllowed(f"the issuer answered with a redirect ({code}); redirects are not followed")


def https_fetch(
    url: str, token: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """GET ``url`` over HTTPS (certificate checked) and return the body of a ``200`` answer."""
    check_https_url(url)
    check_token(token)
    headers = {"Accept": _ACCEPT, "User-Agent": "skillcred-wallet"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers, method="GET")
    opener = urllib.request.build_opener(
        _NoRedirect(),
        urllib.request.HTTPSHandler(context=ssl.create_default_context()),
        urllib.request.ProxyHandler({}),
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise SkillcredError(f"the issuer answered HTTP {response.status}", code=Code.NOT_FOUND)
            body = bytes(response.read(max_bytes + 1))
    except urllib.error.HTTPError as err:
        code = Code.UNAUTHORIZED if err.code in (401, 403) else Code.NOT_FOUND
        raise SkillcredError(f"the issuer answered HTTP {err.code} / 签发方返回 HTTP {err.code}", code=code) from err
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise SkillcredError(f"could not fetch {url}: {err} / 无法获取", code=Code.STATUS_RETRIEVAL_ERROR) from err
    if len(body) > max_bytes:
        raise ResourceLimitError(f"the issuer's answer is larger than {max_bytes} bytes")
    return body
