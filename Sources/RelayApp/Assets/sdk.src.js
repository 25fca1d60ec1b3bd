/* SPDX-License-Identifier: Apache-2.0
 * pixelrelay browser snippet — readable source. The served file, sdk.js, is generated from this
 * one by scripts/minify-sdk.sh; edit here, then run the script and commit both.
 *
 * Contract: docs interface.md §5. ES2017 at most, no dependencies, no globals besides
 * `pixelrelay`, never throws into the page. Short names are deliberate: the minifier only strips
 * whitespace and comments, and the served file must stay under 6 KB.
 *
 * fbc: the gateway mints the _fbp/_fbc cookies. While the page URL carries the `fbclid`, the
 * gateway reads it from event_source_url and mints _fbc itself (its subdomain index, its clock;
 * interface.md §3), so the beacon sends only a cookie it can read. Once an SPA route change has
 * dropped the fbclid the page opened with and no readable _fbc holds it, the beacon carries
 * `fb.1.<now ms>.<fbclid>` (one value per page) so later events keep the click id.
 *
 * Raw identifiers (em, ph, …) go only in the POST body: what is stored for a retry (localStorage)
 * or put in a URL (the /tr fallback) keeps only fbp/fbc and already-hashed values, and an event a
 * later page sends from that store goes without them.
 */
