// SPDX-License-Identifier: Apache-2.0
// Browser tests for the pixelrelay snippet (/sdk.js), driven through headless Chromium.
//
//   node Tests/browser/run.mjs            # stub gateway written below
//   PIXELRELAY_URL=http://localhost:8080 node Tests/browser/run.mjs   # a running pixelrelay
//   Tests/browser/run-gateway.sh          # the real binary, configured for these tests (make browser-test)
//
// Chromium is driven over --remote-debugging-pipe (CDP on fds 3/4, NUL-delimited JSON), so no
// npm package and no WebSocket client is needed. Two origins are used on purpose:
//   page origin A    = http://127.0.0.1:PAGE_PORT (the "shop" pages, served here)
//   gateway origin B = http://localhost:PORT       (stub gateway here, or PIXELRELAY_URL)
//
// What the snippet sent is captured inside the page (sendBeacon / fetch / image src are wrapped
// by an init script that records and then calls the original), so field-level assertions work in
// both modes; what the gateway received comes from fetchReceived(): in stub mode the collected
// beacons, in real mode GET PIXELRELAY_URL/status/events (a JSON list, or {events:[...]}, of
// recent events with at least event_id and event_name).
//
// Real mode needs: the site's allowed_origins to include the page origin (set PAGE_PORT to fix it)
// and the gateway's own origin (for /demo), the rules printed by `node Tests/browser/run.mjs
// --print-rules` in the site config, and PIXELRELAY_ADMIN_TOKEN when /status is protected. Real
// mode adds the CORS refusal of a foreign origin and the rendered /status page; with
// PIXELRELAY_DRY_RUN_FILE (the gateway's <data dir>/dry-run/requests.jsonl, one CAPI request body a
// line) the tests also check what the gateway forwarded: same event_id as fbq, fbc from fbclid,
// hashed em, nothing forwarded when consent is denied.
//
// Env: PIXELRELAY_URL, PIXELRELAY_ADMIN_TOKEN, PIXELRELAY_DRY_RUN_FILE, PIXELRELAY_GATEWAY_LOG (its
// JSON log, checked for warnings and errors), PAGE_PORT (default random),
// CHROMIUM (binary path), PIXELRELAY_TEST_PIXEL_ID, SCREENSHOT_DIR (writes pixelrelay-demo.png and,
// in real mode, pixelrelay-status.png there).
// Flags: --print-rules (the rules the tests expect the gateway to serve), --stub-only (run just the
// stub gateway on PORT, e.g. to exercise real mode against it).
// Output: one line per test, then exactly "N passed, N failed"; exit 1 on any failure.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SDK_FILE = path.resolve(HERE, '../../Sources/RelayApp/Assets/sdk.js');
const DEMO_FILE = path.resolve(HERE, '../../Sources/RelayApp/Assets/demo.html');
const REAL = process.env.PIXELRELAY_URL ? process.env.PIXELRELAY_URL.replace(/\/$/, '') : '';
const PIXEL = process.env.PIXELRELAY_TEST_PIXEL_ID || '111222333444555';
const DRY_RUN_FILE = REAL ? process.env.PIXELRELAY_DRY_RUN_FILE || '' : '';
const SHOT_DIR = process.env.SCREENSHOT_DIR || '';
const RULES = [
  { selector: '#attend', event: 'Lead', custom_data: { source: 'rule' } },
  { url_contains: '/thank-you', event: 'Purchase', custom_data: { value: 1, currency: 'EUR' } },
  { url_contains: '/spa-done', event: 'CompleteRegistration' },
];
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

if (process.argv.includes('--print-rules')) {
  console.log(JSON.stringify(RULES));
  process.exit(0);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rid = () => Math.random().toString(36).slice(2, 10);

// ---------------------------------------------------------------- HTTP servers

function listen(handler, port = 0, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      Promise.resolve(handler(req, res)).catch((e) => {
        res.writeHead(500);
        res.end(String(e));
      });
    });
    srv.on('error', reject);
    srv.listen(port, host, () => resolve(srv));
  });
}

function readBody(req) {
  return new Promise((resolve) => {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

const pages = new Map(); // key -> html

async function pageServer(req, res) {
  const u = new URL(req.url, 'http://x');
  const m = u.pathname.match(/^\/p\/([^/]+)/);
  if (m && pages.has(m[1])) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return res.end(pages.get(m[1]));
  }
  res.writeHead(u.pathname === '/favicon.ico' ? 204 : 404);
  res.end();
}

// Stub gateway: serves sdk.js (+ the appended rules call, like the real one) and collects beacons.
const collected = [];
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function cors(req) {
  return {
    'Access-Control-Allow-Origin': req.headers.origin || '*',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type',
    Vary: 'Origin',
  };
}

async function stubGateway(req, res) {
  const u = new URL(req.url, 'http://x');
  if (req.method === 'GET' && u.pathname === '/sdk.js') {
    await sleep(150); // the stub's queued calls must run before the snippet arrives
    const js = fs.readFileSync(SDK_FILE, 'utf8') + `pixelrelay('_rules',${JSON.stringify(RULES)});\n`;
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
    return res.end(js);
  }
  if (req.method === 'GET' && u.pathname === '/demo') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return res.end(fs.readFileSync(DEMO_FILE));
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors(req));
    return res.end();
  }
  if (req.method === 'POST' && u.pathname === '/events') {
    const text = await readBody(req);
    const via = { transport: req.headers['sec-fetch-mode'] === 'cors' ? 'fetch' : 'beacon', type: req.headers['content-type'] };
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      res.writeHead(400, { ...cors(req), 'Content-Type': 'application/json' });
      return res.end('{"error":"bad json"}');
    }
    const list = Array.isArray(body) ? body : body.events || body.data || [body];
    for (const ev of list) collected.push({ ...ev, _via: via });
    res.writeHead(202, { ...cors(req), 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ received: list.length, accepted: list.length, event_ids: list.map((e) => e.event_id), errors: [] }));
  }
  if (req.method === 'GET' && u.pathname === '/tr') {
    const q = Object.fromEntries(u.searchParams);
    collected.push({ event_name: q.ev, event_id: q.eid, _via: { transport: 'tr' }, _query: q });
    res.writeHead(200, { 'Content-Type': 'image/gif', 'Cache-Control': 'no-store' });
    return res.end(GIF);
  }
  if (req.method === 'GET' && u.pathname === '/status/events') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify({ events: collected }));
  }
  res.writeHead(404, cors(req));
  res.end();
}

