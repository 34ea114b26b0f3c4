// The live class view of `lab grade --live`: a row per learner, updated from the
// server's event stream (no reload). Everything the server sends that came from a
// learner's engine is text: it is only ever put into the page with textContent or a
// title property, never parsed as markup.
(function () {
  'use strict';

  var W = {};
  var cls = null; // the class: lab, title, checks, stuck_after_secs, export, learners
  var byName = new Map();
  var order = []; // learner names in roster order
  var sort = { key: 'learner', dir: 1 };

  var STATUS = {
    waiting: 'CLASS_STATUS_WAITING',
    graded: 'CLASS_STATUS_GRADED',
    unreachable: 'CLASS_STATUS_UNREACHABLE',
    tls_error: 'CLASS_STATUS_TLS_ERROR',
    not_swarm: 'CLASS_STATUS_NOT_SWARM',
    not_manager: 'CLASS_STATUS_NOT_MANAGER',
    timeout: 'CLASS_STATUS_TIMEOUT',
    error: 'CLASS_STATUS_ERROR'
  };
  var MARK = {
    pass: ['✓', 'CLASS_MARK_PASS'],
    fail: ['✗', 'CLASS_MARK_FAIL'],
    converging: ['…', 'CLASS_MARK_CONVERGING']
  };
  // Sort order of a check's mark: failing first when ascending.
  var MARK_RANK = { fail: 0, converging: 1, pass: 2 };

  function word(name, values) {
    var text = Object.prototype.hasOwnProperty.call(W, name) ? W[name] : name;
    if (values) {
      Object.keys(values).forEach(function (k) {
        text = text.split('{' + k + '}').join(String(values[k]));
      });
    }
    return text;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function $(id) { return document.getElementById(id); }

  function secondsSince(t) {
    if (!t) return null;
    var ms = Date.parse(t);
    return isNaN(ms) ? null : Math.max(0, (Date.now() - ms) / 1000);
  }

  function duration(secs) {
    if (secs < 60) return word('CLASS_SECONDS', { n: Math.floor(secs) });
    if (secs < 3600) return word('CLASS_MINUTES', { n: Math.floor(secs / 60) });
    return word('CLASS_HOURS', { n: (secs / 3600).toFixed(1) });
  }

  function ago(t) {
    var s = secondsSince(t);
    return s === null ? '—' : word('CLASS_AGO', { time: duration(s) });
  }

  function isStuck(row) {
    var s = secondsSince(row.stuck_since);
    return s !== null && s > cls.stuck_after_secs;
  }

  function checkTitle(id) {
    var c = cls.checks.filter(function (c) { return c.id === id; })[0];
    return c ? c.title : id;
  }

  // The columns: [sort key, heading, title].
  function columns() {
    var cols = [
      ['learner', word('CLASS_LEARNER'), ''],
      ['status', word('CLASS_STATUS'), ''],
      ['score', word('CLASS_SCORE'), '']
    ];
    cls.checks.forEach(function (c) { cols.push(['check:' + c.id, c.id, c.title + ' (' + c.max_points + ')']); });
    cols.push(['updated', word('CLASS_LAST_CHANGE'), '']);
    cols.push(['progress', word('CLASS_SINCE_PROGRESS'), '']);
    cols.push(['flags', word('CLASS_FLAGS'), '']);
    return cols;
  }

  function sortValue(row, key) {
    if (key === 'learner') return row.learner;
    if (key === 'status') return row.status;
    if (key === 'score') return row.score;
    if (key === 'updated') return row.updated_at ? -Date.parse(row.updated_at) : -Infinity;
    if (key === 'progress') return row.progress_at ? -Date.parse(row.progress_at) : -Infinity;
    if (key === 'flags') return row.flags.join(' ');
    if (key.indexOf('check:') === 0) {
      var s = row.checks[key.slice(6)];
      return s === undefined ? -1 : MARK_RANK[s];
    }
    return 0;
  }

  function sortedRows() {
    var rows = order.map(function (n) { return byName.get(n); });
    var index = new Map(order.map(function (n, i) { return [n, i]; }));
    rows.sort(function (a, b) {
      var x = sortValue(a, sort.key), y = sortValue(b, sort.key);
      var c = x < y ? -1 : x > y ? 1 : 0;
      return c !== 0 ? c * sort.dir : index.get(a.learner) - index.get(b.learner);
    });
    return rows;
  }

  function renderHead() {
    var head = $('class-head');
    head.replaceChildren();
    columns().forEach(function (col) {
      var th = el('th', null, col[1]);
      th.dataset.sort = col[0];
      if (col[2]) th.title = col[2];
      if (sort.key === col[0]) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      th.addEventListener('click', function () {
        sort = { key: col[0], dir: sort.key === col[0] ? -sort.dir : 1 };
        render();
      });
      head.appendChild(th);
    });
  }

  function renderRow(row) {
    var tr = el('tr');
    tr.dataset.learner = row.learner;
    if (isStuck(row)) tr.classList.add('stuck');
    if (row.status === 'graded' && row.score === row.max_score) tr.classList.add('full');

    var name = el('td', 'learner', row.learner);
    if (isStuck(row)) {
      var note = word('CLASS_STUCK', { check: row.stuck_on, time: duration(secondsSince(row.stuck_since)) });
      name.appendChild(el('span', 'stuck-note', note));
    }
    tr.appendChild(name);

    var status = el('td', 'status', word(STATUS[row.status] || row.status));
    status.dataset.status = row.status;
    status.title = row.message;
    if (row.status !== 'graded') status.appendChild(el('span', 'message stuck-note', row.message));
    tr.appendChild(status);

    var score = el('td', 'score', row.status === 'graded' ? row.score : '—');
    score.title = row.score + '/' + row.max_score;
    tr.appendChild(score);

    cls.checks.forEach(function (c) {
      var s = row.checks[c.id];
      var mark = MARK[s];
      var td = el('td', 'mark', mark ? mark[0] : '');
      td.dataset.check = c.id;
      if (s) td.dataset.status = s;
      var detail = row.details[c.id];
      td.title = checkTitle(c.id) + (mark ? ': ' + word(mark[1]) : '') + (detail ? '\n' + detail : '');
      tr.appendChild(td);
    });

    var updated = el('td', 'updated', ago(row.updated_at));
    tr.appendChild(updated);
    tr.appendChild(el('td', 'progress', ago(row.progress_at)));
    tr.appendChild(el('td', 'flags', row.flags.join(' ')));
    return tr;
  }

  function renderFoot(rows) {
    var foot = $('class-foot');
    foot.replaceChildren();
    foot.appendChild(el('td', null, word('CLASS_PASSED_ROW')));
    foot.appendChild(el('td'));
    foot.appendChild(el('td'));
    cls.checks.forEach(function (c) {
      var passed = rows.filter(function (r) { return r.checks[c.id] === 'pass'; }).length;
      var td = el('td', 'passed', passed + '/' + rows.length);
      td.dataset.check = c.id;
      foot.appendChild(td);
    });
    foot.appendChild(el('td'));
    foot.appendChild(el('td'));
    foot.appendChild(el('td'));
  }

  function render() {
    if (!cls) return;
    var rows = sortedRows();
    renderHead();
    var body = $('class-rows');
    body.replaceChildren.apply(body, rows.map(renderRow));
    renderFoot(rows);
    var graded = rows.filter(function (r) { return r.status === 'graded'; });
    $('class-summary').textContent = word('CLASS_SUMMARY', {
      graded: graded.length,
      n: rows.length,
      full: graded.filter(function (r) { return r.score === r.max_score; }).length,
      stuck: rows.filter(isStuck).length
    });
  }

  // Relative times and the stuck highlight move with the clock: the times are updated in
  // place (a hovered cell keeps its tooltip); the table is redrawn only when a learner
  // becomes stuck.
  function tick() {
    if (!cls) return;
    var redraw = false;
    Array.prototype.forEach.call($('class-rows').children, function (tr) {
      var row = byName.get(tr.dataset.learner);
      if (!row) return;
      if (isStuck(row) !== tr.classList.contains('stuck')) redraw = true;
      var cells = [[tr.querySelector('td.updated'), ago(row.updated_at)], [tr.querySelector('td.progress'), ago(row.progress_at)]];
      cells.forEach(function (c) { if (c[0] && c[0].textContent !== c[1]) c[0].textContent = c[1]; });
    });
    if (redraw) render();
  }

  function setClass(c) {
    cls = c;
    byName = new Map();
    order = c.learners.map(function (r) { byName.set(r.learner, r); return r.learner; });
    document.title = word('CLASS_TITLE') + ' · ' + c.lab;
    $('class-title').textContent = word('CLASS_TITLE');
    $('class-lab').textContent = c.lab + ' · ' + c.title;
    $('class-export').hidden = !c.export;
    render();
  }

  function connection(state) {
    var e = $('class-connection');
    e.dataset.state = state;
    e.textContent = state === 'live' ? word('CLASS_LIVE') : state === 'lost' ? word('CLASS_DISCONNECTED') : '';
  }

  function follow() {
    var source = new EventSource('api/class/events');
    source.addEventListener('open', function () { connection('live'); });
    source.addEventListener('error', function () { connection('lost'); });
    source.addEventListener('class', function (e) { setClass(JSON.parse(e.data)); connection('live'); });
    source.addEventListener('rows', function (e) {
      if (!cls) return;
      JSON.parse(e.data).learners.forEach(function (r) {
        if (!byName.has(r.learner)) order.push(r.learner);
        byName.set(r.learner, r);
      });
      render();
    });
  }

  function exportGradebook() {
    var button = $('class-export');
    var result = $('class-export-result');
    button.disabled = true;
    result.textContent = '';
    fetch('api/class/export', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
      .then(function (r) {
        return r.json().then(function (j) {
          result.textContent = r.ok ? word('CLASS_EXPORTED', { dir: j.dir }) : word('CLASS_EXPORT_FAILED', { error: j.error });
          result.dataset.state = r.ok ? 'written' : 'failed';
        });
      })
      .catch(function (e) {
        result.textContent = word('CLASS_EXPORT_FAILED', { error: e });
        result.dataset.state = 'failed';
      })
      .then(function () { button.disabled = false; });
  }

  function start() {
    fetch('api/words')
      .then(function (r) { return r.json(); })
      .then(function (w) {
        W = w;
        $('class-export').textContent = word('CLASS_EXPORT');
        $('class-sort-hint').textContent = word('CLASS_SORT');
        $('class-export').addEventListener('click', exportGradebook);
        follow();
        setInterval(tick, 1000);
      });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
