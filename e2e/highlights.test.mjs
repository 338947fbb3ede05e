// The event panel opens on the highlights (src/highlight.rs through Sandbox.highlights): one
// plain sentence per change that mattered, in the page's language; the full trace is one click
// away. Run by `node --test e2e/` (scripts/test.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, openPage, ARTEFACTS } from './lib.mjs';

let srv, browser;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

// The seed cluster, then the controller (broker 1, the first to start) killed: 18 s later its
// session expires and another broker takes over.
const script = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'broker start 1', 'sleep 2s', 'broker start 2', 'broker start 3', 'sleep 5s',
  'kafka-topics --create --zookeeper localhost:2181 --topic test --partitions 3 --replication-factor 3', 'sleep 2s', 'broker kill 1', 'sleep 30s'].join('\n');

for (const [lang, words] of [['en', { controller: 'is now the controller', expired: 'expired', isr: 'left the ISR' }], ['ko', { controller: '새 컨트롤러가 되었습니다', expired: '만료', isr: 'ISR에서 빠졌습니다' }]]) {
  test(`the event panel shows the highlights in plain ${lang === 'en' ? 'English' : 'Korean'}: elections, session expiry, the controller moving, ISR shrinking`, async () => {
    const { page, problems } = await openPage(browser, `${srv.url}?seed=1&paused=1&lang=${lang}&script=${encodeURIComponent(script)}`);
    await page.waitForSelector('.hl-list .hl[data-kind=controller-elected]');
    const rows = await page.$$eval('.hl-list .hl', (ls) => ls.map((l) => ({ kind: l.dataset.kind, text: l.querySelector('.hl-text').textContent, visible: l.offsetParent !== null })));
    const kinds = rows.map((r) => r.kind);
    for (const k of ['zk-leader-elected', 'broker-registered', 'controller-elected', 'session-expired', 'ephemeral-deleted', 'broker-gone', 'isr-shrunk', 'input']) {
      assert.ok(kinds.includes(k), `${k} in ${kinds.join(' ')}`);
    }
    assert.ok(kinds.indexOf('session-expired') < kinds.lastIndexOf('controller-elected'), 'the controller moves after the session expired');
    for (const r of rows) {
      assert.ok(r.visible, `${r.kind} is shown`);
      assert.doesNotMatch(r.text, /highlights\.|\{\w+\}/, `${r.kind}: a template filled: ${r.text}`);
    }
    const text = (k) => rows.filter((r) => r.kind === k).map((r) => r.text).join(' | ');
    assert.match(text('controller-elected'), new RegExp(words.controller));
    assert.match(text('session-expired'), new RegExp(`${words.expired}.*|.*b1`));
    assert.match(text('isr-shrunk'), new RegExp(words.isr));
    // The full trace is one click away, and back.
    assert.equal(await page.isVisible('.log'), false);
    await page.click('.hl-mode[data-view=trace]');
    assert.equal(await page.isVisible('.log'), true);
    assert.equal(await page.isVisible('.hl-list'), false);
    await page.click('.hl-mode[data-view=highlights]');
    assert.equal(await page.isVisible('.hl-list'), true);
    await page.screenshot({ path: path.join(ARTEFACTS, `highlights-${lang}.png`) });
    assert.deepEqual(problems, []);
  });
}
