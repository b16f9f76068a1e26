// Integrity Auditor console: plain DOM, the service's own API, the token from sessionStorage.
// Every value from the API is set as text (textContent), never parsed as HTML.
'use strict';

(function () {
  const KEY = 'integrityAuditor.token';
  const FINAL = ['CONSISTENT', 'FINDINGS', 'FAILED', 'CANCELLED'];
  const $ = (id) => document.getElementById(id);
  let datasets = [];
  let role = null;
  let runToken = 0; // the run being followed; a newer one stops the older poll

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function token() {
    return sessionStorage.getItem(KEY);
  }

  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token() };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    const text = await r.text();
    if (r.status === 401) {
      signOut('The service refused this token (401).');
      throw new ApiError(401, 'unauthorized');
    }
    if (!r.ok) {
      let message = text;
      try {
        message = JSON.parse(text).message || text;
      } catch (e) {
        // not JSON: keep the text
      }
      throw new ApiError(r.status, r.status + ': ' + message);
    }
    return { status: r.status, text, headers: r.headers, json: () => JSON.parse(text) };
  }

  // el('td', {class: 'num'}, 'text', otherNode): children are text or nodes
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') e.className = v;
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  function badge(status) {
    return el('span', { class: 'badge ' + (status || '') }, status || '–');
  }

  function time(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–';
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return '';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' d';
  }

  // A value from the database inside a run of text, isolated (U+2068 ... U+2069): one holding a
  // right-to-left override must not reverse how the values after it read (review 7 of session 21).
  function isolate(s) {
    return '\u2068' + s + '\u2069';
  }

  function keyText(key) {
    if (key === null || key === undefined) return '';
    if (typeof key !== 'object') return String(key);
    return Object.entries(key)
      .map(([k, v]) => k + '=' + isolate(v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)))
      .join(', ');
  }

  // ---- sign in / out -------------------------------------------------------------------------

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    role = null;
    $('app').hidden = true;
    $('login').hidden = false;
    $('token-clear').hidden = true;
    $('who').textContent = '';
    $('login-msg').textContent = message || '';
    runToken++;
  }

  async function signIn() {
    try {
      const me = (await api('GET', '/api/whoami')).json();
      role = me.role;
      $('who').textContent = 'Signed in as ' + me.name + ' (' + me.role + ')';
      $('login').hidden = true;
      $('app').hidden = false;
      $('token-clear').hidden = false;
      $('login-msg').textContent = '';
      $('start-section').hidden = role !== 'admin';
      $('report-generate').hidden = role !== 'admin';
      await Promise.all([loadDatasets(), loadReports()]);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) {
        $('login-msg').textContent = 'Cannot reach the API: ' + e.message;
      }
    }
  }

  // ---- datasets ------------------------------------------------------------------------------

  async function loadDatasets() {
    try {
      datasets = (await api('GET', '/api/datasets')).json();
      $('datasets-msg').textContent = '';
    } catch (e) {
      $('datasets-msg').textContent = 'Cannot load datasets: ' + e.message;
      return;
    }
    const body = $('datasets').tBodies[0];
    body.replaceChildren();
    for (const d of datasets) {
      const copies = [].concat(d.replicas || [], d.backups || []).join(', ');
      const last = d.lastRun;
      const backup = d.newestBackup;
      body.appendChild(
        el('tr', { 'data-dataset': d.name },
          el('td', {}, d.name),
          el('td', {}, copies || '–'),
          el('td', {}, last
            ? el('button', { class: 'link', type: 'button', onclick: () => followRun(last.id) },
              time(last.finishedAt))
            : 'never'),
          el('td', {}, last ? badge(last.status) : '–'),
          el('td', { class: 'num' }, d.usersAtRisk === null || d.usersAtRisk === undefined ? '–' : String(d.usersAtRisk)),
          el('td', {}, backup
            ? el('span', { class: backup.stale || (backup.findings || []).length ? 'stale' : '' },
              backup.endpoint + ': ' + time(backup.asOf) + ' (' + age(backup.ageSeconds) + (backup.stale ? ', stale' : '')
                + (backup.findings || []).filter((k) => k !== 'STALE').map((k) => ', ' + k.toLowerCase().replace('_', ' ')).join('') + ')')
            : ((d.backups || []).length ? 'not checked yet' : 'no backups configured')),
          el('td', {}, ...(d.activeRuns || []).map((id) =>
            el('button', { class: 'link', type: 'button', onclick: () => followRun(id) }, id.substring(0, 8))))));
    }
    fillStartForm();
  }

  function fillStartForm() {
    const sel = $('start-dataset');
    const keep = sel.value;
    sel.replaceChildren(...datasets.map((d) => el('option', { value: d.name }, d.name)));
    if (keep && datasets.some((d) => d.name === keep)) sel.value = keep;
    fillTables();
  }

  function fillTables() {
    const d = datasets.find((x) => x.name === $('start-dataset').value);
    const sel = $('start-table');
    sel.replaceChildren(el('option', { value: '' }, 'all tables'),
      ...((d && d.tables) || []).map((t) => el('option', { value: t }, t)));
  }

  async function startAudit(ev) {
    ev.preventDefault();
    const body = { dataset: $('start-dataset').value };
    if ($('start-table').value) body.table = $('start-table').value;
    if ($('start-user').value.trim()) body.user = $('start-user').value.trim();
    $('start-msg').textContent = 'Starting…';
    try {
      const id = (await api('POST', '/api/audits', body)).json().id;
      $('start-msg').textContent = 'Audit ' + id + ' queued.';
      followRun(id);
    } catch (e) {
      $('start-msg').textContent = 'Not started: ' + e.message;
    }
  }

  // ---- one run -------------------------------------------------------------------------------

  function followRun(id) {
    const mine = ++runToken;
    $('run-section').hidden = false;
    $('run-id').textContent = id;
    $('run-detail').replaceChildren();
    const poll = async () => {
      if (mine !== runToken) return;
      let run;
      try {
        run = (await api('GET', '/api/audits/' + encodeURIComponent(id))).json();
      } catch (e) {
        $('run-meta').textContent = 'Cannot load run: ' + e.message;
        return;
      }
      if (mine !== runToken) return;
      renderRun(run);
      if (FINAL.includes(run.status)) {
        loadDatasets();
      } else {
        setTimeout(poll, 1000);
      }
    };
    poll();
    $('run-section').scrollIntoView({ block: 'start' });
  }

  function renderRun(run) {
    const status = $('run-status');
    status.textContent = run.status;
    status.className = 'badge ' + run.status;
    const what = run.dataset + (run.table ? ' / ' + run.table : '') + (run.user ? ' / user ' + run.user : '');
    $('run-meta').textContent = what + ' — ' + run.trigger + ' by ' + run.triggeredBy +
      ', started ' + time(run.startedAt) + (run.finishedAt ? ', finished ' + time(run.finishedAt) : '');
    const p = run.progress || {};
    const bar = $('run-progress');
    bar.max = Math.max(p.chunksTotal || 0, 1);
    bar.value = FINAL.includes(run.status) ? bar.max : (p.chunksDone || 0);
    $('run-progress-text').textContent = (p.chunksDone || 0) + ' / ' + (p.chunksTotal || '?') +
      ' chunks, ' + (p.rowsChecked || 0) + ' rows checked' +
      (p.etaSeconds ? ', about ' + p.etaSeconds + ' s left' : '');
    const detail = $('run-detail');
    detail.replaceChildren();
    if (run.error) detail.appendChild(el('p', { class: 'error' }, run.error));
    const report = run.report;
    if (!report) return;
    const sample = report.usersAtRiskSample || [];
    // As the CLI prints it: an incomplete count is a lower bound, and 0 of an incomplete audit is
    // unknown, never a definite 0 (review of session 19: a run with both copies down showed 0).
    const atRisk = report.usersAtRiskComplete === false
      ? (report.usersAtRisk ? 'at least ' + report.usersAtRisk + ' (a lower bound)'
        : 'unknown (the audit could not compare every copy)')
      : String(report.usersAtRisk);
    detail.appendChild(el('p', { id: 'run-users-at-risk' }, 'Users at risk: ',
      el('b', {}, atRisk), sample.length ? ' (' + sample.map(isolate).join(', ') + ')' : ''));
    const counts = el('table', { id: 'run-copies' },
      el('tr', {}, ...['Table', 'Copy', 'Status', 'Missing', 'Extra', 'Changed', 'In flight', 'Users affected']
        .map((h) => el('th', {}, h))));
    const findings = el('table', { id: 'run-findings' },
      el('tr', {}, ...['Table', 'Copy', 'Kind', 'Key', 'User', 'Columns'].map((h) => el('th', {}, h))));
    let listed = 0;
    for (const t of report.tables || []) {
      for (const c of t.copies || []) {
        counts.appendChild(el('tr', {},
          el('td', {}, t.table), el('td', {}, c.endpoint + ' (' + c.role + ')'), el('td', {}, badge(c.status)),
          el('td', { class: 'num' }, String(c.missing)), el('td', { class: 'num' }, String(c.extra)),
          el('td', { class: 'num' }, String(c.changed)), el('td', { class: 'num' }, String(c.inFlight)),
          el('td', { class: 'num' }, String(c.usersAffected))));
        for (const f of c.findings || []) {
          listed++;
          findings.appendChild(el('tr', { class: 'finding' },
            el('td', {}, t.table), el('td', {}, c.endpoint), el('td', {}, f.kind),
            el('td', { class: 'key' }, keyText(f.key)), el('td', {}, f.owner === null ? '' : String(f.owner)),
            el('td', {}, (f.columns || []).join(', '))));
        }
      }
    }
    detail.appendChild(el('h3', {}, 'Copies'));
    detail.appendChild(counts);
    detail.appendChild(el('h3', {}, 'Findings'));
    detail.appendChild(listed ? findings : el('p', {}, 'No differing rows.'));
  }

  // ---- weekly reports ------------------------------------------------------------------------

  async function loadReports() {
    let list;
    try {
      list = (await api('GET', '/api/reports/weekly')).json();
    } catch (e) {
      $('report-msg').textContent = 'Cannot list reports: ' + e.message;
      return;
    }
    $('report-list').replaceChildren(...list.map((r) =>
      el('li', {}, 'Week of ' + r.weekStart + ', generated ' + time(r.generatedAt) + ' ',
        el('button', { class: 'link', type: 'button', onclick: () => openReport(r.id) }, 'open'))));
    if (!list.length) {
      $('report-list').replaceChildren(el('li', {}, 'None yet: "Open latest report" generates one.'));
    }
  }

  async function openReport(id) {
    $('report-msg').textContent = 'Loading…';
    try {
      const base = '/api/reports/weekly/' + encodeURIComponent(id);
      const html = await api('GET', base);
      const reportId = html.headers.get('X-Report-Id') || id;
      const json = await api('GET', '/api/reports/weekly/' + encodeURIComponent(reportId) + '.json');
      show(reportId, html.text, json.text);
      $('report-msg').textContent = '';
      loadReports();
    } catch (e) {
      $('report-msg').textContent = 'Cannot load the report: ' + e.message;
    }
  }

  async function generateReport() {
    $('report-msg').textContent = 'Generating…';
    try {
      const r = (await api('POST', '/api/reports/weekly')).json();
      await openReport(r.id);
    } catch (e) {
      $('report-msg').textContent = 'Not generated: ' + e.message;
    }
  }

  function show(id, html, json) {
    $('report-view').hidden = false;
    $('report-id').textContent = id;
    // A sandboxed frame: the page cannot run script or reach this origin (it has no script anyway).
    $('report-frame').srcdoc = html;
    const a = $('report-download');
    const b = $('report-download-json');
    for (const x of [a, b]) {
      if (x.href) URL.revokeObjectURL(x.href);
    }
    a.href = URL.createObjectURL(new Blob([html], { type: 'text/html' }));
    b.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  }

  // ---- wiring --------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('token-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = $('token').value.trim();
      if (!t) return;
      sessionStorage.setItem(KEY, t);
      $('token').value = '';
      signIn();
    });
    $('token-clear').addEventListener('click', () => signOut(''));
    $('refresh').addEventListener('click', () => { loadDatasets(); loadReports(); });
    $('start-dataset').addEventListener('change', fillTables);
    $('start-form').addEventListener('submit', startAudit);
    $('report-latest').addEventListener('click', () => openReport('latest'));
    $('report-generate').addEventListener('click', generateReport);
    if (token()) signIn();
  });
})();
