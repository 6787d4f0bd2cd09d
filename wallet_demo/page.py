"""The wallet's HTML: phone-sized pages, Chinese first with an English toggle, no outside assets.

Plain functions from view models to HTML strings; every value is escaped here. Styles and the one
small script are inline and carry the response's CSP nonce (``app.py`` sets the header).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from vccore.recognition.text import BASIS_ROW, STANDING_ROW
from vccore.text import Text
from wallet_demo.cards import CLAIMED, INFERRED, Card

__all__ = ["answer_page", "card_page", "error_page", "index_page"]

_CSS: Final = """
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;
background:#f3f1ec;color:#1d1d1d;max-width:520px;margin:auto;padding:12px}
body.zh [lang=en],body.en [lang=zh]{display:none}
header{display:flex;justify-content:space-between;align-items:center}h1{font-size:1.25em;margin:.4em 0}
button,.btn{font:inherit;padding:.5em .9em;border-radius:8px;border:1px solid #7a1f1f;
background:#fff;color:#7a1f1f;text-decoration:none;display:inline-block}
.card{display:block;background:#fff;border-radius:12px;padding:12px 14px;margin:10px 0;color:inherit;
text-decoration:none;border-left:6px solid #a52a2a;box-shadow:0 1px 3px #0002}
.kind{font-size:.8em;color:#7a1f1f}.head{font-size:1.15em;font-weight:600}.muted{color:#666;font-size:.85em}
.warn{color:#9a5b00;font-weight:600}dl{margin:.4em 0}dt{color:#666;font-size:.8em}dd{margin:0 0 .3em}
.qr{position:fixed;inset:0;background:#fff;display:flex;flex-direction:column;align-items:center;
justify-content:center;padding:10px}.qr svg{width:min(96vw,80vh);height:auto}
textarea{width:100%;min-height:5em;font:12px monospace}
section{background:#fff;border-radius:12px;padding:12px;margin:14px 0}
.err{background:#fde8e8;border-left:6px solid #b00020}
.payload{word-break:break-all;font-size:10px}
"""

_JS: Final = """
(function(){var b=document.body,k='skillcred-lang';b.className=localStorage.getItem(k)||'zh';
var t=document.getElementById('lang');if(t){t.onclick=function(){b.className=b.className==='zh'?'en':'zh';
localStorage.setItem(k,b.className);};}
var p=document.getElementById('photo');if(p){p.onchange=function(){var f=p.files[0];if(!f)return;
var s=document.getElementById('photo-status');s.textContent='…';
fetch('api/request-from-photo',{method:'POST',headers:{'Content-Type':'application/octet-stream'},body:f})
.then(function(r){return r.json();}).then(function(j){if(j.payload){
document.getElementById('request').value=j.payload;s.textContent='✓';}else{s.textContent=j.detail||'?';}}).catch(function(){s.textContent='✗';});};}})();
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
        f"<title>{escape(title.zh)} / {escape(title.en)}</title>"
        f'<style nonce="{nonce}">{_CSS}</style></head><body class="zh">'
        "<header><h1>" + t(title) + '</h1><button id="lang" type="button">EN / 中文</button></header>'
        f'{body}<script nonce="{nonce}">{_JS}</script></body></html>'
    )


def _basis(card: Card) -> str:
    """Issue 18: a recognition's 依据状态 and 依据 rows (原文件未取得 when empty), one line each; else ''."""
    rows = [f for f in card.fields if f.label in (STANDING_ROW, BASIS_ROW)]
    return "".join(f'<div class="basis">{t(f.label)}：{t(f.value)}</div>' for f in rows)


def _card_summary(card: Card) -> str:
    warn = f'<div class="warn">{t(INFERRED)}</div>' if card.inferred else ""
    issuer = card.issuer_name.zh or card.issuer_id
    return (
        f'<div class="kind">{t(card.kind_label)}</div><div class="head">{t(card.headline)}</div>{warn}{_basis(card)}'
        f'<div class="muted">{escape(card.holder_name)} · {escape(issuer)} {t(CLAIMED)}</div>'
    )


_PASTE: Final = Text("粘贴请求二维码内容，或拍摄请求二维码：", "Paste the request QR text, or take a photo of it:")


def index_page(cards: Sequence[Card], *, holder_did: str, nonce: str) -> str:
    items = "".join(f'<a class="card" href="card/{escape(c.local_id)}">{_card_summary(c)}</a>' for c in cards)
    if not cards:
        items = f"<p>{t(Text('钱包里还没有凭证。', 'No credentials in the wallet yet.'))}</p>"
    boxes = "".join(
        f'<label><input type="checkbox" name="id" value="{escape(c.local_id)}"> {t(c.headline)}</label><br>'
        for c in cards
    )
    form = (
        f"<section><h2>{t(Text('回应用人单位的出示请求', 'Answer an employer request'))}</h2>"
        '<form method="post" action="answer">'
        f"<p>{t(_PASTE)}</p>"
        '<textarea id="request" name="request" maxlength="4296" required></textarea>'
        '<p><input id="photo" type="file" accept="image/png,image/jpeg" capture="environment">'
        ' <span id="photo-status"></span></p>'
        f'<p>{boxes}</p><button type="submit">{t(Text("生成出示二维码", "Make the answer QR"))}</button>'
        "</form></section>"
    )
    did = f'<p class="muted">{t(Text("持有人标识", "Holder DID"))}: {escape(holder_did)}</p>'
    return _page(Text("我的技能凭证", "My skill credentials"), items + form + did, nonce=nonce)


def _qr_block(svg: str, caption: str, payload: str, *, back: str = "./") -> str:
    text = (
        f"<details><summary>{t(Text('二维码文本', 'QR text'))}</summary>"
        f'<code class="payload">{escape(payload)}</code></details>'
    )
    # links are relative, so the page works wherever the app is mounted (skillcred demo: /wallet/<who>/)
    return (
        f'<div class="qr">{svg}<p>{caption}</p>{text}<a class="btn" href="{back}">{t(Text("返回", "Back"))}</a></div>'
    )


def card_page(card: Card, *, svg: str, payload: str, reference: bool, nonce: str) -> str:
    note = t(Text("链接二维码，10 分钟内有效", "Link QR, valid for 10 minutes")) if reference else ""
    body = _qr_block(svg, f"{t(card.kind_label)}: {t(card.headline)}{_basis(card)}<br>{note}", payload, back="../")
    return _page(card.kind_label, body, nonce=nonce)


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
