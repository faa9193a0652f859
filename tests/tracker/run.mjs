// Real-browser test of `magpie tracker`: a site page embedding Mautic's standard tracking
// snippet (from Mautic's docs, pointed at the test tracker) is loaded in Chromium; the page
// hit must land on the right contact with URL, referrer and UTM; a form submit identifies the
// visitor and merges a second anonymous device into the known contact; a signed email open
// pixel and click redirect are recorded. Usage: BIN=/path/to/magpie node run.mjs
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const BIN = process.env.BIN;
if (!BIN) { console.error('BIN=/path/to/magpie is required'); process.exit(2); }
const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), 'out');
fs.mkdirSync(OUT, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'magpie-tracker-'));
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let passed = 0, failed = 0;
async function step(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}\n     ${e.stack || e}`); }
}

function magpie(...args) {
  return execFileSync(BIN, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
}

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await new Promise(r => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}

function freePort() {
  return new Promise(res => { const s = http.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

// --- the site: another origin serving pages with Mautic's standard snippet ---------------
const trackerPort = await freePort();
const tracker = `http://127.0.0.1:${trackerPort}`;
const snippet = `<script>
    (function(w,d,t,u,n,a,m){w['MauticTrackingObject']=n;
        w[n]=w[n]||function(){(w[n].q=w[n].q||[]).push(arguments)},a=d.createElement(t),
        m=d.getElementsByTagName(t)[0];a.async=1;a.src=u;m.parentNode.insertBefore(a,m)
    })(window,document,'script','${tracker}/mtc.js','mt');

    mt('send', 'pageview');
</script>`;
const site = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const page = (title, body) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>${body}${snippet}</body></html>`;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (u.pathname === '/start.html') return res.end(page('Start', '<a id="go" href="/landing.html?utm_source=newsletter&utm_medium=email&utm_campaign=spring">Spring sale</a>'));
  if (u.pathname === '/landing.html') return res.end(page('Spring sale', `
<form id="signup" method="post" action="${tracker}/form/submit">
  <input type="hidden" name="mauticform[formId]" value="1">
  <input type="hidden" name="mauticform[return]" value="${siteURL}/thanks.html">
  <label>Email <input name="mauticform[email]" id="email"></label>
  <label>First name <input name="mauticform[firstname]" id="firstname"></label>
  <button id="send" type="submit">Sign up</button>
</form>`));
  if (u.pathname === '/thanks.html') return res.end(page('Thanks', '<p id="done">Thanks!</p>'));
  res.statusCode = 404; res.end('not found');
});
await new Promise(r => site.listen(0, 'localhost', r));
const siteURL = `http://localhost:${site.address().port}`;