(function (w, d) {
  'use strict';
  var P = w.pixelrelay;
  // Loaded twice: keep the live instance (the server-appended _rules call reaches it).
  if (P && P._pr) return;
  var L = location, N = navigator,
    E = encodeURIComponent,
    // Meta's standard event names (capi.md §2): anything else goes to fbq as trackCustom.
    STD = 'AddPaymentInfo AddToCart AddToWishlist CompleteRegistration Contact CustomizeProduct Donate FindLocation InitiateCheckout Lead Purchase Schedule Search StartTrial SubmitApplication Subscribe ViewContent PageView'.split(' '),
    base = L.origin, path = '/events',
    pid, am = {}, R = [], seen = {}, Q = [], A = new WeakMap(), T = 0, wait = 1e3, hc, hh, mint,
    cons = st('_prc'),
    fcl = clk(), s, ss, i;

  // Endpoint base: the folder the script was loaded from (= its origin for /sdk.js).
  try {
    s = d.currentScript && d.currentScript.src;
    for (ss = d.getElementsByTagName('script'), i = ss.length; !s && i--;)
      if (/\/sdk\.js([?#]|$)/.test(ss[i].src)) s = ss[i].src;
    if (s) base = s.replace(/[?#].*/, '').replace(/\/[^/]*$/, '');
  } catch (x) {}

  // localStorage: get (v undefined), set (string) or remove (null); absent storage is fine.
  function st(k, v) {
    try {
      var S = w.localStorage;
      if (v === undefined) return S.getItem(k);
      v === null ? S.removeItem(k) : S.setItem(k, v);
    } catch (x) {}
  }

  // A plain-object copy, or {} for anything else.
  function obj(o) {
    return o && typeof o == 'object' && !Array.isArray(o) ? Object.assign({}, o) : {};
  }

  function ck(n) {
    try {
      var m = ('; ' + d.cookie).match('; ' + n + '=([^;]*)');
      return m ? m[1] : undefined;
    } catch (x) {}
  }

  function clk() {
    try { return new URLSearchParams(L.search).get('fbclid') || undefined } catch (x) {}
  }

  // v4 UUID: randomUUID (secure contexts), else getRandomValues, else Math.random.
  function uuid() {
    var c = w.crypto, b = new Uint8Array(16), h = '', j = 0;
    try {
      if (c.randomUUID) return c.randomUUID();
      c.getRandomValues(b);
    } catch (x) {
      for (; j < 16; j++) b[j] = Math.random() * 256;
    }
    b[6] = b[6] & 15 | 64;
    b[8] = b[8] & 63 | 128;
    for (j = 0; j < 16; j++) h += (j == 4 || j == 6 || j == 8 || j == 10 ? '-' : '') + (b[j] + 256).toString(16).slice(1);
    return h;
  }

  // The click id to send (see the top comment): the cookie, or a provisional value once the URL
  // no longer shows the page's fbclid and no cookie holds it.
  function fbc() {
    var c = ck('_fbc');
    if (fcl && !clk() && (!c || c.split('.')[3] !== fcl)) c = mint || (mint = 'fb.1.' + Date.now() + '.' + fcl);
    return c;
  }

  // What may be stored or put in a URL: fbp, fbc and already-hashed values, never raw identifiers.
  function safe(u) {
    var o = {}, k;
    for (k in u) if (k == 'fbp' || k == 'fbc' || /^[0-9a-f]{64}$/.test(u[k])) o[k] = u[k];
    return o;
  }

  function track(n, cd, o) {
    if (typeof n != 'string' || !n) return;
    o = obj(o);
    cd = obj(cd);
    // Only a non-empty string or a finite number is an id: String({}) would give unrelated events
    // one id, and Meta would deduplicate them against each other.
    var g = o.eventID, t = typeof g,
      id = t == 'string' && g || t == 'number' && isFinite(g) ? String(g) : uuid(),
      u = Object.assign({}, am, obj(o.userData)),
      e = { event_name: n, event_id: id, event_time: Math.floor(Date.now() / 1e3), event_source_url: L.href },
      k, v = ck('_fbp'), f = fbc();
    if (v && !u.fbp) u.fbp = v;
    if (f && !u.fbc) u.fbc = f;
    for (k in u) if (u[k] == null || u[k] === '') delete u[k];
    if (d.referrer) e.referrer_url = d.referrer;
    e.action_source = 'website';
    if (pid) e.pixel_id = pid;
    e.user_data = u;
    e.custom_data = cd;
    if (cons) e.consent = { ad_storage: cons };
    // Same id for the browser pixel and the server copy: Meta deduplicates them (capi.md §9).
    if (typeof w.fbq == 'function') try { w.fbq(STD.indexOf(n) < 0 ? 'trackCustom' : 'track', n, cd, { eventID: id }) } catch (x) {}
    send(e);
    return id;
  }

  // sendBeacon, else fetch keepalive, else an image GET to /tr.
  function send(e) {
    var b = JSON.stringify(e);
    try { if (N.sendBeacon(base + path, new Blob([b], { type: 'text/plain' }))) return } catch (x) {}
    post(e, b) || img(e);
  }

  // fetch with keepalive (browsers refuse it over 64 KB); a network error, 5xx or 429 puts the
  // event in the retry queue.
  function post(e, b) {
    if (!w.fetch) return;
    try {
      b = b || JSON.stringify(e);
      w.fetch(base + path, { method: 'POST', body: b, keepalive: new Blob([b]).size < 6e4, credentials: 'include', headers: { 'Content-Type': 'text/plain' } })
        .then(function (r) { r.status > 499 || r.status == 429 ? fail(e) : done(e) }, function () { fail(e) });
      return 1;
    } catch (x) {}
  }

  // Bounded retry queue (20 events, 5 tries each per page), mirrored in localStorage `_prq`,
  // exponential backoff with jitter. An event that keeps failing (refused without CORS, say) is dropped.
  function fail(e) {
    var n = (A.get(e) || 0) + 1;
    A.set(e, n);
    if (n > 5) return done(e);
    if (Q.indexOf(e) < 0 && Q.push(e) > 20) Q.shift();
    save();
    if (!T) T = setTimeout(flush, wait * (1 + Math.random())), wait = Math.min(wait * 2, 3e5);
  }

  function done(e) {
    var j = Q.indexOf(e);
    wait = 1e3;
    if (j >= 0) Q.splice(j, 1), save();
  }

  function save() {
    st('_prq', Q.length ? JSON.stringify(Q.map(function (e) { return Object.assign({}, e, { user_data: safe(e.user_data) }) })) : null);
  }

  function flush() {
    T = 0;
    try { Q.slice().forEach(function (e) { post(e) || (img(e), done(e)) }) } catch (x) {}
  }

  // Meta Pixel parameter names. /tr carries no consent flag, so a denied event is not sent this way.
  function img(e) {
    var u = safe(e.user_data), c = e.custom_data || {}, q = [], k,
      p = { id: e.pixel_id, ev: e.event_name, eid: e.event_id, dl: e.event_source_url, rl: e.referrer_url, ts: e.event_time * 1e3, fbp: u.fbp, fbc: u.fbc };
    if (e.consent && e.consent.ad_storage == 'denied') return;
    function a(n, v) { if (v != null) q.push(n + '=' + E(typeof v == 'object' ? JSON.stringify(v) : v)) }
    for (k in p) a(k, p[k]);
    for (k in c) a('cd[' + k + ']', c[k]);
    for (k in u) if (k != 'fbp' && k != 'fbc') a('ud[' + k + ']', u[k]);
    new Image().src = base + '/tr?' + q.join('&');
  }

  function on(r) { return !r.url_contains || L.href.indexOf(r.url_contains) >= 0 }

  function fire(r) { track(r.event, r.custom_data) }

  // One delegated click listener (capture phase) for every selector rule.
  function click(v) {
    R.forEach(function (r) {
      try { if (r && r.selector && v.target.closest(r.selector) && on(r)) fire(r) } catch (x) {}
    });
  }

  // URL rules fire once per rule and URL: on load and on SPA navigations.
  function urls() {
    var h = L.href;
    R.forEach(function (r) {
      try {
        var k = [r.event, r.url_contains, h].join('\n');
        if (!r.selector && r.url_contains && on(r) && !seen[k]) seen[k] = 1, fire(r);
      } catch (x) {}
    });
  }

  function rules(a) {
    if (!Array.isArray(a)) return;
    R = a;
    a.forEach(function (r) {
      if (!r) return;
      if (r.selector && !hc) hc = 1, d.addEventListener('click', click, true);
      if (!r.selector && r.url_contains && !hh) {
        hh = 1;
        ['pushState', 'replaceState'].forEach(function (m) {
          var f = history[m];
          if (typeof f == 'function') history[m] = function () {
            var x = f.apply(this, arguments);
            urls();
            return x;
          };
        });
        w.addEventListener('popstate', urls);
      }
    });
    urls();
  }

  function consent(v) {
    if (v != 'grant' && v != 'revoke') return;
    cons = v == 'grant' ? 'granted' : 'denied';
    st('_prc', cons);
    if (typeof w.fbq == 'function') try { w.fbq('consent', v) } catch (x) {}
  }

  function px(c, a, b, o) {
    try {
      if (c == 'track' || c == 'trackCustom') return track(a, b, o);
      if (c == 'init') {
        if (typeof a == 'string' || typeof a == 'number') a = { pixelId: a };
        a = obj(a);
        if (a.pixelId) pid = String(a.pixelId);
        am = obj(a.advancedMatching);
      }
      if (c == 'consent') consent(a);
      if (c == '_rules') rules(a);
      // Set by the gateway when its events_path is not /events.
      if (c == '_path' && typeof a == 'string') path = a;
    } catch (x) {}
  }

  try {
    px._pr = 1;
    // Late calls through a saved reference to the stub still arrive.
    px.q = { push: function (a) { try { px.apply(0, a) } catch (x) {} } };
    w.pixelrelay = px;
    ss = P && P.q;
    for (i = 0; ss && i < ss.length; i++) px.q.push(ss[i]);
    // Events a previous page could not deliver (younger than 7 days).
    s = JSON.parse(st('_prq') || '[]');
    // Stored without raw identifiers, and sent so: this page's advanced matching may be another person's.
    if (Array.isArray(s)) Q = s.filter(function (e) { return e && e.event_time > Date.now() / 1e3 - 6048e2 }).slice(-20);
    if (Q.length) setTimeout(flush, 1);
  } catch (x) {}
})(window, document);
