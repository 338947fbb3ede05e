// The page in English and Korean, in Debian's Chromium: ?lang=, the browser's language, the
// en / 한국어 switch; the tools' output stays as the tools print it. Run by scripts/test.sh.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, openPage, ARTEFACTS } from './lib.mjs';

let srv, browser;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

const script = encodeURIComponent(['zk start 1', 'zk start 2', 'zk start 3', 'sleep 3s', 'echo srvr | nc localhost 2183 | grep Mode'].join('\n'));

/** The visible words of a few labelled places, and any element still showing its key. */
const words = (page) => page.evaluate(() => ({
  lang: document.documentElement.lang,
  title: document.title,
  step: document.getElementById('step').textContent,
  play: document.getElementById('play').textContent,
  tab: document.querySelector('[data-tab=events]').textContent,
  kill: document.querySelector('[data-action=kill]').textContent,
  placeholder: document.querySelector('.term-in').placeholder,
  footer: document.querySelector('footer').textContent,
  keysShown: [...document.querySelectorAll('[data-i18n]')].filter((e) => e.textContent === e.dataset.i18n).map((e) => e.dataset.i18n),
  term: document.querySelector('.term-out').textContent,
}));

test('?lang=ko shows the page in Korean and leaves the tools\' output as the tools print it', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?lang=ko&seed=1&paused=1&script=${script}`);
  const w = await words(page);
  assert.equal(w.lang, 'ko');
  assert.equal(w.title, '주키퍼 + 카프카 샌드박스');
  assert.equal(w.step, '한 단계');
  assert.equal(w.tab, '이벤트');
  assert.equal(w.kill, '강제 종료 (k)');
  assert.match(w.play, /재생|일시 정지/);
  assert.match(w.placeholder, /명령/);
  assert.deepEqual(w.keysShown, []);
  assert.match(w.term, /주키퍼 서버 3대/, 'the page\'s own line in the terminal is Korean');
  assert.match(w.term, /Mode: leader/, 'the tool output is not translated');
  assert.equal(await page.getAttribute('[data-lang=ko]', 'aria-pressed'), 'true');
  await page.screenshot({ path: path.join(ARTEFACTS, 'page-ko.png') });
  assert.deepEqual(problems, []);
});

test('the language switch relabels the page at once and keeps the choice in the URL', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=1&paused=1&script=${script}`);
  let w = await words(page);
  assert.equal(w.lang, 'en');
  assert.equal(w.step, 'step');
  await page.click('.node[data-node=zk3]');
  await page.click('[data-lang=ko]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  w = await words(page);
  assert.equal(w.step, '한 단계');
  assert.match(w.footer, /단축키/);
  assert.equal(await page.textContent('#selname'), 'zk3:');
  assert.match(await page.getAttribute('.term-in', 'aria-label'), /터미널/);
  await page.waitForFunction(() => /에포크/.test(document.querySelector('.node[data-node=zk3] .n-info').textContent));
  assert.match(page.url(), /[?&]lang=ko/);
  await page.click('[data-lang=en]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  w = await words(page);
  assert.equal(w.step, 'step');
  assert.equal(w.title, 'ZooKeeper + Kafka sandbox');
  await page.waitForFunction(() => /epoch/.test(document.querySelector('.node[data-node=zk3] .n-info').textContent));
  assert.match(page.url(), /[?&]lang=en/);
  assert.deepEqual(problems, []);
});

test('without ?lang= the browser\'s language decides, and a bad ?lang= is reported', async () => {
  const ko = await openPage(browser, `${srv.url}?seed=1&paused=1`, undefined, 'ko-KR');
  assert.equal((await words(ko.page)).lang, 'ko');
  const fr = await openPage(browser, `${srv.url}?seed=1&paused=1&lang=fr`, undefined, 'fr-FR');
  assert.equal((await words(fr.page)).lang, 'en');
  assert.match(await fr.page.textContent('#errors'), /lang must be one of en, ko, got 'fr'/);
  assert.deepEqual([...ko.problems, ...fr.problems], []);
});