const adminHeaders = () => (process.env.PIXELRELAY_ADMIN_TOKEN ? { Authorization: `Bearer ${process.env.PIXELRELAY_ADMIN_TOKEN}` } : {});

/** Events the gateway has received so far: [{event_id, event_name, ...}]. */
async function fetchReceived() {
  if (!REAL) return collected.slice();
  const r = await fetch(REAL + '/status/events', { headers: adminHeaders() });
  if (!r.ok) throw new Error(`/status/events answered ${r.status}`);
  const j = await r.json();
  return Array.isArray(j) ? j : j.events || [];
}

async function waitReceived(ids, timeout = 6000) {
  const end = Date.now() + timeout;
  for (;;) {
    const got = await fetchReceived();
    const found = ids.map((id) => got.find((e) => e.event_id === id));
    if (found.every(Boolean)) return found;
    if (Date.now() > end) throw new Error(`gateway did not receive ${ids.filter((_, i) => !found[i]).join(', ')}`);
    await sleep(50);
  }
}

/** The events in the gateway's dry-run output (what it would have sent to Meta), by event_id. */
function forwardedEvents() {
  const byID = new Map();
  let text = '';
  try {
    text = fs.readFileSync(DRY_RUN_FILE, 'utf8');
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  // Only complete lines: the gateway may be appending the next one right now.
  for (const line of text.split('\n').slice(0, -1)) {
    if (!line.trim()) continue;
    const body = JSON.parse(line);
    for (const ev of body.data || []) byID.set(ev.event_id, ev);
  }
  return { byID, text };
}

/** Waits until the gateway forwarded every id; returns the forwarded events (null without a dry-run file). */
async function waitForwarded(ids, timeout = 6000) {
  if (!DRY_RUN_FILE) return null;
  const end = Date.now() + timeout;
  for (;;) {
    const { byID } = forwardedEvents();
    const found = ids.map((id) => byID.get(id));
    if (found.every(Boolean)) return found;
    if (Date.now() > end) throw new Error(`gateway did not forward ${ids.filter((_, i) => !found[i]).join(', ')}`);
    await sleep(50);
  }
}

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

// ---------------------------------------------------------------- CDP over a pipe

class CDP {
  constructor(proc) {
    this.out = proc.stdio[3];
    this.seq = 0;
    this.pending = new Map();
    this.listeners = new Set();
    this.dead = null;
    this.out.on('error', () => {});
    let buf = Buffer.alloc(0);
    proc.stdio[4].on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let i;
      while ((i = buf.indexOf(0)) >= 0) {
        const msg = JSON.parse(buf.subarray(0, i).toString('utf8'));
        buf = buf.subarray(i + 1);
        this.dispatch(msg);
      }
    });
  }
  dispatch(msg) {
    if (msg.id && this.pending.has(msg.id)) {
      const { resolve, reject, method } = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of this.listeners) l(msg);
    }
  }
  fail(err) {
    this.dead = err;
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }
  send(method, params = {}, sessionId) {
    if (this.dead) return Promise.reject(this.dead);
    const id = ++this.seq;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: timed out`));
      }, 10000);
      this.pending.set(id, {
        method,
        resolve: (v) => (clearTimeout(t), resolve(v)),
        reject: (e) => (clearTimeout(t), reject(e)),
      });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }
}

function findChromium() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const p of ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  throw new Error('chromium not found: apt-get install -y chromium');
}

function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixelrelay-chromium-'));
  const proc = spawn(findChromium(), [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--remote-debugging-pipe',
    `--user-data-dir=${dir}`, '--no-first-run', '--no-default-browser-check', '--disable-extensions',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--mute-audio',
    'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const cdp = new CDP(proc);
  proc.on('error', (e) => cdp.fail(e));
  const exited = new Promise((r) => proc.on('exit', (code) => (cdp.fail(new Error(`chromium exited (${code})`)), r())));
  const stop = async () => {
    proc.kill('SIGTERM');
    if (proc.exitCode === null && proc.pid) await Promise.race([exited, sleep(3000)]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    // Chromium's helper processes may still be writing the profile for a moment after the browser
    // exits: retry, and never fail the run over a temporary directory.
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    } catch (e) {
      process.stderr.write(`note: could not remove ${dir}: ${e.code}\n`);
    }
  };
  return { proc, cdp, stderr: () => stderr, stop };
}

// Recording wrappers around the three transports; they call the original and return its result.
const INSTRUMENT = `(() => {
  const sent = window.__sent = [];
  const nb = navigator.sendBeacon;
  if (typeof nb === 'function') navigator.sendBeacon = function (url, data) {
    const rec = { via: 'beacon', url, type: data && data.type };
    sent.push(rec);
    if (data && data.text) data.text().then((t) => { rec.body = t; });
    return nb.apply(navigator, arguments);
  };
  const f = window.fetch;
  if (typeof f === 'function') window.fetch = function (url, opt) {
    const rec = { via: 'fetch', url: String(url), body: opt && opt.body, opt: opt && { keepalive: opt.keepalive, credentials: opt.credentials, method: opt.method, headers: opt.headers } };
    sent.push(rec);
    const p = f.apply(this, arguments);
    if (p && p.then) p.then((r) => { rec.status = r.status; }, (e) => { rec.error = String(e); });
    return p;
  };
  const d = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', { configurable: true, get: d.get, set(v) {
    if (/\\/tr\\?/.test(v)) sent.push({ via: 'img', url: v });
    d.set.call(this, v);
  } });
})();`;

const FAKE_FBQ = `window.__fbq = []; window.fbq = function () { window.__fbq.push(Array.from(arguments)); };`;

let chrome;
const allErrors = [];
let demoEvents = []; // what the /demo test sent, looked up on /status

async function openPage(url, { init = [], expectErrors = false } = {}) {
  const { cdp } = chrome;
  const { browserContextId } = await cdp.send('Target.createBrowserContext');
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const errors = [];
  const listener = (m) => {
    if (m.sessionId !== sessionId) return;
    if (m.method === 'Runtime.exceptionThrown') errors.push('exception: ' + (m.params.exceptionDetails.exception?.description || m.params.exceptionDetails.text));
    if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error') errors.push('console.error: ' + m.params.args.map((a) => a.value ?? a.description).join(' '));
    if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') errors.push(`log(${m.params.entry.source}): ${m.params.entry.text}${m.params.entry.url ? ' ' + m.params.entry.url : ''}`);
  };
  cdp.listeners.add(listener);
  const send = (method, params) => cdp.send(method, params, sessionId);
  await send('Runtime.enable');
  await send('Page.enable');
  await send('Log.enable');
  for (const source of [...init, INSTRUMENT]) await send('Page.addScriptToEvaluateOnNewDocument', { source });
  const page = {
    sessionId,
    errors,
    async eval(expression) {
      const r = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error('evaluate: ' + (r.exceptionDetails.exception?.description || r.exceptionDetails.text));
      return r.result.value;
    },
    async waitFor(expression, what = expression, timeout = 6000) {
      const end = Date.now() + timeout;
      for (;;) {
        const v = await page.eval(expression);
        if (v) return v;
        if (Date.now() > end) throw new Error('timed out waiting for ' + what);
        await sleep(40);
      }
    },
    async goto(u) {
      await page.eval('window.__leaving = true'); // so a reload is not mistaken for the old document
      await send('Page.navigate', { url: u });
      await page.waitFor(`!window.__leaving && document.readyState === 'complete' && location.href === ${JSON.stringify(u)} && !!(window.pixelrelay && window.pixelrelay._pr)`, 'page load + sdk');
    },
    /** Events the snippet handed to a transport, with parsed bodies, once n of them are complete. */
    async sent(n) {
      await page.waitFor(`window.__sent.filter(s => s.body !== undefined || s.via === 'img').length >= ${n}`, `${n} sent events`);
      const raw = await page.eval('window.__sent');
      return raw.map((s) => (s.via === 'img' ? { ...s, query: Object.fromEntries(new URL(s.url).searchParams) } : { ...s, event: JSON.parse(s.body) }));
    },
    async click(selector) {
      const box = await page.eval(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()`);
      for (const type of ['mousePressed', 'mouseReleased']) await send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    },
    async close() {
      cdp.listeners.delete(listener);
      if (!expectErrors) allErrors.push(...errors);
      await cdp.send('Target.closeTarget', { targetId }).catch(() => {});
      await cdp.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
    },
  };
  if (url) await page.goto(url);
  return page;
}

