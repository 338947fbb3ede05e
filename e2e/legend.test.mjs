// The legend under the cluster comes from Rust's vocabulary (src/vocab.rs) and each of its
// entries hides exactly its kind of message: run by `node --test e2e/` (scripts/test.sh).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, openPage } from './lib.mjs';

let srv, browser;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

const setup = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'broker start 1', 'broker start 2', 'broker start 3', 'sleep 10s',
  'kafka-topics --create --zookeeper localhost:2181 --topic test --partitions 3 --replication-factor 3', 'sleep 5s'].join('\n');

// Terminal lines that put messages of a kind on the wire (the test's own knowledge of the
// protocols; the page knows none of this). The tools (nc, kafka-topics, the producer) finish
// within the terminal command, so their messages are checked with the drawn snapshot below.
const STIMULUS = {
  vote: ['zk restart 1'], discovery: ['zk restart 2'], sync: ['zk restart 3'], broadcast: ['broker stop 1'], client: ['broker start 1'],
  fin: ['zk restart 1'], 'leader-and-isr': ['broker stop 2'], 'update-metadata': ['sleep 30s', 'broker start 2'],
  'alter-isr': ['sleep 30s', 'broker stop 3', 'sleep 30s', 'broker start 3'], 'controlled-shutdown': ['sleep 30s', 'broker stop 2'],
};
// Kinds the live part must have seen in flight while their entry was off.
const LIVE = ['vote', 'discovery', 'sync', 'broadcast', 'ping', 'client', 'fin', 'leader-and-isr', 'update-metadata', 'fetch', 'alter-isr', 'controlled-shutdown'];

test('every legend entry hides its kind of message, and only that kind, while it is off', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=3&paused=1&script=${encodeURIComponent(setup)}`);
  const vocab = await page.evaluate(async () => (await import('./pkg/zkafka_sandbox.js')).Sandbox.vocabulary().messages.map((m) => m.id));
  const legend = await page.$$eval('#legend button.kind', (bs) => bs.map((b) => b.dataset.kind));
  assert.deepEqual(legend, vocab, 'the legend lists the vocabulary, in its order');
  const seen = [];
  for (const kind of legend) {
    const button = page.locator(`#legend button.kind[data-kind="${kind}"]`);
    await button.click();
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    // 1. A frame with one message of every kind in flight between two servers: all but this one are drawn.
    const drawn = await page.evaluate((kinds) => {
      const c = window.__app.views.cluster;
      const snap = c.snap;
      const flights = kinds.map((k, i) => ({ id: 1e9 + i, from: 'zk1', to: 'zk2', kind: k, sent_us: snap.now_us, deliver_us: snap.now_us + 1000, held: false }));
      c.draw({ ...snap, flights });
      return Object.fromEntries(c.drawn);
    }, legend);
    assert.deepEqual(drawn, Object.fromEntries(legend.filter((k) => k !== kind).map((k) => [k, 1])), `${kind} off`);
    // 2. The live cluster, stepped a few events per frame after lines that send this kind.
    const r = await page.evaluate(async ({ kind, lines }) => {
      const app = window.__app;
      for (const l of lines) app.sb.run(l);
      let present = 0, drawn = 0, othersDrawn = 0;
      for (let i = 0; i < 100 && (present === 0 || i < 10); i++) {
        app.sb.step(i < 40 ? 5 : 40);
        app.dirty = true;
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
        const c = app.views.cluster;
        present += c.snap.flights.filter((f) => f.kind === kind).length;
        for (const [k, n] of c.drawn) { if (k === kind) drawn += n; else othersDrawn += n; }
      }
      return { present, drawn, othersDrawn };
    }, { kind, lines: STIMULUS[kind] || [] });
    assert.equal(r.drawn, 0, `${kind}: ${r.drawn} dots drawn while hidden (${r.present} in flight)`);
    assert.ok(r.othersDrawn > 0, `${kind}: the other kinds are still drawn`);
    if (r.present > 0) seen.push(kind);
    await button.click();
    assert.equal(await button.getAttribute('aria-pressed'), 'true');
  }
  assert.deepEqual(LIVE.filter((k) => !seen.includes(k)), [], 'these kinds were never in flight while their entry was off');
  assert.deepEqual(problems, []);
});
