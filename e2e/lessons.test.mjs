// Lessons on the page, in headless Chromium (run by scripts/test.sh: node --test e2e/):
// every lesson plays to its end in English and in Korean with each step's condition met; a deep
// link opens the right step; the string tables have the same keys in both languages and hold
// every key the page uses; axe-core finds no serious or critical violation on the page or in a
// lesson, in either language; and the new user's tour of issue 14 ("Done when"), with
// screenshots in target/e2e/ (lesson-<id>-<lang>.png, tour-*.png).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve, launch, ARTEFACTS, ROOT } from './lib.mjs';

const LANGS = ['en', 'ko'];
const AXE = path.join(ROOT, '.tools', 'node_modules', 'axe-core', 'axe.min.js');
const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'lessons', 'index.json'), 'utf8')).lessons;
const lessonOf = (id) => JSON.parse(fs.readFileSync(path.join(ROOT, 'lessons', `${id}.json`), 'utf8'));

let srv, browser;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

async function open(url, { reducedMotion = 'reduce', bypassCSP = false } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion, bypassCSP });
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.lessonsReady, null, { timeout: 30000 });
  return { page, ctx, problems };
}

const shot = (page, name) => page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
const lessonState = (page) => page.evaluate(() => {
  const l = window.__app.lessons;
  return { id: l.lesson?.id ?? null, step: l.step, phase: l.phase, offPath: l.offPath, text: document.querySelector('.lesson-text')?.textContent,
    status: document.querySelector('.lesson-status')?.textContent, hash: window.__app.sb.traceHash() };
});
/** Skip the current wait, if one is running (the Skip button shows only then). */
async function skip(page) {
  // In one task: the wait may end on its own between a visibility check and a click.
  await page.evaluate(() => { const b = document.querySelector('.lesson-skip'); if (b && !b.hidden) b.click(); });
}
const waitPhase = (page, phases = ['done', 'timeout'], timeout = 60000) =>
  page.waitForFunction((ps) => ps.includes(window.__app.lessons.phase), phases, { timeout });

// ------------------------------------------------------------------ the string tables

function tables(lang) {
  const dir = path.join(ROOT, 'www', 'i18n');
  const out = new Map();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(`.${lang}.json`))) {
    out.set(f.slice(0, -`.${lang}.json`.length), JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  }
  return out;
}

function sources(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !['pkg', 'i18n', 'lessons'].includes(e.name)) out.push(...sources(p));
    else if (/\.(js|html)$/.test(e.name)) out.push(p);
  }
  return out;
}

