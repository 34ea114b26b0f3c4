// Live lab cards, for the book as `lab serve` serves it. On a page with lab cards it asks
// the server for each lab's report, then follows the lab's event stream, and marks every
// check pass / fail / converging with its mismatches (and, for a service whose task failed,
// the task's error and the service's last log lines), the score and a "Check now" button.
// The introduction's progress list shows which labs are completed. Everything shown from
// a report is set as text, never as HTML. Inert on file:// and under a plain mdBook server
// (no /api/labs there): the static card stays as it is. Its words come from the server
// (`/api/words`: lab-i18n's LIVE_ words, in the language `lab serve` runs in).
(function () {
  "use strict";
  if (window.labLive || !/^https?:$/.test(location.protocol)) return;
  window.labLive = true;
  var MARK = { pass: "✓", fail: "✗", converging: "…", error: "!" };
  var WORDS = {};

  // A word by name, its {placeholders} filled in one pass (a value is never filled itself).
  function t(name, values) {
    var text = WORDS[name] || name;
    return text.replace(/\{([a-z_]+)\}/g, function (all, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

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
      box.appendChild(el("p", "lab-progress-summary", t("LIVE_PROGRESS", { done: done, total: labs.length })));
      var ul = el("ul");
      labs.forEach(function (l) {
        var li = el("li", l.completed_at ? "lab-progress-done" : "lab-progress-todo");
        li.appendChild(el("span", "lab-live-mark", l.completed_at ? "✓" : "○"));
        li.appendChild(document.createTextNode(l.completed_at ?
          t("LIVE_LAB_ITEM_DONE", { title: l.title, chapter: l.chapter, date: l.completed_at.slice(0, 10) }) :
          t("LIVE_LAB_ITEM", { title: l.title, chapter: l.chapter })));
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
    var state = el("span", "lab-live-state", t("LIVE_READING"));
    var button = el("button", "lab-live-check", t("LIVE_CHECK_NOW"));
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
      state.textContent = report.passed ? t("LIVE_ALL_PASS") :
        t(left === 1 ? "LIVE_ONE_TO_GO" : "LIVE_MANY_TO_GO", { n: left, time: new Date().toLocaleTimeString() });
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
          var table = el("table");
          var hr = el("tr");
          ["LIVE_FIELD", "LIVE_EXPECTED", "LIVE_FOUND"].forEach(function (h) { hr.appendChild(el("th", "", t(h))); });
          table.appendChild(hr);
          c.mismatches.forEach(function (m) {
            var tr = el("tr");
            [m.field, m.expected, m.found].forEach(function (v) { tr.appendChild(el("td", "", v)); });
            table.appendChild(tr);
          });
          detail.appendChild(table);
        }
        // Why the service does not run: the task's error, then its last log lines.
        if (c.cause) {
          detail.appendChild(el("div", "lab-live-cause", t("LIVE_CAUSE", { service: c.cause.service, error: c.cause.error })));
          if (c.cause.logs && c.cause.logs.length) {
            detail.appendChild(el("div", "lab-live-logs-head", t("LIVE_LOGS", { service: c.cause.service })));
            detail.appendChild(el("pre", "lab-live-logs", c.cause.logs.join("\n")));
          }
        }
        head.parentNode.insertBefore(detail, head.nextSibling);
      });
    }

    function checkNow() {
      state.textContent = t("LIVE_CHECKING");
      getJson("/api/labs/" + encodeURIComponent(id) + "/check").then(function (r) {
        if (r.ok) render(r.body); else state.textContent = t("LIVE_CANNOT_READ", { error: r.body.error });
      }).catch(function () { state.textContent = t("LIVE_NOT_ANSWERING"); });
    }

    button.addEventListener("click", checkNow);
    checkNow();
    var events = new EventSource("/api/labs/" + encodeURIComponent(id) + "/watch");
    events.addEventListener("report", function (e) { render(JSON.parse(e.data)); });
    events.addEventListener("lost", function (e) {
      var lost = JSON.parse(e.data);
      state.textContent = t("LIVE_LOST", { error: lost.error });
    });
    events.onerror = function () { state.textContent = t("LIVE_NOT_ANSWERING_RETRYING"); };
  }

  function start() {
    getJson("/api/words").then(function (w) {
      if (w.ok && w.body && typeof w.body === "object") WORDS = w.body;
      return getJson("/api/labs");
    }).then(function (r) {
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
