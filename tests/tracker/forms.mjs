// Real-browser test of forms and assets served by `magpie tracker` (issue 9). A static site
// page embeds a form with the tracker's script tag; a visitor fills it in Chromium with
// JavaScript (inline validation, AJAX submit, no reload) and another without JavaScript
// (plain POST, server-rendered errors and message page). The visitor becomes a known contact
// with the submitted fields, is added to the segment the form's action names, the form's
// email reaches a loopback SMTP sink, and a gated asset downloads after its form is filled.
// Usage: BIN=/path/to/magpie node forms.mjs   (screenshots in out/ and, with SHOTS_DIR, there)
import { chromium } from 'playwright-core';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import { createServer } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const BIN = process.env.BIN;
if (!BIN) { console.error('BIN=/path/to/magpie is required'); process.exit(2); }
const OUT = process.env.SHOTS_DIR || path.join(path.dirname(new URL(import.meta.url).pathname), 'out');
fs.mkdirSync(OUT, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'magpie-forms-'));
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let passed = 0, failed = 0;
async function step(name, fn) {
  try { await fn(); passed++; console.log(`ok   ${name}`); }
  catch (e) { failed++; console.log(`FAIL ${name}\n     ${e.stack || e}`); }
}
const magpie = (...args) => execFileSync(BIN, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
const mjson = (...args) => JSON.parse(magpie(...args, '--json'));
async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? ': ' + last.message : ''}`);
}
const freePort = () => new Promise(res => { const s = http.createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

// --- a loopback SMTP sink ---------------------------------------------------------------------
const received = [];
const sink = createServer((sock) => {
  let data = false, buf = '', msg = '';
  sock.write('220 sink ESMTP\r\n');
  sock.on('data', (chunk) => {
    buf += chunk.toString('utf8');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i); buf = buf.slice(i + 2);
      if (data) {
        if (line === '.') { data = false; received.push(msg); msg = ''; sock.write('250 queued\r\n'); } else msg += `${line}\n`;
        continue;
      }
      const cmd = line.slice(0, 4).toUpperCase();
      if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250-sink\r\n250 8BITMIME\r\n');
      else if (cmd === 'DATA') { data = true; sock.write('354 go ahead\r\n'); }
      else if (cmd === 'QUIT') { sock.write('221 bye\r\n'); sock.end(); }
      else sock.write('250 ok\r\n');
    }
  });
  sock.on('error', () => {});
});
await new Promise(r => sink.listen(0, '127.0.0.1', r));

// --- definitions, made with the CLI -------------------------------------------------------------
const trackerPort = await freePort();
const tracker = `http://127.0.0.1:${trackerPort}`;
const tmp = (name, body) => { const p = path.join(dataDir, name); fs.writeFileSync(p, body); return p; };
const seg = mjson('segments', 'create', '--name', 'Newsletter', '--alias', 'newsletter', '--filters', tmp('f.json', '[]'));
const emailID = magpie('emails', 'import-html', tmp('w.html', '<html><body><p>Hello {contactfield=firstname}, welcome.</p></body></html>'),
  '--name', 'Welcome', '--subject', 'Welcome {contactfield=firstname}').trim().split(/\s+/)[0];
magpie('emails', 'settings', '--smtp-host', '127.0.0.1', '--smtp-port', String(sink.address().port), '--tls', 'none',
  '--from', 'news@magpie.test', '--tracker-url', tracker);
const form = mjson('forms', 'save', tmp('form.json', JSON.stringify({
  name: 'Newsletter signup', published: true, minSeconds: 1, submitLabel: 'Sign up',
  fields: [
    { alias: 'email', label: 'Email', type: 'email', mapTo: 'contact.email', required: true },
    { alias: 'first', label: 'First name', type: 'text', mapTo: 'contact.firstname', required: true },
    { alias: 'topic', label: 'Topic', type: 'select', options: [{ value: 'sales', label: 'Sales' }, { value: 'support', label: 'Support' }] },
    { alias: 'order', label: 'Order number', type: 'text', required: true, showIf: { field: 'topic', values: ['support'] } },
    { alias: 'website', label: 'Leave this empty', type: 'captcha' },
  ],
  actions: [
    { type: 'tags', add: ['newsletter'] },
    { type: 'segments', add: [seg.id] },
    { type: 'email.contact', emailId: emailID },
    { type: 'message', message: 'Thanks, you are on the list!' },
  ],
})));
const gate = mjson('forms', 'save', tmp('gate.json', JSON.stringify({
  name: 'Download the white paper', published: true, minSeconds: 0, submitLabel: 'Download',
  fields: [{ alias: 'email', label: 'Work email', type: 'email', mapTo: 'contact.email', required: true }],
  actions: [{ type: 'tags', add: ['white-paper'] }],
})));
const apply = mjson('forms', 'save', tmp('apply.json', JSON.stringify({
  name: 'Job application', published: true, minSeconds: 0, submitLabel: 'Apply',
  fields: [
    { alias: 'email', label: 'Email', type: 'email', mapTo: 'contact.email', required: true },
    { alias: 'cv', label: 'CV (PDF)', type: 'file', accept: 'pdf', required: true },
  ],
  actions: [{ type: 'message', message: 'Application received.' }],
})));
const cvPdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(40 * 1024, 'cv ')]);
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(600 * 1024, 'magpie ')]);
const asset = mjson('assets', 'upload', tmp('paper.pdf', pdf), '--title', 'White paper', '--gate-form', gate.id);

