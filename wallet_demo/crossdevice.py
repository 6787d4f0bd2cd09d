"""Answering a scan page's OpenID4VP request from the phone (:mod:`vccore.exchange.oid4vp`): the worker takes a
photo of the request QR (the phone's camera, through the file input's ``capture``), the page fetches the
request object from its ``request_uri``, the worker ticks the credentials to show, the wallet signs the
presentation (``challenge`` = the request's nonce, ``domain`` = its client id, expiring with it; a
recognition travels with its sources) and the page posts it to the request's ``response_uri``.

Nothing is posted that the worker did not choose, and nothing is shown as a QR code: the answer goes
straight to the verifier, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from vccore.errors import Code, SkillcredError
from vccore.exchange import oid4vp
from vccore.text import Text
from wallet_demo.present import present
from wallet_demo.store import Wallet

SEND: Final = Text("发送出示", "Send")
ASKING: Final = Text("请求方", "Asked by")


def answer(
    wallet: Wallet, *, request_uri: str, client_id: str, request_object: str, local_ids: Sequence[str], now: datetime
) -> dict[str, Any]:
    """The direct_post form fields (and where to post them) answering the request object fetched from
    ``request_uri`` (whose QR named ``client_id``) with the chosen credentials."""
    request = oid4vp.parse_request_object(request_object, request_uri=request_uri, now=now)
    if request.client_id != client_id:
        raise SkillcredError(
            "the request object names another client than its QR code / 请求与二维码不符",
            code=Code.MALFORMED_VALUE_ERROR,
        )
    vp = present(wallet, local_ids, domain=request.client_id, challenge=request.nonce, now=now, expires=request.expires)
    return {
        "responseUri": request.response_uri,
        "vp_token": oid4vp.vp_token(vp),
        "state": request.state,
        "count": len(vp["verifiableCredential"]),
    }


def script() -> str:
    """The index page's photo-of-a-request handling: an ``openid4vp://`` request is fetched and answered by
    direct post; an ``SC2:`` request fills the form as before."""
    return """
(function(){var p=document.getElementById('photo');if(!p)return;
var s=document.getElementById('photo-status'),send=document.getElementById('oid4vp-send'),
who=document.getElementById('oid4vp-who'),box=document.getElementById('oid4vp'),pending=null;
function say(t,state){s.textContent=t;
if(state){s.setAttribute('data-state',state);}else{s.removeAttribute('data-state');}}
function fail(j){return (j&&(j.title_zh||j.title)?(j.title_zh||j.title)+'：':'')+((j&&j.detail)||'?');}
p.addEventListener('change',function(){var f=p.files[0];if(!f)return;say('…');pending=null;send.hidden=box.hidden=true;
fetch('api/request-from-photo',{method:'POST',headers:{'Content-Type':'application/octet-stream'},body:f})
.then(function(r){return r.json();}).then(function(j){
if(!j.payload){say('✗ '+fail(j),'error');return;}
document.getElementById('request').value=j.payload;
if(!j.requestUri){say('✓');return;}
return fetch(j.requestUri,{cache:'no-store',credentials:'omit'}).then(function(r){
if(!r.ok){throw new Error('HTTP '+r.status);}return r.text();}).then(function(jwt){
pending={requestUri:j.requestUri,clientId:j.clientId,requestObject:jwt};
who.textContent=j.verifier;send.hidden=box.hidden=false;say('✓ 已读取出示请求 / request read','read');});
}).catch(function(e){say('✗ '+e.message,'error');});});
send.addEventListener('click',function(){if(!pending)return;
var ids=[].map.call(document.querySelectorAll('input[name=id]:checked'),function(b){return b.value;});
say('…');send.disabled=true;
fetch('api/oid4vp/answer',{method:'POST',headers:{'Content-Type':'application/json'},
body:JSON.stringify({requestUri:pending.requestUri,clientId:pending.clientId,request:pending.requestObject,ids:ids})})
.then(function(r){return r.json().then(function(j){if(!r.ok){throw new Error(fail(j));}return j;});})
.then(function(j){return fetch(j.responseUri,{method:'POST',credentials:'omit',
body:new URLSearchParams({vp_token:j.vp_token,state:j.state})}).then(function(r){
return r.json().then(function(k){if(!r.ok){throw new Error(fail(k));}
say('✓ 已发送 '+j.count+' 份凭证，请查看对方屏幕 / sent, see the verifier\\'s screen','sent');});});})
.catch(function(e){say('✗ '+e.message,'error');}).then(function(){send.disabled=false;});});})();
"""
