/* skillcred scan page. Written for this app; no external code besides the vendored jsQR.js.
 *
 * Camera frames go getUserMedia -> <video> -> <canvas> -> jsQR, all on this device; only the decoded
 * payload string is POSTed (/scan/verify). An uploaded photo is POSTed as is. Every string that came
 * from a credential is inserted with textContent, never as markup. The verdict shown is the server's:
 * "verified" only when the result verified; "could not check" is never green.
 */
(function () {
  "use strict";

  var I18N = {
    title: ["凭证核验", "Credential check"],
    scan: ["扫描二维码", "Scan QR code"],
    upload: ["上传照片", "Upload photo"],
    request: ["请求出示（带挑战码）", "Request a presentation"],
    paste: ["粘贴二维码内容", "Paste QR content"],
    verify: ["核验", "Verify"],
    stop: ["停止扫描", "Stop scanning"],
    cancel: ["取消", "Cancel"],
    cameraHint: ["画面只在本机解码，不会上传。", "Frames are decoded on this device and never uploaded."],
    requestTitle: ["请持证人用钱包扫描此码", "Ask the holder to scan this with their wallet"],
    requestHint: ["持证人用钱包扫码并确认后，结果会自动显示在下方；也可扫描或上传钱包显示的二维码。",
      "When the holder scans this and confirms in their wallet, the result appears below; you can also scan or " +
      "upload a code their wallet shows."],
    requestExpires: ["有效期至", "Valid until"],
    requestActive: ["出示请求已生成，等待钱包应答。", "Request created; waiting for the wallet's answer."],
    requestGone: ["出示请求已过期，请重新请求。", "The request has expired: make a new one."],
    footer: ["核验在本服务器完成；摄像头画面只在本机解码。身份证号码只用于本次比对，不保存。",
      "Checks run on this server; camera frames are decoded on this device. ID numbers are used for this one " +
      "comparison and never stored."],
    trustAny: ["警告：本验证服务以 --trust any 运行，未检查签发机构是否可信。结果不能作为依据。",
      "WARNING: this verifier runs with --trust any: issuers are NOT checked against the trust list. " +
      "Do not rely on its results."],
    holder: ["持证人", "Holder"],
    idTitle: ["核对身份证", "Check the ID card"],
    idHint: ["输入身份证上的号码", "Type the number on the ID card"],
    idCheck: ["比对", "Compare"],
    idMatch: ["✓ 与凭证一致", "✓ Matches the credential"],
    idNoMatch: ["✗ 与凭证不一致", "✗ Does not match the credential"],
    idNone: ["此凭证不含身份证比对信息。", "This credential carries no ID hash to compare with."],
    idBusy: ["正在比对…", "Comparing…"],
    says: ["凭证内容", "What the credential says"],
    issuer: ["签发机构", "Issuer"],
    issuerName: ["名称", "Name"],
    listed: ["信任列表所载名称", "Name on the trust list"],
    unlisted: ["不在信任列表中", "Not on the trust list"],
    claimed: ["凭证自称（未经核实）", "Claimed by the credential (not verified)"],
    dates: ["日期", "Dates"],
    validFrom: ["电子凭证生效时间", "Electronic credential valid from"],
    validUntil: ["电子凭证有效期至", "Electronic credential valid until"],
    signed: ["电子凭证签名时间", "Electronic credential signed"],
    none: ["无", "none"],
    freshness: ["数据时效", "Freshness"],
    trustAge: ["信任列表", "Trust list"],
    statusAge: ["状态列表", "Status list"],
    ago: ["前获取", "old"],
    problems: ["未通过的检查", "Failed checks"],
    warnings: ["警告", "Warnings"],
    recognized: ["认定结果", "What it grants"],
    grants: ["效力", "Grants"],
    purposes: ["适用事项", "Purposes"],
    legalBasis: ["依据", "Legal basis"],
    chain: ["认定链", "Recognition chain"],
    rule: ["规则", "Rule"],
    source: ["依据凭证", "Source"],
    presentation: ["出示", "Presentation"],
    presHolder: ["出示人", "Presented by"],
    working: ["正在核验…", "Verifying…"],
    noCamera: ["无法打开摄像头，请上传照片或粘贴内容。", "Cannot open the camera: upload a photo or paste the content."],
    badQr: ["无法读取二维码", "Could not read the QR code"],
    badQrHint: ["内容可能不完整或有误：请重新扫描，或完整复制后再粘贴。",
      "The content may be incomplete or wrong: scan again, or copy all of it and paste again."],
    netError: ["无法连接验证服务", "Cannot reach the verifier"],
    emptyPaste: ["请先粘贴二维码内容。", "Paste the QR content first."]
  };
  var LANGS = ["zh", "en"];
  var state = { lang: "zh", last: null, challenge: null, transaction: null, stream: null, scanning: false };

  function t(key) {
    var pair = I18N[key];
    return pair ? pair[state.lang === "zh" ? 0 : 1] : key;
  }
  function pick(pair) {
    if (!pair) { return ""; }
    return state.lang === "zh" ? (pair.zh || pair.en || "") : (pair.en || pair.zh || "");
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function setStatus(text, isError) {
    var s = $("status");
    s.textContent = text || "";
    s.className = isError ? "status error" : "status";
  }

  // -- language ---------------------------------------------------------------------------------

  function applyLang() {
    document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
    var nodes = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = t(nodes[i].getAttribute("data-i18n"));
    }
    var toggle = $("lang-toggle");
    toggle.textContent = state.lang === "zh" ? "English" : "中文";
    toggle.lang = state.lang === "zh" ? "en" : "zh-CN";
    if (state.last) { render(state.last); }
    if (window.SkillcredBasket) { window.SkillcredBasket.draw(); }
  }

  // -- talking to the verifier ------------------------------------------------------------------

  // a sentence first; the technical detail only behind 详情 / Details
  function detailBox(detail) {
    var box = el("details", "detail");
    if (!detail) { return box; }
    box.appendChild(el("summary", "", state.lang === "zh" ? "详情" : "Details"));
    box.appendChild(el("span", "", detail));
    return box;
  }

  function postJson(url, body) {
    return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body), credentials: "same-origin", cache: "no-store" });
  }

  function handleAnswer(response) {
    return response.json().then(function (body) {
      if (response.status === 200 || response.status === 422) {
        setStatus("");
        state.last = body;
        var requested = !!state.challenge;
        if (state.challenge) { endRequest(); }
        render(body);
        if (!requested && window.SkillcredBasket) { window.SkillcredBasket.after(body, verifyWithSources); }
      } else {
        state.last = null;
        $("result").textContent = "";
        var title = state.lang === "zh" ? (body.title_zh || body.title) : body.title;
        var zh = state.lang === "zh";
        setStatus(t("badQr") + (zh ? "：" : ": ") + (title || "") +
          (body.code === "PARSING_ERROR" ? (zh ? "。" : ". ") + t("badQrHint") : ""), true);
        $("status").appendChild(detailBox(body.detail));
      }
    });
  }

  function verifyWithSources(payload, sources) { return verifyPayload(payload, false, sources); }

  function verifyPayload(payload, fresh, sources) {
    setStatus(t("working"));
    var body = { payload: payload };
    if (state.challenge) { body.challenge = state.challenge; }
    if (fresh) { body.fresh = true; }
    if (sources && sources.length) { body.sources = sources; }
    return postJson("/scan/verify", body).then(handleAnswer).catch(function () { setStatus(t("netError"), true); });
  }

  function verifyPhoto(file) {
    setStatus(t("working"));
    var send = function (blob, type) {
      var headers = { "Content-Type": type };
      if (state.challenge) { headers["X-Challenge"] = state.challenge; }  // request mode keeps its challenge
      return fetch("/scan/verify", { method: "POST", headers: headers, body: blob,
        credentials: "same-origin", cache: "no-store" }).then(handleAnswer);
    };
    var ready;
    var MAX_PIXELS = 8000000;  // the server refuses photos over 12 megapixels: scale larger ones down here
    ready = createImageBitmap(file).then(function (bitmap) {
      var plain = file.type === "image/png" || file.type === "image/jpeg";
      if (plain && bitmap.width * bitmap.height <= MAX_PIXELS) { return send(file, file.type); }
      // HEIC, WebP, or a photo of many megapixels: re-encode on this device, scaled to fit
      var scale = Math.min(1, Math.sqrt(MAX_PIXELS / (bitmap.width * bitmap.height)));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.floor(bitmap.width * scale));
      canvas.height = Math.max(1, Math.floor(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.92); })
        .then(function (blob) { return send(blob, "image/jpeg"); });
    });
    return ready.catch(function () { setStatus(t("netError"), true); });
  }

  // -- camera -----------------------------------------------------------------------------------

  function stopCamera() {
    state.scanning = false;
    if (state.stream) {
      state.stream.getTracks().forEach(function (track) { track.stop(); });
      state.stream = null;
    }
    $("video").srcObject = null;
    $("camera").hidden = true;
  }

  function scanFrame() {
    if (!state.scanning) { return; }
    var video = $("video");
    if (video.readyState >= 2 && video.videoWidth > 0) {
      var scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      var canvas = $("frame");
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      var image = ctx.getImageData(0, 0, w, h);
      var code = window.jsQR(image.data, w, h, { inversionAttempts: "attemptBoth" });
      if (code && typeof code.data === "string" && /^SCR?[0-9]{1,3}:/.test(code.data)) {
        stopCamera();
        verifyPayload(code.data);
        return;
      }
    }
    window.setTimeout(scanFrame, 150);
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      setStatus(t("noCamera"), true);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        state.stream = stream;
        var video = $("video");
        video.srcObject = stream;
        $("camera").hidden = false;
        setStatus("");
        return video.play();
      })
      .then(function () { state.scanning = true; scanFrame(); })
      .catch(function () { stopCamera(); setStatus(t("noCamera"), true); });
  }

  // -- request mode -----------------------------------------------------------------------------

  /* 请求出示: an OpenID4VP request by reference (verifier/crossdevice.py). The holder's wallet scans it and
   * posts its presentation straight to the verifier; this page polls for the verdict and draws it as soon
   * as it is there. A code the holder shows instead can still be scanned, uploaded or pasted: it is checked
   * against the same challenge. */
  function startRequest() {
    endRequest();
    postJson("/oid4vp/requests", {}).then(function (response) {
      return response.json().then(function (body) {
        if (response.status !== 201) { setStatus(body.detail || t("netError"), true); return; }
        state.challenge = body.challenge;
        state.transaction = body.transaction;
        $("request-qr").src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(body.svg);
        $("request-qr").setAttribute("data-challenge", body.challenge);
        $("request-qr").setAttribute("data-uri", body.uri);
        $("request-expires").textContent = body.expiresShown ? pick(body.expiresShown) : body.expires;  // Beijing time
        $("request-panel").hidden = false;
        setStatus(t("requestActive"));
        pollAnswer(body.transaction);
      });
    }).catch(function () { setStatus(t("netError"), true); });
  }

  function pollAnswer(transaction) {
    if (state.transaction !== transaction) { return; }
    fetch("/oid4vp/transactions/" + encodeURIComponent(transaction), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (state.transaction !== transaction) { return; }
        if (response.status === 202) { window.setTimeout(function () { pollAnswer(transaction); }, 700); return; }
        if (response.status === 200 || response.status === 422) { return handleAnswer(response); }
        endRequest();
        setStatus(t("requestGone"), true);
      })
      .catch(function () { window.setTimeout(function () { pollAnswer(transaction); }, 2000); });
  }

  function endRequest() {
    state.challenge = null;
    state.transaction = null;
    $("request-panel").hidden = true;
    $("request-qr").removeAttribute("src");
    $("request-qr").removeAttribute("data-challenge");
  }

  // -- rendering --------------------------------------------------------------------------------

  function problemList(problems, cls) {
    var list = el("ul", cls || "problems");
    problems.forEach(function (p) {
      var item = el("li");
      var main = state.lang === "zh" ? p.title_zh : p.title;
      var other = state.lang === "zh" ? p.title : p.title_zh;
      item.appendChild(el("strong", "title", main));
      item.appendChild(el("span", "other", other + (p.check ? " · " + p.check : "") + " · " + p.code));
      if (p.detail) { item.appendChild(el("span", "detail", p.detail)); }
      list.appendChild(item);
    });
    return list;
  }

  function addField(dl, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", "", label));
    var dd = el("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    dl.appendChild(dd);
  }

  function idBox(card) {
    var box = el("div", "idcheck");
    var label = el("label", "", t("idTitle"));
    if (!card.identityHash) {
      box.appendChild(el("p", "muted", t("idNone")));
      return box;
    }
    var input = el("input");
    input.type = "text";
    input.inputMode = "text";
    input.autocomplete = "off";
    input.maxLength = 24;  // 18 characters, typed in groups if the clerk likes (the server strips spaces)
    input.placeholder = t("idHint");
    input.setAttribute("aria-label", t("idHint"));
    input.className = "id-number";
    var button = el("button", "primary id-compare", t("idCheck"));
    button.type = "button";
    var answer = el("div", "answer");
    answer.setAttribute("role", "status");
    button.addEventListener("click", function () {
      answer.className = "answer";
      answer.textContent = t("idBusy");
      postJson("/id-check", { identityHash: card.identityHash, idNumber: input.value })
        .then(function (response) {
          return response.json().then(function (body) {
            if (response.status === 200) {
              answer.className = "answer " + (body.match ? "match" : "nomatch");
              answer.textContent = t(body.match ? "idMatch" : "idNoMatch");
            } else {
              // the server's sentence says what to do (身份证号码无效：应为 18 位…), Chinese before " / "
              var said = (body.detail || "").split(" / ");
              answer.className = "answer nomatch";
              answer.textContent = state.lang === "zh" ? (said[0] || body.title_zh || body.title)
                : (said[1] || body.title);
              answer.appendChild(detailBox(body.code));
            }
          });
        }).catch(function () { answer.textContent = t("netError"); });
    });
    label.appendChild(el("br"));
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(button);
    box.appendChild(answer);
    return box;
  }

  function ageText(seconds) {
    if (typeof seconds !== "number") { return ""; }
    var zh = state.lang === "zh";
    if (seconds < 120) { return seconds + (zh ? " 秒" : " s"); }
    if (seconds < 7200) { return Math.round(seconds / 60) + (zh ? " 分钟" : " min"); }
    if (seconds < 172800) { return Math.round(seconds / 3600) + (zh ? " 小时" : " h"); }
    return Math.round(seconds / 86400) + (zh ? " 天" : " days");
  }

  function chainTree(chain) {
    var list = el("ul", "tree");
    chain.nodes.forEach(function (node) {
      var item = el("li", "node " + node.state);
      item.setAttribute("data-role", node.role);
      var head = t(node.role === "rule" ? "rule" : "source") + "：" + pick(node.kind);
      item.appendChild(el("strong", "", head));
      if (node.issuer) { item.appendChild(el("span", "", " — " + pick(node.issuer))); }
      item.appendChild(el("div", "mono", node.id));
      if (node.problems.length) { item.appendChild(problemList(node.problems)); }
      if (node.chain) { item.appendChild(chainTree(node.chain)); }
      list.appendChild(item);
    });
    return list;
  }

  function renderCard(card, container, requery) {
    var V = window.SkillcredVerdict;
    var box = el("article", "panel card");
    box.setAttribute("data-type", card.type);
    box.appendChild(V.box(card.verdict, state.lang, requery));
    box.appendChild(el("h2", "kind", pick(card.kindLabel)));
    var more = V.details(state.lang);
    if (!card.verdict.trusted) {
      box.appendChild(V.withheld(state.lang));
      renderDetails(card, more);
      box.appendChild(more);
      container.appendChild(box);
      return;
    }
    box.appendChild(el("div", "muted", t("holder")));
    box.appendChild(el("div", "holder", card.holder.name || card.holder.id || "—"));
    box.appendChild(idBox(card));

    box.appendChild(el("h3", "", t("says")));
    var dl = el("dl", "fields");
    card.fields.forEach(function (f) { addField(dl, pick(f.label), pick(f.value)); });
    box.appendChild(dl);

    if (card.recognition) {
      var r = card.recognition;
      var rdl = el("dl", "fields recognition");
      // the grant in words, then every row the rule and the credential carry (vccore.recognition.wording)
      var outcome = el("span", "grant", pick(r.grant) + " ");
      if (r.inferred) { outcome.appendChild(el("span", "badge inferred", pick(r.inferredMark))); }
      addField(rdl, t("recognized"), outcome);
      r.rows.slice(1).forEach(function (row) { addField(rdl, pick(row.label), pick(row.value)); });
      box.appendChild(rdl);
    }

    box.appendChild(el("h3", "", t("issuer")));
    var idl = el("dl", "fields issuer");
    var iss = card.issuer;
    if (iss.listed) {
      var listed = el("span", "issuer-listed", pick(iss.listed) + " ");
      listed.appendChild(el("span", "badge listed", t("listed")));
      addField(idl, t("issuerName"), listed);
    } else {
      addField(idl, t("issuerName"), el("span", "badge unlisted", t("unlisted")));
    }
    if (iss.claimed && iss.claimedDiffers) {
      var claimed = el("span", "issuer-claimed", pick(iss.claimed) + " ");
      claimed.appendChild(el("span", "badge claimed", t("claimed")));
      addField(idl, t("claimed"), claimed);
    }
    box.appendChild(idl);

    if (card.chain) { box.appendChild(chainSection(card)); }
    box.appendChild(V.cannotProve(card.verdict, state.lang));
    box.appendChild(el("h3", "", t("dates")));
    var ddl = el("dl", "fields dates");
    var shown = card.dates.shown;
    addField(ddl, t("validFrom"), shown.validFrom ? pick(shown.validFrom) : t("none"));
    addField(ddl, t("validUntil"), shown.validUntil ? pick(shown.validUntil) : t("none"));
    if (shown.signed) { addField(ddl, t("signed"), pick(shown.signed)); }
    box.appendChild(ddl);

    renderDetails(card, more);
    box.appendChild(more);
    container.appendChild(box);
  }

  function chainSection(card) {
    var section = el("section", "chain");
    section.appendChild(el("h3", "", t("chain")));
    var root = el("div", "node " + card.chain.state, pick(card.kindLabel) + " · " + t("rule") + " " +
      card.chain.rule + " " + card.chain.ruleVersion);
    section.appendChild(root);
    section.appendChild(chainTree(card.chain));
    return section;
  }

  /* What a clerk needs only to look into: the failed checks with their codes, warnings, the DID, freshness. */
  function renderDetails(card, box) {
    if (card.problems.length) {
      box.appendChild(el("h3", "", t("problems")));
      box.appendChild(problemList(card.problems));
    }
    var ddl = el("dl", "fields did");
    addField(ddl, "DID", el("span", "mono", card.issuer.did));
    box.appendChild(ddl);
    var fresh = card.freshness;
    var fdl = el("dl", "fields freshness");
    if (fresh.trustListIssued) {
      addField(fdl, t("trustAge"), (fresh.trustListIssuedShown ? pick(fresh.trustListIssuedShown) : fresh.trustListIssued) +
        " (" + ageText(fresh.trustListAgeSeconds) + ")");
    }
    fresh.statusLists.forEach(function (s) {
      addField(fdl, s.label ? pick(s.label) : t("statusAge"),
        (s.ageSeconds !== null ? ageText(s.ageSeconds) + (state.lang === "zh" ? "" : " ") + t("ago") : "") +
        (s.source ? " · " + (s.sourceLabel ? pick(s.sourceLabel) : s.source) : ""));
    });
    if (fdl.childNodes.length) {
      box.appendChild(el("h3", "", t("freshness")));
      box.appendChild(fdl);
    }

    if (card.warnings.length) {
      box.appendChild(el("h3", "", t("warnings")));
      box.appendChild(problemList(card.warnings, "problems warnings"));
    }
  }

  function render(body) {
    var out = $("result");
    out.textContent = "";
    var view = body.view;
    if (view.type === "VerifiablePresentation") {
      var head = el("article", "panel presentation");
      head.appendChild(window.SkillcredVerdict.box(view.verdict, state.lang, null));
      head.appendChild(el("h2", "", t("presentation")));
      head.appendChild(el("div", "muted", t("presHolder")));
      head.appendChild(el("div", "mono", view.holder));
      if (view.problems.length) {
        var more = window.SkillcredVerdict.details(state.lang);
        more.appendChild(el("h3", "", t("problems")));
        more.appendChild(problemList(view.problems));
        head.appendChild(more);
      }
      out.appendChild(head);
      view.credentials.forEach(function (card) { renderCard(card, out, null); });
    } else {
      var payload = body.payload;
      var sources = body.sources || [];
      renderCard(view, out, payload ? function () { verifyPayload(payload, true, sources); } : null);
    }
    out.setAttribute("data-state", view.state);
  }

  // -- wiring -----------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    $("lang-toggle").addEventListener("click", function () {
      state.lang = LANGS[(LANGS.indexOf(state.lang) + 1) % LANGS.length];
      applyLang();
    });
    $("scan-btn").addEventListener("click", startCamera);
    $("scan-stop").addEventListener("click", stopCamera);
    $("photo-input").addEventListener("change", function (event) {
      var file = event.target.files && event.target.files[0];
      if (file) { verifyPhoto(file); }
      event.target.value = "";
    });
    $("paste-btn").addEventListener("click", function () {
      var text = $("payload-input").value.trim();
      if (!text) { setStatus(t("emptyPaste"), true); return; }
      verifyPayload(text);
    });
    $("request-btn").addEventListener("click", startRequest);
    $("request-cancel").addEventListener("click", function () { endRequest(); setStatus(""); });
    // a printout's QR is this page's URL with the credential in the fragment (vccore.qr.link): verify it
    if (/^#SC[0-9]+(:|%3A)/i.test(location.hash)) {
      var linked = decodeURIComponent(location.hash.slice(1));
      history.replaceState(null, "", location.pathname);
      verifyPayload(linked);
    }
    document.body.setAttribute("data-ready", "true");
  });
})();