/** Saves a PNG of the whole page (width 1200, height as laid out, at most 4000) into SHOT_DIR. */
async function screenshot(p, name) {
  if (!SHOT_DIR) return;
  const send = (m, params) => chrome.cdp.send(m, params, p.sessionId);
  await send('Emulation.setDeviceMetricsOverride', { width: 1200, height: 820, deviceScaleFactor: 1, mobile: false });
  const height = Math.min(4000, Math.ceil(await p.eval('document.documentElement.scrollHeight')));
  await send('Emulation.setDeviceMetricsOverride', { width: 1200, height: Math.max(820, height), deviceScaleFactor: 1, mobile: false });
  await sleep(300); // entry animations
  const { data } = await send('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(path.join(SHOT_DIR, name), Buffer.from(data, 'base64'));
}

// ---------------------------------------------------------------- test pages

let PAGE_ORIGIN;
let GATEWAY;

/** Registers a page; returns its URL (suffix = extra path and query, e.g. '/thank-you?x=1'). */
function makePage({ head = '', after = '', body = '', suffix = '', origin = PAGE_ORIGIN } = {}) {
  const key = rid();
  pages.set(key, `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>t</title>
${head}
<script>window.pixelrelay=window.pixelrelay||function(){(pixelrelay.q=pixelrelay.q||[]).push(arguments)};</script>
<script async src="${GATEWAY}/sdk.js"></script>
${after}
</head><body>${body}</body></html>`);
  return `${origin}/p/${key}${suffix}`;
}

const script = (js) => `<script>${js}</script>`;

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, what) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${what}: expected ${sb}, got ${sa}`);
}

// ---------------------------------------------------------------- tests

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('stub calls made before sdk.js loads are queued and run in order', async () => {
  const url = makePage({
    head: script(FAKE_FBQ),
    after: script(`pixelrelay('init',{pixelId:'${PIXEL}'});
      pixelrelay('track','ViewContent',{n:1});pixelrelay('track','AddToCart',{n:2});pixelrelay('track','Search',{n:3});
      window.__queued = pixelrelay.q.length; window.__stubbed = !pixelrelay._pr;`),
  });
  const p = await openPage(url);
  eq(await p.eval('[window.__queued, window.__stubbed]'), [4, true], 'queued calls before load');
  const fbq = await p.eval('window.__fbq');
  eq(fbq.map((c) => [c[1], c[2].n]), [['ViewContent', 1], ['AddToCart', 2], ['Search', 3]], 'call order');
  const sent = await p.sent(3);
  eq(sent.map((s) => s.event.custom_data.n), [1, 2, 3], 'beacon order');
  for (const s of sent) {
    eq(s.event.pixel_id, PIXEL, 'pixel_id');
    eq(s.event.action_source, 'website', 'action_source');
    eq(s.event.event_source_url, url, 'event_source_url');
    assert(Number.isInteger(s.event.event_time) && Math.abs(s.event.event_time - Date.now() / 1000) < 60, 'event_time in seconds');
    eq(s.via, 'beacon', 'transport');
    eq(s.type, 'text/plain', 'beacon blob type');
    assert(s.url === GATEWAY + '/events', 'endpoint is the gateway origin: ' + s.url);
  }
  const got = await waitReceived(sent.map((s) => s.event.event_id));
  eq(got.map((e) => e.event_name), ['ViewContent', 'AddToCart', 'Search'], 'received names');
  await p.close();
});

test('fbq receives the same eventID as the beacon (track, trackCustom, given eventID)', async () => {
  const p = await openPage(makePage({ head: script(FAKE_FBQ) }));
  await p.eval(`pixelrelay('track','Purchase',{value:49.9,currency:'EUR'});
    pixelrelay('track','WebinarWatched',{minutes:12});
    pixelrelay('track','Lead',{},{eventID:'order-42'})`);
  const sent = await p.sent(3);
  const fbq = (await p.eval('window.__fbq')).filter((c) => c[0] !== 'consent');
  eq(fbq.map((c) => c[0]), ['track', 'trackCustom', 'track'], 'fbq methods');
  for (let i = 0; i < 3; i++) {
    eq(fbq[i][3], { eventID: sent[i].event.event_id }, `fbq eventID #${i}`);
    eq(fbq[i][1], sent[i].event.event_name, `fbq name #${i}`);
  }
  eq(fbq[0][2], { value: 49.9, currency: 'EUR' }, 'fbq custom data');
  assert(UUID4.test(sent[0].event.event_id), 'minted id is a v4 UUID: ' + sent[0].event.event_id);
  eq(sent[2].event.event_id, 'order-42', 'given eventID kept');
  await waitReceived(sent.map((s) => s.event.event_id));
  const fwd = await waitForwarded(fbq.map((c) => c[3].eventID));
  if (fwd) {
    eq(fwd.map((e) => [e.event_name, e.event_id]), fbq.map((c) => [c[1], c[3].eventID]), 'forwarded names and event_ids = fbq eventIDs');
    eq(fwd[0].custom_data, { value: 49.9, currency: 'EUR' }, 'forwarded custom_data');
    eq([fwd[0].action_source, fwd[0].event_source_url], ['website', sent[0].event.event_source_url], 'forwarded source');
  }
  await p.close();
});

