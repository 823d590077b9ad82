// The portal loader public/embed.js: option parsing, the widget URL, message validation, and the
// loader on a page (a minimal fake DOM in a fresh VM context, so no browser is needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import vm from 'node:vm';

const require = createRequire(import.meta.url);
const LOADER = new URL('../../public/embed.js', import.meta.url);
const { parseOptions, buildUrl, checkMessage, isAssertion, SECTIONS, MAX_HEIGHT } = require(LOADER.pathname);

/** parseOptions with its warnings collected. */
function parse(data) {
  const warnings = [];
  const options = parseOptions(data, (m) => warnings.push(m));
  return { options, warnings };
}

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJUSjIwMjQwMDEifQ.c2lnbmF0dXJlLWJ5dGVz';

test('only the target is required; defaults fill the rest', () => {
  const { options, warnings } = parse({ target: '#kz' });
  assert.deepEqual(options, { title: '考证 Kaozheng', minHeight: 320, target: '#kz' });
  assert.deepEqual(warnings, []);
  const none = parse({});
  assert.equal(none.options.target, '');
  assert.match(none.warnings.join('\n'), /data-target .* is required/);
});

test('every option passes through when valid', () => {
  const { options, warnings } = parse({
    target: ' #kaozheng ',
    school: '示例职业技术学院 (天津)',
    locale: 'en',
    start: 'registrations',
    sections: 'catalog,registration,results,credits,grades',
    primary: '#8A1538',
    radius: '24',
    font: '"Noto Sans SC", Helvetica-Neue, sans-serif',
    scheme: 'dark',
    title: 'Certificates 证书',
    minHeight: '480',
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(options, {
    target: '#kaozheng',
    school: '示例职业技术学院 (天津)',
    locale: 'en',
    start: 'registrations',
    sections: SECTIONS,
    primary: '#8a1538',
    radius: 24,
    font: '"Noto Sans SC", Helvetica-Neue, sans-serif',
    scheme: 'dark',
    title: 'Certificates 证书',
    minHeight: 480,
  });
});

test('locale, start and scheme accept exactly their documented values', () => {
  for (const locale of ['zh-CN', 'en']) assert.equal(parse({ target: '#k', locale }).options.locale, locale);
  for (const start of ['catalog', 'registrations', 'results', 'credits', 'grades'])
    assert.equal(parse({ target: '#k', start }).options.start, start);
  for (const scheme of ['light', 'dark', 'system']) assert.equal(parse({ target: '#k', scheme }).options.scheme, scheme);
  for (const [key, bad] of [
    ['locale', 'zh'],
    ['locale', 'zh-cn'],
    ['locale', 'en-US'],
    ['start', 'home'],
    ['start', 'registration'],
    ['scheme', 'auto'],
    ['scheme', 'Dark'],
  ]) {
    const { options, warnings } = parse({ target: '#k', [key]: bad });
    assert.equal(options[key], undefined, `${key}=${bad}`);
    assert.equal(warnings.length, 1, `${key}=${bad} warns once`);
    assert.ok(warnings[0].includes(`data-${key}=`), warnings[0]);
  }
});

test('sections: unknown names are dropped with a warning, duplicates collapse, order is kept', () => {
  const { options, warnings } = parse({ target: '#k', sections: ' grades, catalog,bogus,,catalog ,Results' });
  assert.deepEqual(options.sections, ['grades', 'catalog']);
  assert.deepEqual(warnings, ['ignored section "bogus"', 'ignored section "Results"']);
  // Nothing known: the option is left out, so the widget shows every section.
  const none = parse({ target: '#k', sections: 'admin,settings' });
  assert.equal(none.options.sections, undefined);
  assert.equal(none.warnings.length, 2);
});

test('a start page whose section is hidden is dropped', () => {
  const hidden = parse({ target: '#k', sections: 'catalog,grades', start: 'registrations' });
  assert.equal(hidden.options.start, undefined);
  assert.match(hidden.warnings[0], /start registrations: its section is hidden/);
  const shown = parse({ target: '#k', sections: 'catalog,registration', start: 'registrations' });
  assert.equal(shown.options.start, 'registrations');
  assert.deepEqual(shown.warnings, []);
});

test('colours: #rgb or #rrggbb only, lowercased and expanded to #rrggbb', () => {
  assert.equal(parse({ target: '#k', primary: '#0A7' }).options.primary, '#00aa77');
  assert.equal(parse({ target: '#k', primary: '#0b57d0' }).options.primary, '#0b57d0');
  for (const bad of ['0b57d0', '#0b57d', '#0b57d0ff', 'red', 'rgb(0,0,0)', '#ggg', 'var(--x)', '#fff;color:red']) {
    assert.equal(parse({ target: '#k', primary: bad }).options.primary, undefined, bad);
  }
});

test('radius: integers 0 to 24', () => {
  for (const [v, want] of [['0', 0], ['9', 9], ['19', 19], ['24', 24]]) {
    assert.equal(parse({ target: '#k', radius: v }).options.radius, want, v);
  }
  for (const bad of ['25', '-1', '4.5', '8px', '1e1', '007', 'x']) {
    assert.equal(parse({ target: '#k', radius: bad }).options.radius, undefined, bad);
  }
});

test('fonts: letters, digits, spaces, commas, balanced quotes and hyphens, at most 120', () => {
  for (const ok of ['Georgia', '"Source Han Sans SC", sans-serif', "'PingFang SC', 微软雅黑, system-ui"]) {
    assert.equal(parse({ target: '#k', font: ok }).options.font, ok);
  }
  for (const bad of [
    'a;b',
    'Arial}body{color:red',
    'url(x)',
    '"unclosed, serif',
    "'mixed\"",
    'a'.repeat(121),
    'Arial\\',
    'Arial/*x*/',
  ]) {
    assert.equal(parse({ target: '#k', font: bad }).options.font, undefined, bad);
  }
});

test('title and minimum height', () => {
  assert.equal(parse({ target: '#k', title: '  ' }).options.title, '考证 Kaozheng');
  assert.equal(parse({ target: '#k', title: 'x'.repeat(101) }).options.title, '考证 Kaozheng');
  assert.equal(parse({ target: '#k', title: 'a\nb' }).options.title, '考证 Kaozheng');
  assert.equal(parse({ target: '#k', minHeight: '0' }).options.minHeight, 0);
  for (const bad of ['-5', '10000', '20vh', '1.5']) {
    const { options, warnings } = parse({ target: '#k', minHeight: bad });
    assert.equal(options.minHeight, 320, bad);
    assert.match(warnings[0], /data-min-height=/);
  }
});

test('markup and script-looking values never pass', () => {
  const attack = '"><script>alert(1)</script>';
  const { options, warnings } = parse({
    target: '#k',
    school: attack,
    locale: 'en"><script>',
    start: 'javascript:alert(1)',
    sections: `catalog${attack}`,
    primary: 'javascript:alert(1)',
    radius: '4"><img src=x onerror=alert(1)>',
    font: 'x" onload="alert(1)',
    scheme: '<svg onload=alert(1)>',
    minHeight: '1;alert(1)',
  });
  assert.deepEqual(options, { title: '考证 Kaozheng', minHeight: 320, target: '#k' });
  assert.equal(warnings.length, 9, warnings.join('\n'));
  const url = buildUrl('https://kz.example.edu.cn', options, 'https://portal.example.edu.cn');
  assert.equal(url, 'https://kz.example.edu.cn/embed?parent=https%3A%2F%2Fportal.example.edu.cn');
});

test('the widget URL: the documented parameters only, encoded, parent last', () => {
  const { options } = parse({
    target: '#kz',
    school: '示例 学院',
    locale: 'en',
    start: 'catalog',
    sections: 'catalog,registration,grades',
    primary: '#8a1538',
    radius: '0',
    font: '"Noto Sans SC", sans-serif',
    scheme: 'system',
    title: 'not in the URL',
    minHeight: '200',
  });
  const url = new URL(buildUrl('http://127.0.0.1:8080', options, 'http://localhost:5173'));
  assert.equal(url.origin + url.pathname, 'http://127.0.0.1:8080/embed');
  assert.deepEqual([...url.searchParams], [
    ['school', '示例 学院'],
    ['locale', 'en'],
    ['start', 'catalog'],
    ['primary', '#8a1538'],
    ['radius', '0'],
    ['font', '"Noto Sans SC", sans-serif'],
    ['scheme', 'system'],
    ['sections', 'catalog,registration,grades'],
    ['parent', 'http://localhost:5173'],
  ]);
  // Spaces are %20 (not "+") and commas stay readable, so any query decoder agrees.
  assert.ok(url.search.includes('font=%22Noto%20Sans%20SC%22,%20sans-serif'), url.search);
  assert.ok(url.search.includes('sections=catalog,registration,grades'), url.search);
  // Without a parent (a page with an opaque origin) no parent parameter is sent.
  assert.equal(buildUrl('https://kz.example', { target: '#k' }, false), 'https://kz.example/embed');
  // Values are encoded even if a caller skipped parseOptions: no parameter can be smuggled in.
  const smuggled = buildUrl('https://kz.example', { school: 'a&parent=https://evil.example#x' }, 'https://p.example');
  assert.deepEqual([...new URL(smuggled).searchParams.getAll('parent')], ['https://p.example']);
});

const WIDGET = 'https://kz.example.edu.cn';
const win = { name: 'widget' };
const other = { name: 'other frame' };
const widget = { origin: WIDGET, win };

function check(event) {
  const warnings = [];
  const m = checkMessage(event, widget, (w) => warnings.push(w));
  return { m, warnings };
}

test('messages from the widget window on the widget origin are read', () => {
  assert.deepEqual(check({ origin: WIDGET, source: win, data: { type: 'kz:ready' } }).m, { type: 'kz:ready' });
  assert.deepEqual(check({ origin: WIDGET, source: win, data: { type: 'kz:height', height: 812 } }).m, {
    type: 'kz:height',
    height: 812,
  });
  assert.deepEqual(
    check({ origin: WIDGET, source: win, data: { type: 'kz:signed-in', student_no: 'TJ2024001', extra: 1 } }).m,
    { type: 'kz:signed-in', student_no: 'TJ2024001' },
  );
  assert.deepEqual(check({ origin: WIDGET, source: win, data: { type: 'kz:sign-in-failed', code: 'assertion_replayed' } }).m, {
    type: 'kz:sign-in-failed',
    code: 'assertion_replayed',
  });
});

test('a wrong origin or a wrong window is ignored and logged', () => {
  for (const [origin, source] of [
    ['https://evil.example', win],
    ['https://kz.example.edu.cn:8443', win],
    ['http://kz.example.edu.cn', win],
    ['null', win],
    [WIDGET, other],
    [WIDGET, null],
  ]) {
    const { m, warnings } = check({ origin, source, data: { type: 'kz:height', height: 10 } });
    assert.equal(m, null, `${origin} ${source && source.name}`);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /not the widget/);
  }
  // Unrelated traffic from other frames (analytics, other widgets) is ignored quietly.
  assert.deepEqual(check({ origin: 'https://cdn.example', source: other, data: 'hello' }).warnings, []);
  // No widget known for the source at all.
  const warnings = [];
  assert.equal(checkMessage({ origin: WIDGET, source: win, data: { type: 'kz:ready' } }, undefined, (w) => warnings.push(w)), null);
  assert.equal(warnings.length, 1);
});

test('wrong types and shapes from the widget are ignored and logged', () => {
  for (const data of [
    null,
    'kz:ready',
    42,
    [],
    {},
    { type: 'ready' },
    { type: 'kz:assertion', assertion: JWT },
    { type: 'kz:unknown' },
    { type: 'kz:height' },
    { type: 'kz:height', height: '400' },
    { type: 'kz:height', height: 400.5 },
    { type: 'kz:height', height: -1 },
    { type: 'kz:height', height: MAX_HEIGHT + 1 },
    { type: 'kz:height', height: Infinity },
    { type: 'kz:height', height: NaN },
    { type: 'kz:signed-in' },
    { type: 'kz:signed-in', student_no: 2024001 },
    { type: 'kz:signed-in', student_no: '' },
    { type: 'kz:signed-in', student_no: 'x'.repeat(65) },
    { type: 'kz:signed-in', student_no: 'TJ\n2024' },
    { type: 'kz:sign-in-failed' },
    { type: 'kz:sign-in-failed', code: 'bad code' },
    { type: 'kz:sign-in-failed', code: { toString: () => 'x' } },
  ]) {
    const { m, warnings } = check({ origin: WIDGET, source: win, data });
    assert.equal(m, null, JSON.stringify(data));
    assert.equal(warnings.length, 1, JSON.stringify(data));
  }
  assert.deepEqual(check({ origin: WIDGET, source: win, data: { type: 'kz:height', height: 0 } }).m, {
    type: 'kz:height',
    height: 0,
  });
  assert.equal(check({ origin: WIDGET, source: win, data: { type: 'kz:height', height: MAX_HEIGHT } }).m.height, MAX_HEIGHT);
});

test('assertions must look like a compact JWT of at most 4096 characters', () => {
  assert.ok(isAssertion(JWT));
  for (const bad of [
    undefined,
    null,
    42,
    '',
    'a.b',
    'a.b.c.d',
    'a..c',
    'a.b.c ',
    'a+b.c.d',
    'a/b.c.d',
    'a=.b.c',
    `${'a'.repeat(4093)}.b.c`,
    { toString: () => JWT },
  ]) {
    assert.equal(isAssertion(bad), false, String(bad).slice(0, 40));
  }
  assert.ok(isAssertion(`${'a'.repeat(4092)}.b.c`), 'exactly 4096 characters');
});

/** Objects made inside the VM context have its prototypes; compare them as plain data. */
const plain = (v) => JSON.parse(JSON.stringify(v));

/**
 * Runs the loader in a fresh VM context with a minimal DOM: one host element, iframes that record
 * what is posted to them, and window message listeners the test can call.
 */
function page({ dataset = { target: '#kz' }, origin = 'https://portal.example.edu.cn', src = `${WIDGET}/embed.js` } = {}) {
  const warnings = [];
  const listeners = [];
  const events = [];
  const posted = [];
  const host = {
    children: [],
    appendChild(el) {
      el.contentWindow = { postMessage: (data, targetOrigin) => posted.push({ data, targetOrigin }) };
      this.children.push(el);
    },
    dispatchEvent(ev) {
      events.push(ev);
    },
  };
  const document = {
    readyState: 'complete',
    currentScript: { src, dataset },
    querySelector(sel) {
      if (sel === '#kz') return host;
      if (/^[#.\w-]+$/.test(sel)) return null;
      throw new Error('SyntaxError');
    },
    createElement(tag) {
      return { tagName: tag.toUpperCase(), style: {}, attributes: {}, setAttribute(k, v) { this.attributes[k] = v; } };
    },
  };
  const ctx = {
    document,
    location: { origin },
    URL,
    console: { warn: (m) => warnings.push(m) },
    CustomEvent: class {
      constructor(type, init) {
        Object.assign(this, { type }, init);
      }
    },
    addEventListener(type, fn) {
      if (type === 'message') listeners.push(fn);
    },
  };
  ctx.window = ctx;
  vm.runInNewContext(readFileSync(LOADER, 'utf8'), ctx);
  const iframe = host.children[0];
  return {
    ctx,
    host,
    iframe,
    warnings,
    events,
    posted,
    send(data, { from = iframe && iframe.contentWindow, origin: o = WIDGET } = {}) {
      for (const fn of listeners) fn({ data, origin: o, source: from });
    },
  };
}

test('the loader mounts one iframe for the portal with the parsed options', () => {
  const p = page({
    dataset: { target: '#kz', locale: 'en', primary: '#8a1538', sections: 'catalog,grades', minHeight: '240', title: 'Certificates' },
  });
  assert.equal(p.host.children.length, 1);
  const f = p.iframe;
  assert.equal(f.tagName, 'IFRAME');
  assert.equal(f.src, `${WIDGET}/embed?locale=en&primary=%238a1538&sections=catalog,grades&parent=https%3A%2F%2Fportal.example.edu.cn`);
  assert.equal(f.title, 'Certificates');
  assert.equal(f.attributes.allow, '');
  assert.equal(f.loading, undefined, 'the first widget is not lazy');
  assert.match(f.style.cssText, /width:100%;border:0;min-height:240px;height:240px/);
  assert.equal(p.ctx.Kaozheng.widgets.length, 1);
  assert.equal(p.ctx.Kaozheng.widgets[0].origin, WIDGET);
  assert.deepEqual(p.warnings, []);
});

test('no iframe without a matching target, and no parent from an opaque origin', () => {
  for (const target of ['#missing', 'div[', undefined]) {
    const p = page({ dataset: { target } });
    assert.equal(p.host.children.length, 0, String(target));
    assert.ok(p.warnings.some((w) => /data-target/.test(w)), p.warnings.join('\n'));
  }
  const sandboxed = page({ origin: 'null' });
  assert.equal(sandboxed.iframe.src, `${WIDGET}/embed`);
});

test('heights apply only from the widget window on the widget origin', () => {
  const p = page();
  p.send({ type: 'kz:height', height: 900 });
  assert.equal(p.iframe.style.height, '900px');
  p.send({ type: 'kz:height', height: 10 }, { origin: 'https://evil.example' });
  p.send({ type: 'kz:height', height: 10 }, { from: { postMessage() {} } });
  p.send({ type: 'kz:height', height: -10 });
  p.send({ type: 'kz:height', height: 10.5 });
  assert.equal(p.iframe.style.height, '900px');
  assert.equal(p.warnings.length, 4, p.warnings.join('\n'));
  p.send({ type: 'kz:height', height: 431 });
  assert.equal(p.iframe.style.height, '431px');
});

test('signIn waits for kz:ready, then posts to the widget origin only', () => {
  const p = page();
  const K = p.ctx.Kaozheng;
  assert.equal(K.signIn(JWT), true);
  assert.equal(p.posted.length, 0, 'nothing is sent before the widget listens');
  // A forged ready from elsewhere does not release the queue.
  p.send({ type: 'kz:ready' }, { origin: 'https://evil.example' });
  assert.equal(p.posted.length, 0);
  p.send({ type: 'kz:ready' });
  assert.deepEqual(plain(p.posted), [{ data: { type: 'kz:assertion', assertion: JWT }, targetOrigin: WIDGET }]);
  assert.deepEqual(plain(p.events.map((e) => e.type)), ['kaozheng:ready']);
  assert.equal(K.signIn(`${JWT}x`), true);
  assert.equal(p.posted.length, 2, 'sent at once when ready');
  assert.equal(p.posted[1].targetOrigin, WIDGET);
  assert.equal(K.signIn('not a jwt'), false);
  assert.equal(p.posted.length, 2);
});

test('sign-in results reach the portal as bubbling events on the host element', () => {
  const p = page();
  p.send({ type: 'kz:signed-in', student_no: 'TJ2024001' });
  p.send({ type: 'kz:sign-in-failed', code: 'invalid_assertion' });
  p.send({ type: 'kz:signed-in', student_no: 'TJ2024001' }, { origin: 'https://evil.example' });
  assert.deepEqual(
    plain(p.events.map((e) => [e.type, e.bubbles, e.detail])),
    [
      ['kaozheng:signed-in', true, { type: 'kz:signed-in', student_no: 'TJ2024001' }],
      ['kaozheng:sign-in-failed', true, { type: 'kz:sign-in-failed', code: 'invalid_assertion' }],
    ],
  );
});

test('the loader is small: under 4 KB gzipped, as the server sends it', () => {
  const bytes = readFileSync(LOADER);
  assert.ok(gzipSync(bytes, { level: 9 }).length < 4096, `${gzipSync(bytes, { level: 9 }).length} B gzip`);
  assert.ok(bytes.length < 8192, `${bytes.length} B raw`);
});