test('every string key exists in English and Korean, and every key the page uses exists', () => {
  const en = tables('en'), ko = tables('ko');
  const problems = [];
  for (const area of new Set([...en.keys(), ...ko.keys()])) {
    const a = en.get(area) || {}, b = ko.get(area) || {};
    for (const k of Object.keys(a)) if (!(k in b) || !String(b[k]).trim()) problems.push(`${area}.ko.json lacks ${k}`);
    for (const k of Object.keys(b)) if (!(k in a) || !String(a[k]).trim()) problems.push(`${area}.en.json lacks ${k}`);
    for (const k of Object.keys(a)) if (!k.startsWith(`${area}.`)) problems.push(`${area}.en.json: key ${k} is outside its area`);
  }
  const all = new Set([...en.values()].flatMap((t) => Object.keys(t)));
  const areas = [...en.keys()].join('|');
  // t('area.key'), data-i18n="area.key", and key literals handed to t() later ('lessons.next').
  const used = new RegExp(`['"\`]((?:${areas})\\.[a-z0-9][a-z0-9._-]*[a-z0-9])['"\`]`, 'g');
  for (const f of sources(path.join(ROOT, 'www'))) {
    // Comments may show usage examples; only code counts.
    const text = fs.readFileSync(f, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
    for (const m of text.matchAll(used)) {
      if (/\.(js|json|css|html|png|wasm)$/.test(m[1])) continue; // file names, not keys
      if (!all.has(m[1])) problems.push(`${path.relative(ROOT, f)} uses ${m[1]}, which no www/i18n/*.en.json has`);
    }
  }
  assert.deepEqual(problems, []);
});

// ------------------------------------------------------------------ every lesson, both languages

for (const id of index) {
  test(`lesson ${id} plays to its end in English and Korean with each step's condition met`, async () => {
    const l = lessonOf(id);
    for (const lang of LANGS) {
      const { page, ctx, problems } = await open(`${srv.url}?lesson=${id}&step=1&lang=${lang}`);
      const shotAt = Math.min(l.steps.length - 1, Math.floor(l.steps.length / 2));
      for (let i = 0; i < l.steps.length; i++) {
        await waitPhase(page);
        const s = await lessonState(page);
        assert.equal(s.id, id);
        assert.equal(s.step, i, `${id} ${lang}: on step ${i + 1}`);
        assert.equal(s.phase, 'done', `${id} ${lang} step ${i + 1}: ${s.status}`);
        assert.equal(s.text, l.steps[i].text[lang], `${id} step ${i + 1} narrated in ${lang}`);
        if (i === shotAt) { await page.waitForTimeout(150); await shot(page, `lesson-${id}-${lang}`); }
        await page.click('.lesson-next');
      }
      await page.waitForFunction(() => !window.__app.lessons.lesson);
      assert.deepEqual(problems, []);
      await ctx.close();
    }
  });
}

test('a deep link opens the right step in the state the steps before it leave', async () => {
  const id = index.includes('zk-election') ? 'zk-election' : index[0];
  const l = lessonOf(id);
  const n = Math.min(3, l.steps.length);
  const { page, ctx, problems } = await open(`${srv.url}?lesson=${id}&step=${n}&lang=ko`);
  await waitPhase(page);
  const s = await lessonState(page);
  assert.equal(s.step, n - 1);
  assert.equal(await page.textContent('.lesson-step-title'), l.steps[n - 1].title.ko);
  assert.match(await page.textContent('.lesson-step'), new RegExp(`${l.steps.length}단계 중 ${n}단계`));
  // The same state as playing the steps one by one: compare trace hashes.
  const direct = await open(`${srv.url}?lesson=${id}&step=1&lang=ko`);
  for (let i = 1; i < n; i++) { await waitPhase(direct.page); await direct.page.click('.lesson-next'); }
  await waitPhase(direct.page);
  assert.equal((await lessonState(direct.page)).hash, s.hash);
  await direct.ctx.close();
  const bad = await open(`${srv.url}?lesson=no-such-lesson`);
  assert.match(await bad.page.textContent('#errors'), /no-such-lesson/);
  await bad.ctx.close();
  assert.deepEqual(problems, []);
  await ctx.close();
});

// ------------------------------------------------------------------ accessibility

async function axeCheck(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}

test('axe-core finds no serious or critical violation on the page or in a lesson, in either language', async () => {
  const found = [];
  for (const lang of LANGS) {
    for (const q of [`?seed=1&paused=1&lang=${lang}`, `?lesson=${index[0]}&step=2&lang=${lang}`]) {
      const { page, ctx } = await open(`${srv.url}${q}`, { bypassCSP: true });
      if (q.includes('lesson')) await waitPhase(page);
      else { await page.click('.lessons-open'); }
      await page.waitForTimeout(200);
      for (const v of await axeCheck(page)) found.push(`${q}: ${v}`);
      await ctx.close();
    }
  }
  assert.deepEqual(found, []);
});

// ------------------------------------------------------------------ the new user's tour

test('a new user picks the seed lesson, steps, goes back, leaves the path, resumes, and follows the votes', async () => {
  for (const lang of ['ko', 'en']) {
    const { page, ctx, problems } = await open(`${srv.url}?lang=${lang}&seed=7`, { reducedMotion: 'no-preference' });
    await page.click('.lessons-open');
    await shot(page, `tour-${lang}-1-contents`);
    await page.click('.lessons-list a[data-lesson="seed-walkthrough"]');
    await page.waitForFunction(() => window.__app.lessons.lesson?.id === 'seed-walkthrough');
    // Step through the first steps (skipping the waits), then go back one.
    for (let i = 0; i < 3; i++) {
      await page.waitForFunction(() => ['done', 'waiting'].includes(window.__app.lessons.phase));
      await skip(page);
      await waitPhase(page);
      await page.click('.lesson-next');
    }
    await page.waitForFunction(() => window.__app.lessons.step === 3);
    await skip(page);
    await waitPhase(page);
    await shot(page, `tour-${lang}-2-step4`);
    await page.click('.lesson-prev');
    await page.waitForFunction(() => window.__app.lessons.step === 2);
    await skip(page);
    await waitPhase(page);
    const back = await lessonState(page);
    assert.equal(back.phase, 'done');
    await shot(page, `tour-${lang}-3-back`);
    // Leave the path: kill broker 2 by click; the panel offers Resume.
    await page.click('.node[data-node="b2"]');
    await page.click('#nodeactions [data-action=kill]');
    await page.waitForFunction(() => window.__app.lessons.offPath, null, { timeout: 5000 });
    assert.ok(await page.isVisible('.lesson-resume'));
    await shot(page, `tour-${lang}-4-off-path`);
    await page.click('.lesson-resume');
    await page.waitForFunction(() => !window.__app.lessons.offPath && window.__app.lessons.phase === 'done');
    const resumed = await lessonState(page);
    assert.equal(resumed.step, 2);
    assert.equal(resumed.hash, back.hash, 'resume returns to where the step stood');
    assert.equal(await page.getAttribute('.node[data-node="b2"]', 'data-life'), 'up', 'b2 runs again after Resume');
    // The election lesson: the votes, round by round.
    await page.click('.lesson-close');
    await page.click('.lessons-open');
    await page.click('.lessons-list a[data-lesson="zk-election"]');
    await page.waitForFunction(() => window.__app.lessons.lesson?.id === 'zk-election' && window.__app.lessons.phase === 'done');
    const cards = await page.$$eval('.pic-election', (e) => e.map((x) => x.textContent));
    assert.ok(cards.length >= 1, 'LOOKING servers show their votes');
    assert.match(cards.join('\n'), /sid \d/);
    await shot(page, `tour-${lang}-5-votes`);
    await page.click('.lesson-next');
    await waitPhase(page);
    await shot(page, `tour-${lang}-6-elected`);
    assert.deepEqual(problems, []);
    await ctx.close();
  }
});