test('event_id is a fresh v4 UUID with randomUUID, getRandomValues only, or no crypto at all', async () => {
  const p = await openPage(makePage());
  const given = await p.eval(`[{}, '', NaN, [1], null, 7, 'x-1'].map((eventID) => pixelrelay('track', 'A', {}, { eventID }))`);
  eq(given.slice(5), ['7', 'x-1'], 'a given string or number id is kept');
  for (const id of given.slice(0, 5)) assert(UUID4.test(id), 'an object, empty, NaN, array or null eventID gets a fresh id, not ' + id);
  const ids = await p.eval(`(() => {
    const out = [pixelrelay('track','A'), pixelrelay('track','A')];
    const c = window.crypto; Object.defineProperty(c, 'randomUUID', { value: undefined, configurable: true });
    out.push(pixelrelay('track','B'));
    Object.defineProperty(window, 'crypto', { value: undefined, configurable: true });
    out.push(pixelrelay('track','C'));
    return out; })()`);
  for (const id of ids) assert(UUID4.test(id), 'not a v4 UUID: ' + id);
  eq(new Set(ids).size, 4, 'distinct ids');
  await p.close();
});

test('a click inside #attend fires Lead through the no-code rule', async () => {
  const p = await openPage(makePage({ head: script(FAKE_FBQ), body: '<button id="attend"><span id="in">Asistir presencial</span></button><button id="other">x</button>' }));
  await p.click('#other');
  await sleep(100);
  eq(await p.eval('window.__sent.length'), 0, 'events before clicking #attend');
  await p.click('#in');
  const [s] = await p.sent(1);
  eq([s.event.event_name, s.event.custom_data], ['Lead', { source: 'rule' }], 'rule event');
  eq((await p.eval('window.__fbq'))[0], ['track', 'Lead', { source: 'rule' }, { eventID: s.event.event_id }], 'fbq call');
  await waitReceived([s.event.event_id]);
  const fwd = await waitForwarded([s.event.event_id]);
  if (fwd) eq([fwd[0].event_name, fwd[0].custom_data], ['Lead', { source: 'rule' }], 'forwarded rule event');
  await p.close();
});

test('URL rules fire on load and on SPA navigation, once per URL', async () => {
  const p = await openPage(makePage({ suffix: '/thank-you' }));
  const [s] = await p.sent(1);
  eq([s.event.event_name, s.event.custom_data], ['Purchase', { value: 1, currency: 'EUR' }], 'load rule');
  await p.eval(`history.pushState({}, '', location.pathname.replace('/thank-you', '/spa-done'))`);
  await p.eval(`history.pushState({}, '', location.href); history.replaceState({}, '', location.href)`);
  await p.eval(`history.back()`);
  await sleep(200);
  const sent = await p.sent(2);
  eq(sent.map((x) => x.event.event_name), ['Purchase', 'CompleteRegistration'], 'one event per rule and URL');
  await waitReceived(sent.map((x) => x.event.event_id));
  const fwd = await waitForwarded(sent.map((x) => x.event.event_id));
  if (fwd) {
    eq(fwd.map((e) => e.event_name), ['Purchase', 'CompleteRegistration'], 'forwarded');
    assert(fwd[1].event_source_url.endsWith('/spa-done'), 'SPA event has the new URL: ' + fwd[1].event_source_url);
  }
  await p.close();
});

