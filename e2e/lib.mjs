// Shared helpers for the browser tests and the benchmark: a static server for www/ (started
// here, on a free localhost port, and stopped at the end) and Debian's Chromium driven by
// playwright-core (`npx playwright install` cannot download browsers on this machine kind).

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..');
const require = createRequire(path.join(ROOT, '.tools', 'package.json'));
const { chromium } = require('playwright-core');

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png' };

/** Serve www/ on 127.0.0.1 (port 0 = any free port). Resolves to {url, close}. */
export function serve(port = 0) {
  const www = path.join(ROOT, 'www');
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    let p = path.normalize(decodeURIComponent(u.pathname)).replace(/^(\.\.[/\\])+/, '');
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(www, p);
    if (!file.startsWith(www)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
  }));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A page that records console errors, page errors and dialogs (alert() must never fire). */
export async function openPage(browser, url, viewport = { width: 1280, height: 800 }, locale = 'en-US') {
  // The browser's language picks the page's language when the URL has no ?lang=: fixed here, so
  // the tests read the same words on any machine.
  const page = await browser.newPage({ viewport, locale });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 20000 });
  // The page's words: the string tables normally arrive before the wasm module, but on a loaded
  // machine the first frame is drawn without them and relabelled when they come.
  await page.waitForFunction(() => document.body.dataset.ready === 'error' || performance.getEntriesByName('i18n-ready').length > 0, null, { timeout: 20000 });
  return { page, problems };
}

export const ARTEFACTS = path.join(ROOT, 'target', 'e2e');
fs.mkdirSync(ARTEFACTS, { recursive: true });
