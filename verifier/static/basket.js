/* skillcred scan page: the offline basket. A recognition scanned without its sources (verdict
 * "incomplete") waits here; the page names what is still missing ("还需扫描依据证书 1/1") and, once every
 * source's own code has been scanned, verifies the recognition with them beside it: the chain from codes
 * alone, without the holder's phone online. Every string is inserted with textContent.
 */
(function () {
  "use strict";

  var TEXT = {
    still: ["还需扫描依据证书", "Source certificates still to scan"],
    source: ["依据证书", "Source certificate"],
    hint: ["请持证人逐张出示认定凭证所依据证书的二维码，在此扫描或上传。",
      "Ask the holder to show the codes of the certificates the recognition rests on, one after another."],
    clear: ["清空", "Clear"],
    ready: ["依据证书已齐，正在核验认定链…", "All sources are in: checking the chain…"]
  };
  var basket = null;  // {payload, total, need: [ids], sources: {id: payload}}

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function lang() { return document.documentElement.lang === "en" ? 1 : 0; }
  function tr(key) { return TEXT[key][lang()]; }

  function missingOf(view) {
    if (!view.chain) { return null; }
    var sources = view.chain.nodes.filter(function (n) { return n.role === "source"; });
    var need = sources.filter(function (n) {
      return n.problems.some(function (p) { return p.code === "CHAIN_SOURCE_MISSING"; });
    }).map(function (n) { return n.id; });
    return { total: sources.length, need: need };
  }

  function draw() {
    var panel = $("basket");
    if (!panel) { return; }
    panel.textContent = "";
    panel.hidden = !basket;
    if (!basket) { return; }
    panel.setAttribute("data-need", String(basket.need.length));
    panel.appendChild(el("h2", "still", tr("still") + " " + basket.need.length + "/" + basket.total));
    var list = el("ul", "missing");
    basket.need.forEach(function (id) {
      var item = el("li");
      item.appendChild(el("span", "", tr("source") + " "));
      item.appendChild(el("span", "mono", id));
      list.appendChild(item);
    });
    panel.appendChild(list);
    panel.appendChild(el("p", "muted", basket.need.length ? tr("hint") : tr("ready")));
    var clear = el("button", "secondary basket-clear", tr("clear"));
    clear.type = "button";
    clear.addEventListener("click", function () { basket = null; draw(); });
    panel.appendChild(clear);
  }

  /* After every answer of /scan/verify outside request mode: keep an incomplete recognition, collect its
   * sources; when the last one is in, verify(payload, sources) checks the chain. */
  function after(body, verify) {
    var view = body.view;
    if (!view || view.type === "VerifiablePresentation" || !body.payload) { return; }
    if (basket && basket.need.indexOf(view.id) >= 0) {
      basket.sources[view.id] = body.payload;
      basket.need = basket.need.filter(function (id) { return id !== view.id; });
      draw();
      if (!basket.need.length) {
        var done = basket;
        basket = null;
        var sources = Object.keys(done.sources).map(function (id) { return done.sources[id]; });
        verify(done.payload, sources).then(draw);
      }
      return;
    }
    var missing = view.type === "RecognitionCredential" && view.state === "incomplete" ? missingOf(view) : null;
    if (missing && missing.need.length) {
      basket = { payload: body.payload, total: missing.total, need: missing.need, sources: {} };
      draw();
    }
  }

  window.SkillcredBasket = { after: after, draw: draw };
})();