test('fbclid in the page URL: the gateway mints _fbc from the page URL, an SPA route change keeps the click id, cookies pass through', async () => {
  const p = await openPage(makePage({ suffix: '?utm=x&fbclid=IwAR-test_123' }), { init: [`document.cookie = '_fbp=fb.1.1700000000000.987654321; path=/'`] });
  await p.eval(`pixelrelay('track','ViewContent'); pixelrelay('track','AddToCart')`);
  const sent = await p.sent(2);
  // While the URL shows the fbclid the gateway mints _fbc (its subdomain index and clock, §3).
  eq([sent[0].event.user_data.fbc, sent[1].event.user_data.fbc], [undefined, undefined], 'no provisional fbc while the URL has it');
  assert(sent[0].event.event_source_url.endsWith('fbclid=IwAR-test_123'), 'event_source_url carries the click');
  eq(sent[0].event.user_data.fbp, 'fb.1.1700000000000.987654321', 'fbp from the cookie');
  await waitReceived(sent.map((s) => s.event.event_id));
  const fwd = await waitForwarded(sent.map((s) => s.event.event_id));
  if (fwd) {
    for (const e of fwd) assert(/^fb\.\d\.\d{13}\.IwAR-test_123$/.test(e.user_data.fbc || ''), 'forwarded user_data.fbc: ' + e.user_data.fbc);
    eq(fwd[0].user_data.fbp, 'fb.1.1700000000000.987654321', 'forwarded fbp');
    assert(fwd[0].user_data.client_user_agent && fwd[0].user_data.client_ip_address, 'forwarded ua and ip');
  }
  // An SPA route change drops the fbclid from the URL; no readable cookie holds it: a provisional value.
  await p.eval(`history.pushState({}, '', '/p/spa-next'); pixelrelay('track','Search'); pixelrelay('track','Lead')`);
  const later = (await p.sent(4)).slice(2);
  assert(/^fb\.1\.\d{13}\.IwAR-test_123$/.test(later[0].event.user_data.fbc || ''), 'provisional fbc: ' + later[0].event.user_data.fbc);
  eq(later[1].event.user_data.fbc, later[0].event.user_data.fbc, 'one provisional value per page');
  await waitReceived(later.map((s) => s.event.event_id));
  await p.close();

  const cookie = 'fb.2.1700000000000.IwAR-test_123.AQICAQMC';
  const q = await openPage(makePage({ suffix: '?fbclid=IwAR-test_123' }), { init: [`document.cookie = '_fbc=${cookie}; path=/'`] });
  await q.eval(`pixelrelay('track','ViewContent')`);
  const [kept] = await q.sent(1);
  eq(kept.event.user_data.fbc, cookie, 'same click id keeps the cookie byte for byte');
  const fwdKept = await waitForwarded([kept.event.event_id]);
  if (fwdKept) eq(fwdKept[0].user_data.fbc, cookie, 'forwarded fbc is the cookie byte for byte');
  await q.close();
});

test('consent revoke marks beacons denied, persists across reloads, and grant clears it', async () => {
  const p = await openPage(makePage({ head: script(FAKE_FBQ) }));
  await p.eval(`pixelrelay('track','ViewContent'); pixelrelay('consent','revoke'); pixelrelay('track','Purchase',{value:1,currency:'EUR'})`);
  const sent = await p.sent(2);
  eq(sent[0].event.consent, undefined, 'no consent field before any consent call');
  eq(sent[1].event.consent, { ad_storage: 'denied' }, 'denied after revoke');
  assert((await p.eval('window.__fbq')).some((c) => c[0] === 'consent' && c[1] === 'revoke'), 'fbq told to revoke');
  await p.goto(await p.eval('location.href'));
  await p.eval(`pixelrelay('track','Lead')`);
  const [denied] = await p.sent(1);
  eq(denied.event.consent, { ad_storage: 'denied' }, 'denied after reload');
  await p.eval(`pixelrelay('consent','grant'); pixelrelay('track','Lead')`);
  const granted = (await p.sent(2))[1];
  eq(granted.event.consent, { ad_storage: 'granted' }, 'granted after grant');
  const got = await waitReceived([sent[1].event.event_id, denied.event.event_id, granted.event.event_id]);
  if (REAL) eq(got.map((e) => e.outcome.startsWith('dropped')), [true, true, false], 'status outcomes: ' + got.map((e) => e.outcome));
  // The per-pixel queue is FIFO: once the granted Lead is forwarded, a denied event would be too.
  if (await waitForwarded([sent[0].event.event_id, granted.event.event_id])) {
    const { byID } = forwardedEvents();
    eq([byID.has(sent[1].event.event_id), byID.has(denied.event.event_id)], [false, false], 'denied events forwarded');
  }
  await p.close();
});

test('sendBeacon returning false falls back to fetch with keepalive and credentials', async () => {
  const p = await openPage(makePage(), { init: [`navigator.sendBeacon = function () { return false; };`] });
  await p.eval(`pixelrelay('track','Purchase',{value:49.9,currency:'EUR'})`);
  const sent = await p.sent(2);
  eq(sent.map((s) => s.via), ['beacon', 'fetch'], 'transports tried');
  eq(sent[1].opt, { keepalive: true, credentials: 'include', method: 'POST', headers: { 'Content-Type': 'text/plain' } }, 'fetch options');
  eq(sent[1].event.event_id, sent[0].event.event_id, 'same event on both attempts');
  const [got] = await waitReceived([sent[1].event.event_id]);
  if (!REAL) eq(got._via.transport, 'fetch', 'arrived by fetch (Sec-Fetch-Mode: cors)');
  // The response passed CORS with credentials (else fetch rejects and the event goes to _prq).
  await p.waitFor(`window.__sent[1].status || window.__sent[1].error`, 'fetch outcome');
  eq([(await p.eval('window.__sent'))[1].status, await p.eval(`localStorage.getItem('_prq')`)], [202, null], 'fetch status and retry queue');
  await waitForwarded([sent[1].event.event_id]);
  await p.close();
});

