/* skillcred scan page: the verdict block (verifier/pages/verdict.py decides; this only draws).
 *
 * The headline carries the reason; the tone is green (verified), amber (incomplete: a source is missing,
 * or unchecked) or red (failed). The status line says when the status was fetched, in Beijing time, with a
 * 重新查询 button that fetches it afresh. The "本结果不能证明…" box is fixed per kind. Every string is
 * inserted with textContent.
 */
(function () {
  "use strict";

  var TEXT = {
    verifiedSub: ["签名、有效期、状态和签发机构均已检查。", "Signature, dates, status and issuer all checked."],
    failedSub: ["请勿采信此凭证。原因见详情。", "Do not rely on this credential. The reasons are under Details."],
    uncheckedSub: ["部分检查无法完成，结果不能视为通过。", "Some checks could not be completed: this is not a pass."],
    incompleteSub: ["认定凭证须与其依据证书一起核验：请点「请求出示」，或继续扫描依据证书的二维码。",
      "A recognition is checked together with its source: press Request a presentation, or scan the source's code too."],
    statusAt: ["状态查询于", "Status checked"],
    beijing: ["北京时间", "Beijing time"],
    ago: ["前", "ago"],
    requery: ["重新查询", "Check again"],
    withheld: ["签名无效，凭证内容不予显示。", "The signature does not verify: what the credential says is not shown."],
    cannotProve: ["本结果不能证明：", "This result does not prove:"],
    details: ["详情", "Details"]
  };

  function tr(key, lang) {
    var pair = TEXT[key];
    return pair ? pair[lang === "zh" ? 0 : 1] : key;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function pick(pair, lang) {
    if (!pair) { return ""; }
    return lang === "zh" ? (pair.zh || pair.en || "") : (pair.en || pair.zh || "");
  }
  function age(seconds, lang) {
    var zh = lang === "zh";
    if (seconds < 120) { return seconds + (zh ? " 秒" : " s"); }
    if (seconds < 7200) { return Math.round(seconds / 60) + (zh ? " 分钟" : " min"); }
    if (seconds < 172800) { return Math.round(seconds / 3600) + (zh ? " 小时" : " h"); }
    return Math.round(seconds / 86400) + (zh ? " 天" : " days");
  }

  /* The verdict block: headline, one line below it, the status line with 重新查询 (when onRequery). */
  function box(verdict, lang, onRequery) {
    var tone = verdict.tone;
    var node = el("div", "verdict " + tone);
    node.setAttribute("data-state", tone);
    node.appendChild(el("div", "state", pick(verdict.headline, lang)));
    node.appendChild(el("div", "sub", tr(tone + "Sub", lang)));
    if (verdict.status) {
      var s = verdict.status;
      var line = el("div", "status-line");
      var zh = lang === "zh";
      line.appendChild(el("span", "status-age", tr("statusAt", lang) + " " + s.beijing + (zh ? "（" : " (") +
        tr("beijing", lang) + (zh ? "，" : ", ") + age(s.ageSeconds, lang) + (zh ? "" : " ") + tr("ago", lang) +
        (zh ? "）" : ")")));
      if (onRequery) {
        var again = el("button", "requery secondary", tr("requery", lang));
        again.type = "button";
        again.addEventListener("click", onRequery);
        line.appendChild(again);
      }
      node.appendChild(line);
    }
    return node;
  }

  function withheld(lang) {
    return el("p", "withheld", tr("withheld", lang));
  }

  function cannotProve(verdict, lang) {
    var node = el("div", "cannot-prove");
    node.appendChild(el("strong", "", tr("cannotProve", lang)));
    var list = el("ul");
    (verdict.cannotProve || []).forEach(function (item) { list.appendChild(el("li", "", pick(item, lang))); });
    node.appendChild(list);
    return node;
  }

  function details(lang) {
    var node = el("details", "details");
    node.appendChild(el("summary", "", tr("details", lang)));
    return node;
  }

  window.SkillcredVerdict = { box: box, withheld: withheld, cannotProve: cannotProve, details: details };
})();