// --- the tracker ----------------------------------------------------------------------------
const proc = spawn(BIN, ['--data-dir', dataDir, 'tracker', '--addr', `127.0.0.1:${trackerPort}`, '--public-url', tracker,
  '--allowed-origins', siteURL, '--rate-limit', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let trackerLog = '';
proc.stderr.on('data', d => { trackerLog += d; });
await until('tracker to listen', async () => (await fetch(`${tracker}/health`)).ok);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

function timeline(email) {
  return JSON.parse(magpie('tracking', 'events', '--email', email, '--json', '--limit', '500'));
}

let annID;
try {
  // Device 1: visit start page, click to the landing page (referrer + UTM), sign up.
  const ctx1 = await browser.newContext({ userAgent: UA });
  const page1 = await ctx1.newPage();
  const pageErrors = [];
  page1.on('pageerror', e => pageErrors.push(String(e)));

  await step('page view with the standard snippet is tracked', async () => {
    await page1.goto(`${siteURL}/start.html`);
    await until('device id in localStorage', () => page1.evaluate(() => localStorage.getItem('mautic_device_id')));
    await page1.click('#go');
    await page1.waitForURL(/landing/);
    await until('second page view answered', () => page1.evaluate(() => {
      const c = window.mt && window.mt.getTrackedContact && window.mt.getTrackedContact();
      return c && c.id ? c : null;
    }));
    await page1.screenshot({ path: path.join(OUT, 'landing.png') });
    assert.deepEqual(pageErrors, []);
  });

  await step('form submit identifies the visitor and keeps the page hits on the contact', async () => {
    await page1.fill('#email', 'ann@example.com');
    await page1.fill('#firstname', 'Ann');
    await page1.click('#send');
    await page1.waitForURL(/thanks/);
    const t = await until('ann to exist with her hits', () => {
      const t = timeline('ann@example.com');
      return t.events.filter(e => e.type === 'page.hit').length >= 2 && t.events.some(e => e.type === 'form.submitted') ? t : null;
    });
    annID = t.contact.id;
    assert.equal(t.contact.values.firstname, 'Ann');
    const landing = t.events.find(e => e.type === 'page.hit' && e.url.includes('/landing.html'));
    assert.ok(landing, 'landing page hit on ann');
    assert.equal(landing.url, `${siteURL}/landing.html?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
    assert.equal(landing.referrer, `${siteURL}/start.html`);
    assert.equal(landing.title, 'Spring sale');
    assert.equal(landing.utm.source, 'newsletter');
    assert.equal(landing.utm.medium, 'email');
    assert.equal(landing.utm.campaign, 'spring');
    assert.equal(landing.device.type, 'desktop');
    assert.equal(landing.device.os, 'Linux');
  });

  // Device 2: a new browser (another anonymous visitor) signs up with the same email: the
  // visitor is merged into Ann, who keeps her id.
  const ctx2 = await browser.newContext({ userAgent: UA });
  const page2 = await ctx2.newPage();
  await step('a second device is merged into the known contact on identification', async () => {
    await page2.goto(`${siteURL}/landing.html?utm_source=ads`);
    const dev2 = await until('device 2 id', () => page2.evaluate(() => localStorage.getItem('mautic_device_id')));
    await page2.fill('#email', 'ANN@example.com');
    await page2.click('#send');
    await page2.waitForURL(/thanks/);
    const t = await until('merge into ann', () => {
      const t = timeline('ann@example.com');
      return t.events.some(e => e.type === 'contact.merged') ? t : null;
    });
    assert.equal(t.contact.id, annID, 'the known contact keeps its id');
    assert.ok(t.events.some(e => e.type === 'page.hit' && e.url.includes('utm_source=ads')), 'device 2 page hit moved to ann');
    const hits = JSON.parse(magpie('tracking', 'hits', '--json', '--limit', '50'));
    assert.ok(hits.some(h => h.dev === dev2 && h.contactNow === annID), 'device 2 now belongs to ann');
  });

  await step('signed email open pixel and click redirect are recorded', async () => {
    const open = magpie('tracking', 'link', 'open', '--contact', annID, '--email', 'e-1', '--msg', 'm-1', '--public-url', tracker).trim();
    const dest = `${siteURL}/landing.html?utm_source=email-click`;
    const click = magpie('tracking', 'link', 'click', '--contact', annID, '--email', 'e-1', '--msg', 'm-1', '--url', dest, '--public-url', tracker).trim();
    const r = await page2.goto(open);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'image/gif');
    await page2.goto(click);
    assert.equal(page2.url(), dest, 'redirected to the signed destination');
    // A tampered click token is refused and does not redirect.
    const bad = click.slice(0, -4) + (click.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const rb = await page2.goto(bad);
    assert.equal(rb.status(), 403);
    const t = await until('open and click on ann', () => {
      const t = timeline('ann@example.com');
      return t.events.some(e => e.type === 'email.read') && t.events.some(e => e.type === 'email.clicked') ? t : null;
    });
    const read = t.events.find(e => e.type === 'email.read');
    const clicked = t.events.find(e => e.type === 'email.clicked');
    assert.equal(read.objectId, 'e-1');
    assert.equal(clicked.url, dest);
  });

  await step('unsubscribe page: button unsubscribes, resubscribe works', async () => {
    const unsub = magpie('tracking', 'link', 'unsubscribe', '--contact', annID, '--email', 'e-1', '--address', 'ann@example.com', '--public-url', tracker).trim();
    await page2.goto(unsub);
    await page2.click('#unsubscribe');
    await page2.waitForSelector('#resubscribe');
    await page2.screenshot({ path: path.join(OUT, 'unsubscribed.png') });
    await until('dnc on ann', () => timeline('ann@example.com').events.some(e => e.type === 'dnc.added'));
  });

  await step('tracker health reports every accepted hit stored', async () => {
    const h = await (await fetch(`${tracker}/health`)).json();
    assert.equal(h.status, 'ok');
    assert.ok(h.metrics.accepted >= 7, `accepted ${h.metrics.accepted}`);
    assert.equal(h.metrics.pending, 0);
  });
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