test('without sendBeacon and fetch the event goes as an image GET to /tr', async () => {
  const p = await openPage(makePage({ suffix: '?fbclid=ClickImg' }), {
    init: [`Object.defineProperty(Navigator.prototype, 'sendBeacon', { value: undefined, configurable: true }); window.fetch = undefined;`],
  });
  const hashed = sha256('u-1');
  await p.eval(`pixelrelay('init',{pixelId:'${PIXEL}',advancedMatching:{em:'jane@example.com'}});
    pixelrelay('track','Purchase',{value:49.9,currency:'EUR',content_ids:['a','b']},{userData:{external_id:'${hashed}'}})`);
  const [s] = await p.sent(1);
  eq(s.via, 'img', 'transport');
  const q = s.query;
  assert(s.url.startsWith(GATEWAY + '/tr?'), 'image URL: ' + s.url);
  // A URL ends up in access logs: raw identifiers stay out of it, already-hashed ones may go.
  eq([q.id, q.ev, q['cd[value]'], q['cd[currency]'], q['cd[content_ids]'], q['ud[em]'], q['ud[external_id]']],
    [PIXEL, 'Purchase', '49.9', 'EUR', '["a","b"]', undefined, hashed], 'parameters');
  assert(!s.url.includes('jane'), 'no raw email in the URL: ' + s.url);
  assert(UUID4.test(q.eid) && /^\d{13}$/.test(q.ts) && q.dl.endsWith('?fbclid=ClickImg') && q.fbc === undefined, 'eid/ts/dl/fbc: ' + s.url);
  const [got] = await waitReceived([q.eid]);
  eq(got.event_name, 'Purchase', 'received name');
  const fwd = await waitForwarded([q.eid]);
  if (fwd) {
    const u = fwd[0].user_data;
    eq([u.em, u.external_id], [undefined, [hashed]], 'forwarded: no em, the hashed external_id as sent');
    assert(/\.ClickImg$/.test(u.fbc || ''), 'forwarded fbc: ' + u.fbc);
    eq(fwd[0].custom_data, { value: 49.9, currency: 'EUR', content_ids: ['a', 'b'] }, 'forwarded custom_data');
  }
  await p.close();
});

test('a failed fetch is kept in the retry queue and resent with the same event_id', async () => {
  const p = await openPage(makePage(), {
    init: [`Object.defineProperty(Navigator.prototype, 'sendBeacon', { value: undefined, configurable: true });
      const f0 = window.fetch; let n = 0;
      window.fetch = function () { return n++ === 0 ? Promise.resolve(new Response('busy', { status: 503 })) : f0.apply(this, arguments); };`],
  });
  const id = await p.eval(`pixelrelay('init',{advancedMatching:{em:'jane@example.com'}}); pixelrelay('track','Purchase',{value:5,currency:'EUR'})`);
  await p.waitFor(`(localStorage.getItem('_prq') || '').includes(${JSON.stringify(id)})`, 'event stored in _prq');
  assert(!(await p.eval(`localStorage.getItem('_prq')`)).includes('jane'), 'no raw email stored in _prq');
  const sent = await p.sent(2); // the retry comes after 1–2 s of backoff
  eq(sent.map((s) => [s.via, s.event.event_id]), [['fetch', id], ['fetch', id]], 'attempts');
  eq(sent[1].event.user_data.em, 'jane@example.com', 'the retry from memory still carries em');
  await waitReceived([id]);
  await waitForwarded([id]);
  await p.waitFor(`localStorage.getItem('_prq') === null`, '_prq cleared after delivery');
  await p.close();
});

test('an event that keeps failing is tried five times in a page, then dropped from the queue', async () => {
  const p = await openPage(makePage(), {
    init: [`Object.defineProperty(Navigator.prototype, 'sendBeacon', { value: undefined, configurable: true });
      const t0 = window.setTimeout; window.setTimeout = function (f) { return t0(f, 5); };
      window.__tries = 0; window.fetch = function () { window.__tries++; return Promise.reject(new TypeError('refused')); };`],
  });
  await p.eval(`pixelrelay('track','Lead')`);
  await p.waitFor(`window.__tries >= 6 && localStorage.getItem('_prq') === null`, 'dropped after the fifth retry');
  await new Promise((r) => setTimeout(r, 300));
  eq(await p.eval('window.__tries'), 6, 'the first send and five retries, then nothing');
  await p.close();
});

test('events stored by a previous page are flushed on the next page load', async () => {
  const id = 'stored-' + rid();
  const ev = { event_name: 'AddToCart', event_id: id, event_time: Math.floor(Date.now() / 1000) - 30, event_source_url: PAGE_ORIGIN + '/p/old', action_source: 'website', user_data: {}, custom_data: {} };
  const old = { ...ev, event_id: 'too-old-' + rid(), event_time: Math.floor(Date.now() / 1000) - 8 * 86400 };
  const p = await openPage(makePage({ after: script(`pixelrelay('init',{advancedMatching:{em:'kim@example.com'}})`) }), { init: [`localStorage.setItem('_prq', ${JSON.stringify(JSON.stringify([old, ev]))})`] });
  const sent = await p.sent(1);
  eq(sent.map((s) => s.event.event_id), [id], 'flushed events (older than 7 days dropped)');
  eq(sent[0].event.user_data.em, undefined, "this page's advanced matching (maybe another person's) is not added");
  await waitReceived([id]);
  await p.close();
});

