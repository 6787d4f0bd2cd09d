"""The wallet's HTML: phone-sized pages, Chinese first with an English toggle, no outside assets.

Plain functions from view models to HTML strings; every value is escaped here. Styles and the one
small script are inline and carry the response's CSP nonce (``app.py`` sets the header).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from vccore.display import SIGNED_LABEL, VALID_UNTIL_LABEL
from vccore.recognition.text import BASIS_ROW, STANDING_ROW
from vccore.text import Text
from wallet_demo import crossdevice
from wallet_demo.cards import CLAIMED, INFERRED, Card

__all__ = ["answer_page", "card_page", "codes_page", "error_page", "index_page"]

_CSS: Final = """
*{box-sizing:border-box}body{margin:0;font:17px/1.5 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;
background:#f3f1ec;color:#1d1d1d;max-width:520px;margin:auto;padding:12px;overflow-wrap:anywhere}
body.zh [lang=en],body.en [lang=zh]{display:none}
[hidden]{display:none!important}
header{display:flex;justify-content:space-between;align-items:center;gap:8px}h1{font-size:1.3em;margin:.4em 0}
button,.btn{font:inherit;min-height:48px;min-width:48px;padding:.55em 1em;border-radius:8px;border:2px solid #7a1f1f;
background:#fff;color:#7a1f1f;text-decoration:none;display:inline-flex;align-items:center;justify-content:center;
cursor:pointer;margin:4px 0}
.primary{background:#7a1f1f;color:#fff}
.card{display:block;background:#fff;border-radius:12px;padding:14px 16px;margin:12px 0;color:inherit;min-height:48px;
text-decoration:none;border-left:6px solid #a52a2a;box-shadow:0 1px 3px #0002}
.kind{font-size:16px;color:#7a1f1f}.head{font-size:19px;font-weight:600}.muted{color:#555;font-size:16px}
.ok{color:#1b6e20;font-size:16px}
.warn{color:#9a5b00;font-weight:600}dl{margin:.4em 0}dt{color:#555;font-size:16px}dd{margin:0 0 .5em;font-size:17px}
.qr{background:#fff;display:flex;flex-direction:column;align-items:center;padding:10px;border-radius:12px}
.qr svg{width:min(94vw,78vh,496px);height:auto}
.caption{text-align:center;font-size:19px;margin:.4em 0}.caption .name{font-weight:700;font-size:22px}
.details{width:100%;text-align:left}
textarea{width:100%;min-height:5em;font:16px monospace}
section{background:#fff;border-radius:12px;padding:12px;margin:14px 0}
.err{background:#fde8e8;border-left:6px solid #b00020}
.payload{word-break:break-all;font-size:12px}
.pick{display:flex;align-items:center;gap:12px;min-height:48px;padding:4px 0}
.pick input{width:28px;height:28px;flex:none;margin:0}
.hidden-input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.did{font-family:monospace;font-size:14px;word-break:break-all}
.actions{display:flex;flex-wrap:wrap;gap:10px;justify-content:center}
@media print{header button,.actions,details{display:none}body{background:#fff}}
"""

_JS: Final = """
(function(){var b=document.body,k='skillcred-lang';b.className=localStorage.getItem(k)||'zh';
var t=document.getElementById('lang');if(t){t.onclick=function(){b.className=b.className==='zh'?'en':'zh';
localStorage.setItem(k,b.className);};}})();
"""


def t(text: Text) -> str:
    """Both languages, each in its own span; CSS shows one."""
    if text.zh == text.en:
        return escape(text.zh)
    return f'<span lang="zh">{escape(text.zh)}</span><span lang="en">{escape(text.en)}</span>'


def _page(title: Text, body: str, *, nonce: str) -> str:
    return (
        '<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no /favicon.ico request (a 404 on every page)
        f"<title>{escape(title.zh)} / {escape(title.en)}</title>"
        f'<style nonce="{nonce}">{_CSS}</style></head><body class="zh">'
        "<header><h1>" + t(title) + '</h1><button id="lang" type="button">EN / 中文</button></header>'
        f'{body}<script nonce="{nonce}">{_JS}</script></body></html>'
    )


def _basis(card: Card) -> str:
    """Issue 18: a recognition's 依据状态 and 依据 rows (原文件未取得 when empty), one line each; else ''."""
    rows = [f for f in card.fields if f.label in (STANDING_ROW, BASIS_ROW)]
    return "".join(f'<div class="basis">{t(f.label)}：{t(f.value)}</div>' for f in rows)


#: what a card may say when the wallet itself checked the signature offline (no trust list, no status)
INTACT: Final = Text(
    "✓ 签名完好（未查信任列表和撤销状态）", "✓ signature intact (trust list and revocation not checked)"
)


def _card_summary(card: Card, *, intact: bool) -> str:
    warn = f'<div class="warn">{t(INFERRED)}</div>' if card.inferred else ""
    issuer = card.issuer_name.zh or card.issuer_id
    mark = f'<div class="ok">{t(INTACT)}</div>' if intact else f'<div class="muted">{t(CLAIMED)}</div>'
    return (
        f'<div class="kind">{t(card.kind_label)}</div><div class="head">{t(card.headline)}</div>{warn}{_basis(card)}'
        f'<div class="muted">{escape(card.holder_name)} · {escape(issuer)}</div>{mark}'
    )


_PHOTO: Final = Text("拍照/选图（请求二维码）", "Take or choose a photo of the request QR")
_PASTE: Final = Text("粘贴请求二维码内容，或拍摄请求二维码：", "Paste the request QR text, or take a photo of it:")


def index_page(cards: Sequence[Card], *, holder_did: str, nonce: str, intact: frozenset[str] = frozenset()) -> str:
    """The cards; ``intact`` names the cards whose signature the wallet checked offline."""
    items = "".join(
        f'<a class="card" href="card/{escape(c.local_id)}">{_card_summary(c, intact=c.local_id in intact)}</a>'
        for c in cards
    )
    if not cards:
        items = f"<p>{t(Text('钱包里还没有凭证。', 'No credentials in the wallet yet.'))}</p>"
    boxes = "".join(
        f'<label class="pick"><input type="checkbox" name="id" value="{escape(c.local_id)}"> {t(c.headline)}</label>'
        for c in cards
    )
    form = (
        f"<section><h2>{t(Text('回应用人单位的出示请求', 'Answer an employer request'))}</h2>"
        '<form method="post" action="answer">'
        f"<p>{t(_PASTE)}</p>"
        '<textarea id="request" name="request" maxlength="4296" required></textarea>'
        f'<p><label class="btn" for="photo">{t(_PHOTO)}</label>'
        '<input id="photo" class="hidden-input" type="file" accept="image/png,image/jpeg" capture="environment">'
        ' <span id="photo-status" role="status"></span></p>'
        f'<div>{boxes}</div><p id="oid4vp" class="send" hidden>{t(crossdevice.ASKING)}: '
        '<strong id="oid4vp-who"></strong> '
        f'<button id="oid4vp-send" class="primary" type="button" hidden>{t(crossdevice.SEND)}</button></p>'
        f'<button class="primary" type="submit">{t(Text("生成出示二维码", "Make the answer QR"))}</button>'
        "</form></section>"
        f'<script nonce="{nonce}">{crossdevice.script()}</script>'
    )
    did = f'<p class="muted">{t(Text("持有人标识", "Holder DID"))}: <span class="did">{escape(holder_did)}</span></p>'
    return _page(Text("我的技能凭证", "My skill credentials"), items + form + did, nonce=nonce)


def _qr_block(svg: str, caption: str, payload: str, *, back: str = "./", below: str = "", actions: str = "") -> str:
    text = (
        f"<details><summary>{t(Text('二维码文本', 'QR text'))}</summary>"
        f'<code class="payload">{escape(payload)}</code></details>'
    )
    # links are relative, so the page works wherever the app is mounted (skillcred demo: /wallet/<who>/)
    back_link = f'<a class="btn" href="{back}">{t(Text("返回", "Back"))}</a>'
    return (
        f'<div class="qr">{svg}<div class="caption">{caption}</div>{below}'
        f'<div class="actions">{actions}{back_link}</div>{text}</div>'
    )


def _details(card: Card) -> str:
    """The card's rows under its QR: certificate number, 发证日期, evaluation organization, issuer, times."""
    rows = [(f.label, f.value) for f in card.fields]
    issuer = card.issuer_name if card.issuer_name.zh else Text(card.issuer_id, card.issuer_id)
    rows.append((Text("签发方（凭证所载）", "Issuer (as the credential names it)"), issuer))
    rows.append((SIGNED_LABEL, card.valid_from))
    if card.valid_until.zh:
        rows.append((VALID_UNTIL_LABEL, card.valid_until))
    items = "".join(f"<dt>{t(label)}</dt><dd>{t(value)}</dd>" for label, value in rows if value.zh or value.en)
    return f'<dl class="details">{items}</dl>'


def _card_caption(card: Card | None) -> str:
    """A recognition's caption, details and print button under its codes (as :func:`card_page` shows them)."""
    if card is None:
        return ""
    mark = f'<div class="warn">{t(INFERRED)}</div>' if card.inferred else ""
    caption = (
        f'<div class="caption"><div class="name">{escape(card.holder_name)}</div><div>{t(card.kind_label)}</div>'
        f'<div class="head">{t(card.headline)}</div>{mark}{_basis(card)}</div>'
    )
    printing = f'<a class="btn primary" href="{escape(card.local_id)}/print">{t(PRINT)}</a>'
    return f'{caption}{_details(card)}<div class="actions">{printing}</div>'


def card_page(card: Card, *, svg: str, payload: str, reference: bool, nonce: str) -> str:
    note = (
        f'<div class="muted">{t(Text("链接二维码，10 分钟内有效", "Link QR, valid for 10 minutes"))}</div>'
        if reference
        else ""
    )
    mark = f'<div class="warn">{t(INFERRED)}</div>' if card.inferred else ""
    caption = (
        f'<div class="name">{escape(card.holder_name)}</div><div>{t(card.kind_label)}</div>'
        f'<div class="head">{t(card.headline)}</div>{mark}{_basis(card)}{note}'
    )
    printing = f'<a class="btn primary" href="{escape(card.local_id)}/print">{t(PRINT)}</a>'
    body = _qr_block(svg, caption, payload, back="../", below=_details(card), actions=printing)
    return _page(card.kind_label, body, nonce=nonce)


PRINT: Final = Text("打印（PDF）", "Print (PDF)")


def answer_page(*, svg: str, payload: str, domain: str, expires: str, reference: bool, count: int, nonce: str) -> str:
    how = (
        Text(
            "链接二维码：对方扫码后下载并核对摘要，10 分钟内有效",
            "Link QR: the scanner downloads it and checks the digest; valid for 10 minutes",
        )
        if reference
        else Text("完整出示二维码", "Full presentation QR")
    )
    caption = (
        f"{t(Text('出示给', 'For'))}: {escape(domain)}<br>{t(Text('有效至', 'Valid until'))}: "
        f"{escape(expires)}<br>{count} {t(Text('份凭证', 'credential(s)'))} · {t(how)}"
    )
    return _page(Text("出示二维码", "Presentation QR"), _qr_block(svg, caption, payload), nonce=nonce)


def error_page(message: str, *, nonce: str, back: str = "./") -> str:
    body = (
        f'<section class="err"><p>{escape(message)}</p></section>'
        f'<a class="btn" href="{back}">{t(Text("返回", "Back"))}</a>'
    )
    return _page(Text("无法完成", "Could not do that"), body, nonce=nonce)


_CODES_CSS: Final = """
.codes{display:flex;overflow-x:auto;scroll-snap-type:x mandatory;gap:0;background:#fff;border-radius:12px;
align-self:stretch;max-width:100%}
.codes .slide{flex:0 0 100%;scroll-snap-align:center;display:flex;flex-direction:column;align-items:center;padding:10px}
.codes svg{width:min(86vw,70vh,496px);height:auto}.nav{display:flex;justify-content:space-between;margin:10px 0}
"""
_CODES_JS: Final = """
(function(){var c=document.getElementById('codes');if(!c)return;var s=c.querySelectorAll('.slide'),i=0;
function go(n){i=Math.max(0,Math.min(s.length-1,n));s[i].scrollIntoView({block:'nearest',inline:'center'});
c.setAttribute('data-shown',String(i+1));}
document.getElementById('prev').onclick=function(){go(i-1);};document.getElementById('next').onclick=function(){go(i+1);};
c.addEventListener('scroll',function(){var n=Math.round(c.scrollLeft/c.clientWidth);if(n!==i){i=n;
c.setAttribute('data-shown',String(i+1));}});c.setAttribute('data-shown','1');})();
"""


def codes_page(
    title: Text, slides: Sequence[tuple[Text, str]], *, nonce: str, back: str = "../", card: Card | None = None
) -> str:
    """A recognition's codes one after another (swipe, or 上一张/下一张): its own, then each source's, so that
    a scan page without a network can collect the whole chain. ``slides``: (caption, QR SVG). With ``card``
    (the recognition's own), its caption (holder, grant, 推定 mark), details and print button as on
    :func:`card_page`."""
    total = len(slides)
    items = "".join(
        f'<div class="slide" data-index="{n}"><p>{n}/{total} · {t(caption)}</p>{svg}</div>'
        for n, (caption, svg) in enumerate(slides, start=1)
    )
    hint = Text(
        "请对方依次扫描每一张二维码（左右滑动）。", "Let the verifier scan each code in turn (swipe left and right)."
    )
    body = (
        f'<style nonce="{nonce}">{_CODES_CSS}</style><p>{t(hint)}</p>'
        f'<div class="qr"><div id="codes" class="codes">{items}</div>{_card_caption(card)}</div><div class="nav">'
        f'<button id="prev" type="button">{t(Text("上一张", "Previous"))}</button>'
        f'<a class="btn" href="{back}">{t(Text("返回", "Back"))}</a>'
        f'<button id="next" type="button">{t(Text("下一张", "Next"))}</button></div>'
        f'<script nonce="{nonce}">{_CODES_JS}</script>'
    )
    return _page(title, body, nonce=nonce)
