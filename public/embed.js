/*! Kaozheng embed loader (ES2019). Usage: README, "Embedding". */
(() => {
'use strict';
const SECTIONS = ['catalog', 'registration', 'results', 'credits', 'grades'];
const MAX_HEIGHT = 1e5;
// Allowed data-* values; others are dropped with a warning, never passed on.
const RULES = {
  school: /^[\p{L}\p{N} ()（）·._-]{1,64}$/u,
  locale: /^(zh-CN|en)$/,
  start: /^(catalog|registrations|results|credits|grades)$/,
  primary: /^#([\da-f]{3}){1,2}$/i,
  radius: /^(1?\d|2[0-4])$/,
  font: /^(?=[^"]*("[^"]*"[^"]*)*$)(?=[^']*('[^']*'[^']*)*$)[\p{L}\p{N} ,'"-]{1,120}$/u,
  scheme: /^(light|dark|system)$/,
  title: /^[^\0-\x1f\x7f]{1,100}$/,
  minHeight: /^\d{1,4}$/,
};
const is = (v, re) => typeof v == 'string' && re.test(v);
// What the widget may send: type -> [field, check].
const FROM_WIDGET = {
  'kz:ready': [],
  'kz:height': ['height', (h) => Number.isInteger(h) && h >= 0 && h <= MAX_HEIGHT],
  'kz:signed-in': ['student_no', (v) => is(v, /^[^\0-\x1f]{1,64}$/)],
  'kz:sign-in-failed': ['code', (v) => is(v, /^\w{1,64}$/)],
};
const log = (m) => console.warn('[Kaozheng] ' + m);
const str = JSON.stringify;

function parseOptions(d, warn = log) {
  const o = { title: '考证 Kaozheng', minHeight: 320 }, s = [];
  for (const k in RULES) {
    const v = String(d[k] || '').trim();
    if (RULES[k].test(v)) o[k] = /^(radius|minH)/.test(k) ? +v : k == 'primary' ? v.toLowerCase().replace(/^#(.)(.)(.)$/, '#$1$1$2$2$3$3') : v;
    else if (v) warn(`ignored data-${k.replace('H', '-h')}=${str(v)}`);
  }
  for (let x of String(d.sections || '').split(',')) {
    x = x.trim();
    if (!SECTIONS.includes(x)) x && warn(`ignored section ${str(x)}`);
    else if (!s.includes(x)) s.push(x);
  }
  if (s.length) o.sections = s;
  // The start page must be in a shown section.
  if (o.start && s.length && !s.includes(o.start.replace('ions', 'ion'))) {
    warn(`ignored start ${o.start}: its section is hidden`);
    delete o.start;
  }
  o.target = String(d.target || '').trim();
  if (!o.target) warn('data-target (a CSS selector) is required');
  return o;
}

// The widget URL on `origin` (embed.js's own); `parent` is the portal page's origin.
function buildUrl(origin, o, parent) {
  const q = Object.entries({ ...o, parent })
    .filter(([k, v]) => /^(school|locale|start|sections|primary|radius|font|scheme|parent)$/.test(k) && (v || v === 0))
    .map(([k, v]) => k + '=' + encodeURIComponent(v).replace(/%2C/g, ','));
  return origin + '/embed' + (q.length ? '?' + q.join('&') : '');
}

const isAssertion = (a) => is(a, /^[\w-]+\.[\w-]+\.[\w-]+$/) && a.length <= 4096;

// A message event -> the widget message it carries, or null. Only window w.win on w.origin counts.
function checkMessage(e, w, warn = log) {
  const d = e.data || 0, t = is(d.type, /^kz:/) && d.type, r = FROM_WIDGET[t];
  if (!w || e.source !== w.win || e.origin !== w.origin) {
    if (t) warn(`ignored ${t} from ${e.origin}: not the widget`);
  } else if (r && (!r[0] || r[1](d[r[0]]))) {
    return r[0] ? { type: t, [r[0]]: d[r[0]] } : { type: t };
  } else warn(`ignored a malformed ${str(t || typeof e.data)} from the widget`);
  return null;
}

// Outside a browser (Node's tests) only the checks above are used.
if (typeof document != 'object') return void (module.exports = { parseOptions, buildUrl, checkMessage, isAssertion, SECTIONS, MAX_HEIGHT });

const script = document.currentScript;
const post = (w, a) => w.iframe.contentWindow.postMessage({ type: 'kz:assertion', assertion: a }, w.origin);
let K = window.Kaozheng;
if (!K) {
  K = window.Kaozheng = {
    widgets: [],
    // Hands a portal assertion to a widget (the first by default) once it listens.
    signIn(a, w = K.widgets[0]) {
      if (!w || !isAssertion(a)) return log('signIn needs a widget and a JWT'), false;
      w.ready ? post(w, a) : w.queue.push(a);
      return true;
    },
  };
  // One listener for every widget on the page.
  addEventListener('message', (e) => {
    const w = K.widgets.find((x) => x.iframe.contentWindow === e.source);
    const m = checkMessage(e, w && { origin: w.origin, win: e.source });
    if (!m) return;
    if (m.height >= 0) return (w.iframe.style.height = m.height + 'px');
    if (m.type == 'kz:ready') (w.ready = true), w.queue.splice(0).forEach((a) => post(w, a));
    w.host.dispatchEvent(new CustomEvent('kaozheng:' + m.type.slice(3), { bubbles: true, detail: m }));
  });
}
if (!script) return log('load embed.js with a classic <script src>');

const mount = () => {
  const o = parseOptions(script.dataset), f = document.createElement('iframe');
  let host;
  try { host = document.querySelector(o.target); } catch (_) {}
  if (!host) return log(`no element matches data-target ${str(o.target)}`);
  const origin = new URL(script.src).origin;
  f.src = buildUrl(origin, o, /^https?:\/\/[^/]+$/.test(location.origin) && location.origin);
  f.title = o.title;
  f.setAttribute('allow', '');
  if (K.widgets.length) f.loading = 'lazy';
  f.style.cssText = `display:block;width:100%;border:0;min-height:${o.minHeight}px;height:${o.minHeight}px`;
  K.widgets.push({ host, iframe: f, origin, ready: false, queue: [] });
  host.appendChild(f);
};
document.readyState == 'loading' ? addEventListener('DOMContentLoaded', mount) : mount();
})();
