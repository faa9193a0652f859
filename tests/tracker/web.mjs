// Real-browser test of what the tracker serves besides hits (backend/pages, dwc, focus):
// a landing page served by the tracker with its tracking script counts a hit; a site page
// with a DWC slot shows personalised content to a known visitor and the default to an
// unknown one; a campaign's "Request dynamic content" decision fires on the slot request and
// its pushed content shows; focus items appear on their trigger (after N seconds, on scroll)
// inside a shadow root; the preference center saves a visitor's choices.
// Usage: BIN=/path/to/magpie node web.mjs   (screenshots go to docs/screenshots/, SHOTS=0 skips)
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const BIN = process.env.BIN;
if (!BIN) { console.error('BIN=/path/to/magpie is required'); process.exit(2); }
const HERE = path.dirname(new URL(import.meta.url).pathname);
const SHOTS = process.env.SHOTS === '0' ? null : path.join(HERE, '..', '..', 'docs', 'screenshots');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'magpie-web-'));
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let passed = 0, failed = 0;
async function step(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}\n     ${e.stack || e}`); }
}
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: path.join(SHOTS, name) }); };
const magpie = (...args) => execFileSync(BIN, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
function saveJSON(kind, obj) {
  const f = path.join(dataDir, `${kind}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(f, JSON.stringify(obj));
  return JSON.parse(magpie(kind, 'save', f, '--json'));
}
async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { if (e.fatal) throw e; last = e; }
    await new Promise(r => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}
