// Live lab cards, for the book as `lab serve` serves it. On a page with lab cards it asks
// the server for each lab's report, then follows the lab's event stream, and marks every
// check pass / fail / converging with its mismatches, the score and a "Check now" button.
// The introduction's progress list shows which labs are completed. Everything shown from
// a report is set as text, never as HTML. Inert on file:// and under a plain mdBook server
// (no /api/labs there): the static card stays as it is.
(function () {
  "use strict";
  if (window.labLive || !/^https?:$/.test(location.protocol)) return;
  window.labLive = true;
  var MARK = { pass: "✓", fail: "✗", converging: "…", error: "!" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      var json = /application\/json/.test(r.headers.get("Content-Type") || "");
      if (!json) throw new Error("not lab serve");
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    });
  }

  function showProgress(labs) {
    document.querySelectorAll(".lab-progress").forEach(function (box) {
      var done = labs.filter(function (l) { return l.completed_at; }).length;
      box.textContent = "";
      box.appendChild(el("p", "lab-progress-summary", "Your progress: " + done + " of " + labs.length + " labs completed."));
      var ul = el("ul");
      labs.forEach(function (l) {
        var li = el("li", l.completed_at ? "lab-progress-done" : "lab-progress-todo");
        li.appendChild(el("span", "lab-live-mark", l.completed_at ? "✓" : "○"));
        li.appendChild(document.createTextNode(l.title + " (" + l.chapter + ")" +
          (l.completed_at ? ": completed " + l.completed_at.slice(0, 10) : "")));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      box.hidden = false;
    });
  }

  function Card(card, info) {
    var id = card.getAttribute("data-lab");
    var bar = el("div", "lab-live");
    var score = el("span", "lab-live-score", "–/" + info.max_score);
    var state = el("span", "lab-live-state", "reading your swarm…");
    var button = el("button", "lab-live-check", "Check now");
    bar.appendChild(score);
    bar.appendChild(state);
    bar.appendChild(button);
    var checks = card.querySelector(".lab-checks");
    card.insertBefore(bar, checks ? checks.nextSibling : null);
    if (info.completed_at) card.classList.add("lab-card-completed");

    function render(report) {
      score.textContent = report.score + "/" + report.max_score;
      card.classList.toggle("lab-card-passed", !!report.passed);
      var left = report.checks.filter(function (c) { return c.status !== "pass"; }).length;
      state.textContent = report.passed ? "all checks pass: lab completed" :
        left + " check" + (left === 1 ? "" : "s") + " to go · updated " + new Date().toLocaleTimeString();
      report.checks.forEach(function (c) {
        var li = card.querySelector('.lab-check[data-check="' + CSS.escape(c.id) + '"]');
        if (!li) return;
        var was = li.getAttribute("data-status");
        ["pass", "fail", "converging", "error"].forEach(function (s) { li.classList.remove("lab-check-" + s); });
        li.classList.add("lab-check-" + c.status);
        li.setAttribute("data-status", c.status);
        var head = li.querySelector(".lab-check-head");
        var title = li.querySelector(".lab-check-title");
        var mark = li.querySelector(".lab-live-mark") || title.insertBefore(el("span", "lab-live-mark"), title.firstChild);
        mark.textContent = MARK[c.status] || "?";
        mark.title = c.status;
        var old = li.querySelector(".lab-live-detail");
        if (old) old.remove();
        // A hint opens when its check starts failing and folds once it passes.
        var hint = li.querySelector(".lab-hint");
        if (hint && was !== c.status) hint.open = c.status === "fail";
        if (c.status === "pass") return;
        var detail = el("div", "lab-live-detail");
        detail.appendChild(el("div", "lab-live-message", c.message));
        if (c.mismatches.length) {
          var t = el("table");
          var hr = el("tr");
          ["field", "expected", "found"].forEach(function (h) { hr.appendChild(el("th", "", h)); });
          t.appendChild(hr);
          c.mismatches.forEach(function (m) {
            var tr = el("tr");
            [m.field, m.expected, m.found].forEach(function (v) { tr.appendChild(el("td", "", v)); });
            t.appendChild(tr);
          });
          detail.appendChild(t);
        }
        head.parentNode.insertBefore(detail, head.nextSibling);
      });
    }

    function checkNow() {
      state.textContent = "checking…";
      getJson("/api/labs/" + encodeURIComponent(id) + "/check").then(function (r) {
        if (r.ok) render(r.body); else state.textContent = "cannot read your swarm: " + r.body.error;
      }).catch(function () { state.textContent = "lab serve is not answering"; });
    }

    button.addEventListener("click", checkNow);
    checkNow();
    var events = new EventSource("/api/labs/" + encodeURIComponent(id) + "/watch");
    events.addEventListener("report", function (e) { render(JSON.parse(e.data)); });
    events.addEventListener("lost", function (e) {
      var lost = JSON.parse(e.data);
      state.textContent = "lost the engine: " + lost.error + " (retrying)";
    });
    events.onerror = function () { state.textContent = "lab serve is not answering (retrying)"; };
  }

  function start() {
    getJson("/api/labs").then(function (r) {
      if (!r.ok || !Array.isArray(r.body)) return;
      var byId = {};
      r.body.forEach(function (l) { byId[l.id] = l; });
      showProgress(r.body);
      document.querySelectorAll(".lab-card[data-lab]").forEach(function (card) {
        var info = byId[card.getAttribute("data-lab")];
        if (info) new Card(card, info);
      });
    }).catch(function () { /* not served by lab serve: keep the static page */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