test('the sdk never throws into the page, whatever it is called with', async () => {
  const p = await openPage(makePage({ body: '<button id="attend">a</button>' }), { init: [`window.fbq = function () { throw new Error('fbq broke'); };`] });
  const thrown = await p.eval(`(() => {
    const cyc = {}; cyc.self = cyc;
    const evil = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    const getter = { get value() { throw new Error('getter'); } };
    const calls = [[], [null], [undefined], [42], [{}], ['track'], ['track', ''], ['track', {}], ['track', 'X', cyc],
      ['track', 'X', getter], ['track', 'X', evil], ['track', 'X', {}, evil], ['track', 'X', 'str', 7], ['track', Symbol('s')],
      ['init'], ['init', null], ['init', evil], ['init', { advancedMatching: 'x' }], ['consent'], ['consent', {}], ['consent', 'maybe'],
      ['_rules'], ['_rules', 'x'], ['_rules', [null, 5, 'a', { selector: '::bad((' }, { url_contains: 7, event: {} }, { selector: '#attend', event: 9 }]],
      ['_path', {}], ['nope', 1, 2, 3], ['track', 'X', {}, { eventID: {} }]];
    let n = 0;
    for (const c of calls) { try { pixelrelay.apply(null, c); } catch (e) { n++; } }
    try { pixelrelay.q.push(5); pixelrelay.q.push(null); } catch (e) { n++; }
    document.querySelector('#attend').click();
    history.pushState({}, '', location.href + '#x');
    return n; })()`);
  eq(thrown, 0, 'calls that threw');
  // Still working afterwards (and fbq throwing does not stop the beacon).
  const id = await p.eval(`pixelrelay('_rules', []); pixelrelay('track','Contact')`);
  assert(UUID4.test(id), 'track still returns an id');
  await p.waitFor(`window.__sent.some(s => s.body && s.body.includes(${JSON.stringify(id)}))`, 'beacon after the garbage calls');
  await waitReceived([id]);
  eq(p.errors, [], 'page errors');
  await p.close();
});

test('the only global the snippet adds is pixelrelay', async () => {
  const p = await openPage(makePage({ body: '<button id="attend">a</button>', suffix: '/thank-you' }), { init: ['window.__base = Object.getOwnPropertyNames(window);'] });
  await p.sent(1); // the URL rule ran, so rules and history hooks are installed
  const added = await p.eval(`Object.getOwnPropertyNames(window).filter(k => !window.__base.includes(k) && !['__base', '__sent', '__leaving'].includes(k))`);
  eq(added, ['pixelrelay'], 'new globals');
  await p.close();
});

test('the served sdk.js is the committed file, at most 6144 bytes', async () => {
  const file = fs.readFileSync(SDK_FILE, 'utf8');
  assert(Buffer.byteLength(file) <= 6144, `sdk.js is ${Buffer.byteLength(file)} bytes`);
  const served = await (await fetch(GATEWAY + '/sdk.js')).text();
  assert(served.startsWith(file.trimEnd()), 'served body starts with sdk.js');
  assert(served.includes("pixelrelay('_rules'"), 'served body carries the rules call');
});