// --- the site: another origin embedding the form with the tracker's script tag -------------
const site = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  if (u.pathname === '/signup.html') return res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Sign up</title>
<style>body{font:16px system-ui;max-width:640px;margin:24px auto}</style></head><body><h1>Our newsletter</h1>
<p>Site text above the form.</p><script src="${tracker}/form/${form.id}.js"></script><p id="after">Site text below.</p></body></html>`);
  res.statusCode = 404; res.end('not found');
});
await new Promise(r => site.listen(0, 'localhost', r));
const siteURL = `http://localhost:${site.address().port}`;

const proc = spawn(BIN, ['--data-dir', dataDir, 'tracker', '--addr', `127.0.0.1:${trackerPort}`, '--public-url', tracker,
  '--allowed-origins', siteURL, '--rate-limit', '0', '--form-rate-limit', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
let trackerLog = '';
proc.stderr.on('data', d => { trackerLog += d; });
await until('tracker to listen', async () => (await fetch(`${tracker}/health`)).ok);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
const contact = (email) => { try { return mjson('contacts', 'get', '--email', email); } catch { return null; } };

try {
  const ctx = await browser.newContext({ userAgent: UA, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });

  await step('the script embed writes the form into the site page', async () => {
    await page.goto(`${siteURL}/signup.html`);
    await page.waitForSelector('form[data-magpie-bound]');
    assert.equal(await page.locator('#after').count(), 1);
    assert.equal(await page.isVisible('[data-alias="order"]'), false, 'the conditional field starts hidden');
    await page.selectOption('select[name="mauticform[topic]"]', 'support');
    assert.equal(await page.isVisible('[data-alias="order"]'), true, 'the conditional field shows for "support"');
    await page.selectOption('select[name="mauticform[topic]"]', 'sales');
    await page.screenshot({ path: path.join(OUT, 'forms-embed.png'), fullPage: true });
  });

  await step('inline validation: errors next to the fields, nothing sent', async () => {
    let posts = 0;
    page.on('request', r => { if (r.method() === 'POST' && r.url().includes('/form/submit')) posts++; });
    await page.fill('input[name="mauticform[email]"]', 'not-an-email');
    await page.click('.mf-submit');
    await page.waitForSelector('[data-alias="email"] .mf-error:not([hidden])');
    assert.ok(await page.isVisible('[data-alias="first"] .mf-error'), 'the empty required field is flagged');
    assert.equal(posts, 0);
    await page.screenshot({ path: path.join(OUT, 'forms-inline-errors.png'), fullPage: true });
  });

  await step('AJAX submit without reload: the visitor becomes a known contact', async () => {
    await page.evaluate(() => { window.__sameDocument = true; });
    await page.fill('input[name="mauticform[email]"]', 'ann@example.com');
    await page.fill('input[name="mauticform[first]"]', 'Ann');
    await page.waitForTimeout(1100); // the form's minimum time to submit
    await page.click('.mf-submit');
    await page.waitForSelector('text=Thanks, you are on the list!');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    await page.screenshot({ path: path.join(OUT, 'forms-ajax-done.png'), fullPage: true });
    const c = await until('ann to be a contact', () => contact('ann@example.com'));
    assert.equal(c.firstname, 'Ann');
  });

  await step('the form action added her to the segment and tagged her', async () => {
    await until('segment membership', () => magpie('segments', 'members', 'newsletter').includes('ann@example.com'));
    const c = contact('ann@example.com');
    assert.ok(JSON.stringify(c).includes('newsletter'), `tags of ${JSON.stringify(c)}`);
  });

  await step("the form's email reaches the SMTP server", async () => {
    // Asynchronously: the SMTP sink runs in this process.
    const run = promisify(execFile);
    await until('the email to be sent', async () => {
      await run(BIN, ['--data-dir', dataDir, 'emails', 'drain']).catch(() => {});
      return received.some(m => m.includes('ann@example.com'));
    });
    const m = received.find(x => x.includes('ann@example.com'));
    assert.match(m, /Subject: Welcome Ann/);
    assert.match(m, /Hello Ann, welcome/);
  });

  await step('without JavaScript: plain POST, server-side errors, then the message page', async () => {
    const nojs = await browser.newContext({ userAgent: UA, javaScriptEnabled: false });
    const p = await nojs.newPage();
    const resp = await p.goto(`${tracker}/form/${form.id}`);
    assert.match(resp.headers()['content-security-policy'] || '', /script-src 'self'/);
    // The browser's own checks (required, type=email) pass; the server's stricter ones do not.
    await p.fill('input[name="mauticform[email]"]', 'bob@localhost');
    await p.fill('input[name="mauticform[first]"]', '<script>alert(1)</script>');
    await p.selectOption('select[name="mauticform[topic]"]', 'support');
    await p.fill('input[name="mauticform[order]"]', 'A-1001');
    await new Promise(r => setTimeout(r, 1100));
    await p.click('.mf-submit');
    await p.waitForSelector('.mf-has-error');
    assert.match(await p.textContent('[data-alias="email"] .mf-error'), /not a valid email/);
    assert.equal(await p.inputValue('input[name="mauticform[first]"]'), '<script>alert(1)</script>', 'values are kept, escaped');
    await p.screenshot({ path: path.join(OUT, 'forms-nojs-errors.png'), fullPage: true });
    await p.fill('input[name="mauticform[email]"]', 'bob@example.com');
    await p.fill('input[name="mauticform[first]"]', 'Bob');
    await new Promise(r => setTimeout(r, 1100));
    await p.click('.mf-submit');
    await p.waitForSelector('#mf-done');
    assert.equal(await p.textContent('#mf-done'), 'Thanks, you are on the list!');
    await p.screenshot({ path: path.join(OUT, 'forms-nojs-done.png'), fullPage: true });
    const c = await until('bob to be a contact', () => contact('bob@example.com'));
    assert.equal(c.firstname, 'Bob');
    const res = mjson('forms', 'results', form.id);
    assert.equal(res.total, 2);
    assert.ok(res.rows.some(r => r.values.order === 'A-1001'));
    await nojs.close();
  });

  await step('a gated asset shows its form, then downloads', async () => {
    await page.goto(`${tracker}/asset/${asset.slug}`);
    await page.waitForSelector('form[data-magpie-bound]');
    await page.screenshot({ path: path.join(OUT, 'forms-gate.png'), fullPage: true });
    await page.fill('input[name="mauticform[email]"]', 'ann@example.com');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('.mf-submit')]);
    const file = path.join(dataDir, 'downloaded.pdf');
    await dl.saveAs(file);
    assert.ok(fs.readFileSync(file).equals(pdf), 'the downloaded file is the uploaded one');
    await until('the download to be counted', () => mjson('assets', 'get', asset.id).downloads === 1);
    assert.ok(JSON.stringify(contact('ann@example.com')).includes('white-paper'));
  });

  await step('file upload: checked, stored with the result, in both AJAX and plain posts', async () => {
    const fake = tmp('fake.pdf', Buffer.from('MZ\x90\x00 not a pdf'));
    const good = tmp('cv.pdf', cvPdf);
    await page.goto(`${tracker}/form/${apply.id}`);
    await page.waitForSelector('form[data-magpie-bound]');
    assert.equal(await page.getAttribute('input[name="mauticform[cv]"]', 'accept'), '.pdf');
    await page.fill('input[name="mauticform[email]"]', 'cleo@example.com');
    await page.setInputFiles('input[name="mauticform[cv]"]', fake);
    await page.click('.mf-submit');
    await page.waitForSelector('[data-alias="cv"] .mf-error:not([hidden])');
    assert.match(await page.textContent('[data-alias="cv"] .mf-error'), /not really a \.pdf/);
    await page.setInputFiles('input[name="mauticform[cv]"]', good);
    await page.click('.mf-submit');
    await page.waitForSelector('text=Application received.');
    await page.screenshot({ path: path.join(OUT, 'forms-upload-done.png'), fullPage: true });
    const nojs = await browser.newContext({ userAgent: UA, javaScriptEnabled: false });
    const p = await nojs.newPage();
    await p.goto(`${tracker}/form/${apply.id}`);
    await p.fill('input[name="mauticform[email]"]', 'dan@example.com');
    await p.setInputFiles('input[name="mauticform[cv]"]', good);
    await p.click('.mf-submit');
    await p.waitForSelector('#mf-done');
    await nojs.close();
    const res = await until('both results with their files', () => {
      const r = mjson('forms', 'results', apply.id);
      return r.total === 2 && r.rows.every(x => x.files.length === 1) ? r : null;
    });
    for (const row of res.rows) {
      assert.equal(row.files[0].name, 'cv.pdf');
      assert.equal(row.files[0].size, cvPdf.length);
      assert.equal(row.files[0].mime, 'application/pdf');
    }
  });

  await step('no page errors', async () => { assert.deepEqual(errors.filter(e => !e.includes('status of 404') && !e.includes('status of 422')), []); }); // 404: favicon; 422: the refused fake PDF
} finally {
  await browser.close();
  proc.kill('SIGTERM');
  await new Promise(r => proc.on('exit', r));
  site.close(); sink.close();
  if (failed) console.log(trackerLog.split('\n').slice(-30).join('\n'));
  console.log(`${passed} passed, ${failed} failed`);
  if (!failed) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}