function freePort() {
  return new Promise(res => { const s = http.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

const trackerPort = await freePort();
const tracker = `http://127.0.0.1:${trackerPort}`;
const snippet = `<script>
    (function(w,d,t,u,n,a,m){w['MauticTrackingObject']=n;
        w[n]=w[n]||function(){(w[n].q=w[n].q||[]).push(arguments)},a=d.createElement(t),
        m=d.getElementsByTagName(t)[0];a.async=1;a.src=u;m.parentNode.insertBefore(a,m)
    })(window,document,'script','${tracker}/mtc.js','mt');
    mt('send', 'pageview');
</script>`;
// The site's own styles are deliberately loud: the focus item in its shadow root must not take them.
const siteCSS = `<style>body{font-family:Georgia,serif;margin:0;padding:2rem;background:#fdf6e3} p,div{color:#b00 !important}
.mf,.mf-headline{background:lime !important;font-size:40px !important}</style>`;
const site = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const page = (title, body) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>${siteCSS}</head>
<body><h1>${title}</h1>${body}${snippet}</body></html>`;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (u.pathname === '/home.html') return res.end(page('Home', `<div data-slot="dwc" data-param-slot-name="hero">(loading)</div>
<form id="signup" method="post" action="${tracker}/form/submit">
  <input type="hidden" name="mauticform[formId]" value="1">
  <input type="hidden" name="mauticform[return]" value="${siteURL}/home.html">
  <label>Email <input name="mauticform[email]" id="email"></label>
  <label>First name <input name="mauticform[firstname]" id="firstname"></label>
  <button id="send" type="submit">Sign up</button>
</form>`));
  if (u.pathname === '/news.html') return res.end(page('News', '<p>Latest news.</p>'));
  if (u.pathname === '/pricing.html') return res.end(page('Pricing', '<p>Plans and prices.</p>'));
  if (u.pathname === '/long.html') return res.end(page('A long read', '<p>' + 'Lorem ipsum dolor sit amet. '.repeat(40) + '</p>'.repeat(1) +
    '<div style="height:3000px"></div><p id="end">The end.</p>'));
  res.statusCode = 404; res.end('not found');
});
await new Promise(r => site.listen(0, 'localhost', r));
const siteURL = `http://localhost:${site.address().port}`;

// --- definitions (saved before the tracker starts, through the CLI) ------------------------
const landing = saveJSON('pages', { title: 'Spring sale', alias: 'spring', mode: 'html', seoTitle: 'Spring sale — 20 % off',
  metaDescription: 'Our spring offer', socialImage: 'https://example.com/spring.png',
  html: `<style>body{font-family:system-ui;max-width:40rem;margin:3rem auto}</style><h1>Spring sale</h1>
<p id="greet">Hello {contactfield=firstname|there}!</p>{dwc=hero}<script>document.title='pwned'</script>` });
const prefsPage = saveJSON('pages', { title: 'Preferences', alias: 'preferences', preferenceCenter: true, mode: 'html',
  html: `<style>body{font-family:system-ui;max-width:36rem;margin:3rem auto}</style><h1>Hi {contactfield=firstname|there}</h1>
<p>Pick the emails you want.</p>{preferences}` });
saveJSON('dwc', { name: 'Home hero', slot: 'hero', defaultContent: '<p id="dwc-default">Welcome, stranger!</p>',
  variants: [{ name: 'Known', content: '<p id="dwc-known">Welcome back, {contactfield=firstname}!</p>',
    filters: [{ glue: 'and', field: 'email', object: 'lead', operator: '!empty', properties: { filter: null } }] }] });
saveJSON('focus', { name: 'Newsletter bar', style: 'bar', position: 'top', contentType: 'link', headline: 'Get our newsletter',
  linkUrl: 'https://example.com/newsletter', linkText: 'Subscribe', trigger: 'delay', triggerValue: 2, frequency: 'everypage',
  urlInclude: '*/home.html*', colors: { background: '#1e3a8a', text: '#ffffff', button: '#fbbf24', buttonText: '#111827' } });
saveJSON('focus', { name: 'Halfway modal', style: 'modal', position: 'middle', contentType: 'text', headline: 'Enjoying the read?',
  body: '<p>Half way there. Keep going!</p>', trigger: 'scroll', triggerValue: 50, frequency: 'session', urlInclude: '*/long.html' });
saveJSON('focus', { name: 'Leaving already?', style: 'modal', position: 'middle', contentType: 'text', headline: 'Wait, a discount!',
  body: '<p>10 % off if you stay.</p>', trigger: 'exit', frequency: 'everypage', urlInclude: '*/pricing.html' });
const form = saveJSON('forms', { name: 'Newsletter signup', published: true, submitLabel: 'Join',
  fields: [{ alias: 'email', label: 'Your email', type: 'email', mapTo: 'contact.email', required: true }] });
saveJSON('focus', { name: 'Signup notification', style: 'notification', position: 'bottom-right', contentType: 'form',
  formId: form.id, headline: 'Join the newsletter', trigger: 'load', frequency: 'everypage', urlInclude: '*/news.html' });
const seg = JSON.parse(magpie('segments', 'create', '--name', 'Monthly digest', '--filters', writeTmp('[]'), '--json'));
function writeTmp(s) { const f = path.join(dataDir, 'f-' + Math.random().toString(36).slice(2)); fs.writeFileSync(f, s); return f; }
magpie('pages', 'prefs-visible', seg.id, 'on');

const proc = spawn(BIN, ['--data-dir', dataDir, 'tracker', '--addr', `127.0.0.1:${trackerPort}`, '--public-url', tracker,
  '--allowed-origins', siteURL, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let trackerLog = '';
proc.stderr.on('data', d => { trackerLog += d; });
await until('tracker to listen', async () => {
  // A tracker that exited (its port taken since freePort, a bad flag) will never listen: say why at once.
  if (proc.exitCode !== null) throw Object.assign(new Error(`tracker exited ${proc.exitCode}: ${trackerLog}`), { fatal: true });
  return (await fetch(`${tracker}/health`)).ok;
}, 30000).catch(e => { throw new Error(`${e.message}\ntracker log:\n${trackerLog}`); });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const focusBox = (page, sel) => page.evaluate(sel => {
  const host = document.querySelector('[data-magpie-focus-host]');
  if (!host || !host.shadowRoot) return null;
  const el = host.shadowRoot.querySelector(sel);
  if (!el) return null;
  const cs = getComputedStyle(el);
  return { text: el.textContent, bg: cs.backgroundColor, font: cs.fontSize, inLight: !!document.querySelector(sel) };
}, sel);

let annID;
try {
  const known = await browser.newContext({ userAgent: UA, viewport: { width: 1100, height: 700 } });
  const page = await known.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));

  await step('unknown visitor: the DWC slot shows the default content', async () => {
    await page.goto(`${siteURL}/home.html`);
    await page.waitForSelector('#dwc-default', { timeout: 8000 });
    assert.equal(await page.locator('[data-slot="dwc"]').innerText(), 'Welcome, stranger!');
  });

  await step('focus bar appears after 2 s, inside a shadow root, untouched by the site CSS', async () => {
    await page.goto(`${siteURL}/home.html`);
    const t0 = Date.now();
    await page.waitForSelector('#dwc-default');
    assert.equal(await focusBox(page, '.mf'), null, 'not shown before its delay');
    const box = await until('focus bar', () => focusBox(page, '.mf-headline'));
    assert.ok(Date.now() - t0 >= 1800, `shown after ${Date.now() - t0} ms`);
    assert.equal(box.text, 'Get our newsletter');
    assert.equal(box.inLight, false, 'the markup lives in the shadow root only');
    assert.notEqual(box.font, '40px', 'host styles do not leak in');
    const bar = await focusBox(page, '.mf');
    assert.equal(bar.bg, 'rgb(30, 58, 138)');
    assert.notEqual(await page.evaluate(() => getComputedStyle(document.querySelector('p')).color), 'rgb(30, 58, 138)');
    // The bar pushes the page down instead of covering its heading; closing it gives the space back.
    const top = () => page.evaluate(() => document.querySelector('h1').getBoundingClientRect().top);
    const barBottom = await page.evaluate(() => document.querySelector('[data-magpie-focus-host]').shadowRoot.querySelector('.mf').getBoundingClientRect().bottom);
    assert.ok(await top() >= barBottom, `heading at ${await top()} px, bar ends at ${barBottom} px`);
    await shot(page, 'tracker-focus-bar.png');
    const pushed = await top();
    await page.evaluate(() => document.querySelector('[data-magpie-focus-host]').shadowRoot.querySelector('.mf-close').click());
    assert.ok(await top() < pushed, 'the space is given back on close');
  });

  await step('a visitor who signs up becomes known: the slot shows personalised content', async () => {
    await page.fill('#email', 'ann@example.com');
    await page.fill('#firstname', 'Ann');
    await page.click('#send');
    await page.waitForURL(/home/);
    await until('ann to be ingested', () => {
      const t = JSON.parse(magpie('tracking', 'events', '--email', 'ann@example.com', '--json', '--limit', '50'));
      annID = t.contact && t.contact.id;
      return t.events.some(e => e.type === 'form.submitted');
    });
    await until('personalised slot', async () => {
      await page.goto(`${siteURL}/home.html`);
      return page.waitForSelector('#dwc-known', { timeout: 3000 });
    }, 15000);
    assert.equal(await page.locator('#dwc-known').innerText(), 'Welcome back, Ann!');
    await shot(page, 'tracker-dwc-known.png');
  });

  await step('"Request dynamic content" campaign decision: the slot request fires it and the campaign answers', async () => {
    // Saved while the tracker runs (another process): its decision index notices within 5 s.
    const offer = saveJSON('dwc', { name: 'Spring offer', slot: 'hero-offer', published: true,
      defaultContent: '<p id="dwc-offer">{contactfield=firstname}, 20 % off today only</p>' });
    const file = writeTmp(JSON.stringify({ format: 'magpie.campaign/1', name: 'Hero offer', graph: { sources: [{ id: 's1', type: 'segment', ids: [seg.id] }], events: [
      { id: 'ask', name: 'Asks for the hero', kind: 'decision', type: 'dwc.request', parent: null, path: '', trigger: { mode: 'immediate' },
        props: { slot: 'hero' } },
      { id: 'push', name: 'Show the offer', kind: 'action', type: 'dwc.push', parent: 'ask', path: 'yes', trigger: { mode: 'immediate' },
        props: { slot: 'hero', dwc: offer.id } },
    ] } }));
    const camp = JSON.parse(magpie('campaigns', 'import', file, '--json'));
    magpie('campaigns', 'publish', camp.id);
    magpie('campaigns', 'add', camp.id, annID);
    magpie('campaigns', 'run', '--once');
    const stats = () => JSON.parse(magpie('campaigns', 'show', camp.id, '--json')).stats;
    assert.equal(stats().ask?.waiting, 1, 'the decision waits for Ann');
    await until('the campaign content in the slot', async () => {
      await page.goto(`${siteURL}/home.html`);
      return page.waitForSelector('#dwc-offer', { timeout: 2000 });
    }, 15000);
    assert.equal(await page.locator('#dwc-offer').innerText(), 'Ann, 20 % off today only');
    await shot(page, 'tracker-dwc-campaign.png');
    await until('dwc.requested ingested and the decision taken', () => {
      const t = JSON.parse(magpie('tracking', 'events', '--email', 'ann@example.com', '--json', '--limit', '100'));
      return t.events.some(e => e.type === 'dwc.requested' && e.objectId === 'hero') && stats().ask?.done === 1;
    });
    magpie('campaigns', 'run', '--once');
    assert.equal(stats().push?.done, 1, 'the yes path pushed the offer');
    // From now on the stored push answers, with no decision waiting (nothing more recorded).
    await page.goto(`${siteURL}/home.html`);
    await page.waitForSelector('#dwc-offer', { timeout: 8000 });
  });

  await step('focus views are counted for the visitor (kept through the merge into the known contact)', async () => {
    await until('a focus.viewed event on ann', () => {
      const t = JSON.parse(magpie('tracking', 'events', '--email', 'ann@example.com', '--json', '--limit', '100'));
      return t.events.some(e => e.type === 'focus.viewed');
    });
  });

  await step('a new browser is an unknown visitor again', async () => {
    const anon = await browser.newContext({ userAgent: UA, viewport: { width: 1100, height: 700 } });
    const p2 = await anon.newPage();
    await p2.goto(`${siteURL}/home.html`);
    await p2.waitForSelector('#dwc-default', { timeout: 8000 });
    await shot(p2, 'tracker-dwc-unknown.png');
    await anon.close();
  });

  await step('scroll-triggered modal appears only past 50 % of the page, once per session', async () => {
    await page.goto(`${siteURL}/long.html`);
    await page.waitForTimeout(1200);
    assert.equal(await focusBox(page, '.mf'), null, 'not shown before scrolling');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight * 0.3));
    await page.waitForTimeout(600);
    assert.equal(await focusBox(page, '.mf'), null, 'not shown at 30 %');
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const box = await until('modal', () => focusBox(page, '.mf-headline'));
    assert.equal(box.text, 'Enjoying the read?');
    await shot(page, 'tracker-focus-modal.png');
    // Once per session: a reload does not show it again.
    await page.reload();
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(1500);
    assert.equal(await focusBox(page, '.mf'), null, 'session cap');
  });

  await step('exit-intent modal appears only when the pointer leaves through the top of the window', async () => {
    await page.goto(`${siteURL}/pricing.html`);
    await page.waitForTimeout(1200);
    await page.mouse.move(400, 300);
    await page.mouse.move(400, 120);
    assert.equal(await focusBox(page, '.mf'), null, 'not shown while the pointer stays in the page');
    // What a browser sends when the pointer leaves the window by its top edge (to the tabs).
    await page.evaluate(() => document.dispatchEvent(new MouseEvent('mouseout', { clientX: 400, clientY: 0, relatedTarget: null, bubbles: true })));
    const box = await until('exit modal', () => focusBox(page, '.mf-headline'));
    assert.equal(box.text, 'Wait, a discount!');
    await shot(page, 'tracker-focus-exit.png');
  });

  await step('a form focus item embeds the real form inside its shadow root', async () => {
    await page.goto(`${siteURL}/news.html`);
    const got = await until('embedded form', () => page.evaluate(() => {
      const host = document.querySelector('[data-magpie-focus-host]');
      const f = host && host.shadowRoot && host.shadowRoot.querySelector('form');
      return f ? { action: f.getAttribute('action'), email: !!f.querySelector('input[type="email"]'), light: !!document.querySelector('.magpie-form-embed') } : null;
    }));
    assert.match(got.action, /\/form\/submit/);
    assert.ok(got.email, 'the email field is there');
    assert.equal(got.light, false, 'the form lives in the shadow root only');
    await shot(page, 'tracker-focus-form.png');
  });

  await step('landing page served by the tracker: tokens, SEO, CSP, tracking script, DWC, hit counted', async () => {
    const r = await page.goto(`${tracker}/p/spring`);
    assert.equal(r.status(), 200);
    const h = r.headers();
    assert.match(h['content-security-policy'], /script-src 'self';/);
    assert.equal(await page.title(), 'Spring sale — 20 % off', 'the stored script was removed (title not changed)');
    assert.equal(await page.locator('#greet').innerText(), 'Hello Ann!');
    assert.equal(await page.locator('script[src$="/mtc.js"]').count(), 1);
    assert.equal(await page.getAttribute('meta[name="description"]', 'content'), 'Our spring offer');
    assert.equal(await page.getAttribute('meta[property="og:image"]', 'content'), 'https://example.com/spring.png');
    // {dwc=hero}: the content the campaign pushed to Ann (it wins over the slot's filters).
    await page.waitForSelector('#dwc-offer', { timeout: 8000 });
    await shot(page, 'tracker-landing-page.png');
    await until('page hit counted', () => {
      const list = JSON.parse(magpie('pages', 'list', '--json'));
      const p = list.find(x => x.id === landing.id);
      return p && p.hits >= 1 && p.uniqueHits === 1;
    });
    const t = JSON.parse(magpie('tracking', 'events', '--email', 'ann@example.com', '--json', '--limit', '100'));
    assert.ok(t.events.some(e => e.type === 'page.hit' && e.objectId === landing.id), 'page.hit names the landing page');
  });

  await step('preference center at the unsubscribe link saves segments and channels', async () => {
    const unsub = magpie('tracking', 'link', 'unsubscribe', '--contact', annID, '--email', 'e-1', '--address', 'ann@example.com', '--public-url', tracker).trim();
    await page.goto(unsub);
    await page.waitForSelector('form.magpie-prefs');
    assert.equal(await page.locator('h1').innerText(), 'Hi Ann');
    await page.check(`input[name="segment"][value="${seg.id}"]`);
    await page.uncheck('#channel-email');
    await page.click('#prefs-save');
    await page.waitForSelector('#prefs-message');
    await shot(page, 'tracker-preference-center.png');
    await until('membership and DNC applied', () => {
      const t = JSON.parse(magpie('tracking', 'events', '--email', 'ann@example.com', '--json', '--limit', '200'));
      return t.events.some(e => e.type === 'segment.added') && t.events.some(e => e.type === 'dnc.added');
    });
    // Tampered token: refused.
    const r = await page.goto(`${tracker}/prefs/AAAA${prefsPage.id}`);
    assert.equal(r.status(), 403);
  });

  await step('no script errors on the site pages', async () => { assert.deepEqual(errors, []); });
} finally {
  await browser.close();
  proc.kill('SIGTERM');
  await new Promise(r => proc.on('exit', r));
  site.close();
  if (failed) { console.log('--- tracker log ---\n' + trackerLog.split('\n').slice(-30).join('\n')); }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