test('the /demo page: rule-bound attend, purchase, shared eventIDs in the log, email as em', async () => {
  const html = fs.readFileSync(DEMO_FILE, 'utf8');
  assert(!/track'\s*,\s*'Lead'/.test(html) && html.includes('id="attend"') && html.includes('href="/status"'), 'demo markup');
  const p = await openPage(GATEWAY + '/demo');
  const [pv] = await p.sent(1);
  eq(pv.event.event_name, 'PageView', 'first event');
  await p.eval(`(() => { const i = document.getElementById('email'); i.value = 'Jane.Doe@Example.com'; i.dispatchEvent(new Event('input')); })()`);
  await p.click('#attend');
  await p.click('#purchase');
  const sent = await p.sent(3);
  eq(sent.map((s) => s.event.event_name), ['PageView', 'Lead', 'Purchase'], 'events');
  eq(sent[2].event.custom_data, { value: 49.9, currency: 'EUR' }, 'purchase data');
  eq([sent[1].event.user_data.em, sent[2].event.user_data.em], ['Jane.Doe@Example.com', 'Jane.Doe@Example.com'], 'advanced matching em');
  await p.waitFor(`document.querySelectorAll('#log .entry').length >= 6`, 'six log entries');
  const log = await p.eval(`[...document.querySelectorAll('#log .id')].map(e => e.textContent)`);
  for (const s of sent) eq(log.filter((t) => t === 'eventID ' + s.event.event_id).length, 2, 'pixel and beacon entries for ' + s.event.event_name);
  await waitReceived(sent.map((s) => s.event.event_id));
  demoEvents = sent.map((s) => s.event);
  const fwd = await waitForwarded(sent.map((s) => s.event.event_id));
  if (fwd) {
    eq([fwd[1].user_data.em, fwd[2].user_data.em], [[sha256('jane.doe@example.com')], [sha256('jane.doe@example.com')]], 'forwarded em, normalised and hashed');
    assert(!/jane/i.test(forwardedEvents().text), 'no raw email in what the gateway forwards');
  }
  await screenshot(p, 'pixelrelay-demo.png');
  await p.close();
});

if (REAL) {
  test('fetch with credentials and a preflight (JSON body) gets a readable answer from the gateway', async () => {
    const p = await openPage(makePage());
    const id = 'cors-' + rid();
    const ev = { event_name: 'Contact', event_id: id, event_time: Math.floor(Date.now() / 1000), event_source_url: PAGE_ORIGIN + '/p/cors', action_source: 'website', user_data: {}, custom_data: {} };
    const r = await p.eval(`fetch(${JSON.stringify(GATEWAY + '/events')}, { method: 'POST', keepalive: true, credentials: 'include',
      headers: { 'Content-Type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(ev))} })
      .then(async (r) => ({ status: r.status, body: await r.json() }), (e) => ({ error: String(e) }))`);
    eq([r.status, r.body && r.body.event_ids], [202, [id]], 'answer ' + JSON.stringify(r));
    await waitReceived([id]);
    await waitForwarded([id]);
    await p.close();
  });

  test('a page on an origin no site allows is refused: no CORS grant, nothing forwarded', async () => {
    const dropped = async () => (await (await fetch(GATEWAY + '/status/events', { headers: adminHeaders() })).json()).dropped.origin || 0;
    const before = await dropped();
    const foreign = PAGE_ORIGIN.replace('127.0.0.1', 'localhost');
    const p = await openPage(makePage({ origin: foreign }), { expectErrors: true });
    const id = await p.eval(`pixelrelay('track','ViewContent')`);
    const r = await p.eval(`fetch(${JSON.stringify(GATEWAY + '/events')}, { method: 'POST', credentials: 'include', body: JSON.stringify({ event_name: 'Lead', event_time: Math.floor(Date.now() / 1000), action_source: 'website', event_source_url: location.href }) })
      .then((r) => 'status ' + r.status, (e) => 'rejected ' + e.name)`);
    eq(r, 'rejected TypeError', 'fetch from a foreign origin');
    const end = Date.now() + 5000;
    while ((await dropped()) < before + 2 && Date.now() < end) await sleep(50);
    eq((await dropped()) - before, 2, 'events dropped for their origin');
    eq((await fetchReceived()).some((e) => e.event_id === id), false, 'beacon listed in /status/events');
    if (DRY_RUN_FILE) eq(forwardedEvents().byID.has(id), false, 'beacon forwarded');
    assert(p.errors.some((e) => /CORS|Access-Control|403/.test(e)), 'the browser reported the refusal: ' + JSON.stringify(p.errors));
    await p.close();
  });

  test('/status renders the recent events: names, ids, the consent drop, no console errors', async () => {
    const url = GATEWAY + '/status';
    const p = await openPage(null);
    const idle = Date.now() + 3000; // the queue is empty: nothing more is in flight
    while (Date.now() < idle && (await fetchReceived()).some((e) => e.outcome === 'queued')) await sleep(50);
    if (process.env.PIXELRELAY_ADMIN_TOKEN) await chrome.cdp.send('Network.setExtraHTTPHeaders', { headers: adminHeaders() }, p.sessionId);
    await chrome.cdp.send('Page.navigate', { url }, p.sessionId);
    await p.waitFor(`location.href === ${JSON.stringify(url)} && document.readyState === 'complete'`, '/status load');
    const text = await p.eval('document.body.innerText');
    assert(demoEvents.length === 3, 'the /demo test ran first');
    const queued = await p.eval(`[...document.querySelectorAll('tr')].map(r => r.innerText).filter(t => /\\bqueued$/.test(t.trim()))`);
    eq(queued, [], 'rows still "queued" although everything was forwarded');
    for (const e of demoEvents) {
      const row = await p.eval(`[...document.querySelectorAll('tr')].map(r => r.innerText).find(t => t.includes(${JSON.stringify(e.event_id)})) || ''`);
      assert(row.includes(e.event_name) && /delivered/.test(row), `row for ${e.event_name} ${e.event_id}: ${JSON.stringify(row)}`);
    }
    for (const s of ['Live events', 'Lead', 'Purchase', 'PageView', 'consent', 'origin', 'dry-run']) assert(text.includes(s), `/status shows ${s}`);
    await screenshot(p, 'pixelrelay-status.png');
    eq(p.errors, [], '/status errors');
    await p.close();
  });
}

if (process.env.PIXELRELAY_GATEWAY_LOG) {
  test('the gateway logged no warnings or errors', async () => {
    const lines = fs.readFileSync(process.env.PIXELRELAY_GATEWAY_LOG, 'utf8').split('\n');
    eq(lines.filter((l) => /"level":"(warning|error|critical)"/.test(l)), [], 'gateway log lines');
  });
}

test('no uncaught exceptions or console errors on any page', async () => {
  eq(allErrors, [], 'errors');
});

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  const pageSrv = await listen(pageServer, Number(process.env.PAGE_PORT || 0), '127.0.0.1');
  PAGE_ORIGIN = `http://127.0.0.1:${pageSrv.address().port}`;
  let gwSrv;
  if (REAL) GATEWAY = REAL;
  else {
    gwSrv = await listen(stubGateway, 0, 'localhost');
    GATEWAY = `http://localhost:${gwSrv.address().port}`;
  }
  let passed = 0, failed = 0;
  try {
    chrome = launch();
    await chrome.cdp.send('Browser.getVersion');
    for (const t of tests) {
      const t0 = Date.now();
      try {
        await t.fn();
        passed++;
        console.log(`ok   ${t.name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${t.name}: ${e.message}`);
      }
    }
  } catch (e) {
    failed++;
    console.log(`FAIL browser: ${e.message}\n${chrome ? chrome.stderr() : ''}`);
  } finally {
    if (chrome) await chrome.stop();
    pageSrv.close();
    if (gwSrv) gwSrv.close();
  }
  console.log(`(${REAL ? 'gateway ' + REAL : 'stub gateway'}, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  // Exit only once the summary is flushed (a pipe may still hold it).
  process.stdout.write(`${passed} passed, ${failed} failed\n`, () => process.exit(failed ? 1 : 0));
}

if (process.argv.includes('--stub-only')) {
  // Just the stub gateway, for poking at it by hand (or for running this script in real mode against it).
  listen(stubGateway, Number(process.env.PORT || 0), 'localhost').then((srv) => console.log(`stub gateway on http://localhost:${srv.address().port}`));
} else {
  main();
}
