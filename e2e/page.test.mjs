// End-to-end tests of the page in Debian's Chromium (playwright-core), run by scripts/test.sh:
//   node --test e2e/
// Screenshots go to target/e2e/*.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serve, launch, openPage, ARTEFACTS } from './lib.mjs';

let srv, browser;
before(async () => { srv = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

const shot = (page, name) => page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`) });
const started = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s'].join('\n');

async function leaderName(page) {
  return page.evaluate(() => document.body.dataset.leader);
}

test('killing the ZooKeeper leader by click shows a new leader', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=1&zk=3&brokers=4&speed=10&script=${encodeURIComponent(started)}`);
  await page.waitForFunction(() => document.body.dataset.leader, null, { timeout: 10000 });
  const old = await leaderName(page);
  assert.match(old, /^zk[1-3]$/);
  await shot(page, 'zk-before-kill');
  await page.click(`.node[data-node="${old}"]`);
  await page.click('#nodeactions [data-action=kill]');
  await page.waitForSelector(`.node[data-node="${old}"][data-life=crashed]`);
  // ×10: a new election takes about 0.2–0.5 s of virtual time.
  await page.waitForFunction((o) => document.body.dataset.leader && document.body.dataset.leader !== o, old, { timeout: 15000 });
  const now = await leaderName(page);
  assert.notEqual(now, old);
  const role = await page.textContent(`.node[data-node="${now}"] .n-role`);
  assert.match(role, /LEADING \(leader\)/);
  const term = await page.textContent('.term-out');
  assert.ok(term.includes(`$ zk kill ${old.slice(2)}`), 'the click ran the terminal command');
  await shot(page, 'zk-new-leader');
  assert.deepEqual(problems, []);
});

test('the keyboard alone can select a node, kill it and step the clock', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=2&zk=3&brokers=1&paused=1&script=${encodeURIComponent(started)}`);
  const old = await leaderName(page);
  await page.focus(`.node[data-node="${old}"]`);
  await page.keyboard.press('k');
  await page.waitForSelector(`.node[data-node="${old}"][data-life=crashed]`);
  const t0 = await page.textContent('#time');
  await page.keyboard.press('n'); // next state change
  await page.keyboard.press('.'); // one event
  // The page redraws on the next animation frame: wait for the clock display to move.
  await page.waitForFunction((t) => document.querySelector('#time').textContent !== t, t0, { timeout: 5000 });
  const t1 = await page.textContent('#time');
  assert.notEqual(t0, t1);
  await page.keyboard.press('p'); // play (Space on a focused node button activates it instead)
  // At ×1 virtual time is wall time, and the followers take seconds to give up on the dead leader
  // (this test took 13 s on a 2-core CI machine).
  await page.waitForFunction((o) => document.body.dataset.leader && document.body.dataset.leader !== o, old, { timeout: 40000 });
  assert.deepEqual(problems, []);
});

test('the terminal runs commands, shows errors and keeps a history', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=3&paused=1`);
  await page.fill('.term-in', 'zk start 9');
  await page.press('.term-in', 'Enter');
  await page.waitForSelector('.t-err');
  assert.match(await page.textContent('.t-err'), /no server 9/);
  await page.fill('.term-in', 'zk start 1');
  await page.press('.term-in', 'Enter');
  await page.waitForSelector('.node[data-node=zk1][data-life=up]');
  await page.press('.term-in', 'ArrowUp');
  assert.equal(await page.inputValue('.term-in'), 'zk start 1');
  await page.press('.term-in', 'ArrowUp');
  assert.equal(await page.inputValue('.term-in'), 'zk start 9');
  assert.deepEqual(problems, []);
});

test('at ×1000 the event log follows the newest events and frames stay light', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=5&speed=1000&script=${encodeURIComponent(started)}`);
  await page.click('.hl-mode[data-view=trace]'); // the full trace (the panel opens on the highlights)
  await page.waitForTimeout(1500);
  await page.evaluate(() => window.__frameStats(true));
  await page.waitForTimeout(1500);
  const stats = await page.evaluate(() => window.__frameStats(false));
  // A draw appends rows in one frame and scrolls to them at the start of the next, so a look taken
  // between those two frames sees the log one draw (60 rows) above the bottom. Look every 50 ms
  // until the log is at the bottom; a log that stopped following never gets there.
  let look;
  try {
    look = await (await page.waitForFunction(() => {
      const list = document.querySelector('.log');
      const rows = [...list.querySelectorAll('.ev-at')];
      window.__lastLook = list.scrollHeight - list.scrollTop - list.clientHeight;
      if (window.__lastLook >= 30) return false;
      return { last: parseFloat(rows[rows.length - 1].textContent), now: parseFloat(document.getElementById('time').textContent) };
    }, null, { polling: 50, timeout: 3000 })).jsonValue();
  } catch {
    look = { fromBottom: await page.evaluate(() => window.__lastLook) };
  }
  const r = { ...look, stats };
  // Still following: the newest row drawn (at most 200 ms of wall time = 200 virtual s old).
  assert.ok(r.fromBottom === undefined, `log scrolled to the bottom: ${r.fromBottom}px from it for 3 s`);
  assert.ok(r.now - r.last < 400, `newest row at ${r.last}s, clock at ${r.now}s`);
  // Simulation work is capped at 5 ms a frame (generous bound: the machine may be busy).
  assert.ok(r.stats.parts.sim < 12, `simulation p95 ${r.stats.parts.sim} ms a frame`);
  assert.deepEqual(problems, []);
});

test('partitioning and healing from the page cut and restore links', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?seed=4&paused=1&script=${encodeURIComponent(started)}`);
  await page.fill('#groups', 'zk1|zk2,zk3');
  await page.click('#partition');
  await page.waitForFunction(() => document.getElementById('net').textContent.includes('cut: '));
  await shot(page, 'partitioned');
  await page.click('#heal');
  await page.waitForFunction(() => !document.getElementById('net').textContent.includes('cut: '));
  assert.match(await page.textContent('.term-out'), /net partition zk1 \| zk2,zk3/);
  assert.deepEqual(problems, []);
});

test('bad URL parameters are reported clearly and defaults are used', async () => {
  const { page } = await openPage(browser, `${srv.url}?seed=banana&zk=12&brokers=x&speed=7&bogus=1`);
  const errors = await page.textContent('#errors');
  assert.match(errors, /seed must be a whole number/);
  assert.match(errors, /zk must be a whole number from 1 to 7, got '12'/);
  assert.match(errors, /brokers must be a whole number from 1 to 9, got 'x'/);
  assert.match(errors, /speed must be one of/);
  assert.match(errors, /unknown URL parameter 'bogus'/);
  assert.equal(await page.locator('.node[data-kind=zk]').count(), 3);
});

test('html and script payloads in znodes and terminal output show as text and never run', async () => {
  const payloads = [
    `<img src=x onerror="window.__pwned=1">`,
    `<script>window.__pwned=2</script>`,
    `"><svg onload=window.__pwned=3>`,
  ];
  const lines = [started, ...payloads.map((p, i) => `zookeeper-shell localhost:2181 create /x${i} '${p}'`), `zookeeper-shell localhost:2181 create '/<img src=x onerror=window.__pwned=6>'`].join('\n');
  const { page, problems } = await openPage(browser, `${srv.url}?seed=5&paused=1&script=${encodeURIComponent(lines)}`);
  await page.fill('.term-in', `echo <img src=x onerror=window.__pwned=4> | nc localhost 2181`);
  await page.press('.term-in', 'Enter');
  await page.fill('.term-in', `zookeeper-shell localhost:2181 set /x1 '<script>window.__pwned=5</script>'`);
  await page.press('.term-in', 'Enter');
  // The events panel opens on the highlights; the full trace (with its filters) is one click away.
  await page.click('.hl-mode[data-view=trace]');
  await page.selectOption('#events select[aria-label="filter events by kind"]', 'input');
  await page.click('[data-tab=znodes]');
  for (let i = 0; i < payloads.length; i++) {
    await page.click(`.z-row[data-path="/x${i}"]`);
    assert.equal(await page.textContent('.z-fulldata'), i === 1 ? '<script>window.__pwned=5</script>' : payloads[i]);
  }
  // Kafka topic names and data, once brokers exist, go through the same text-only rendering.
  await page.click('[data-tab=events]');
  await page.waitForTimeout(200);
  await shot(page, 'payloads');
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    imgs: document.querySelectorAll('main img, main svg, main script, main b').length,
    pathShown: [...document.querySelectorAll('.z-name')].some((e) => e.textContent === '<img src=x onerror=window.__pwned=6>'),
    termHasText: document.querySelector('.term-out').textContent.includes('<img src=x onerror=window.__pwned=4>'),
    logHasText: [...document.querySelectorAll('.ev-text')].some((e) => e.textContent.includes("set /x1 '<script>window.__pwned=5</script>'")),
  }));
  assert.deepEqual(injected, { pwned: null, imgs: 0, pathShown: true, termHasText: true, logHasText: true });
  assert.deepEqual(problems.filter((p) => !p.includes('Content Security Policy')), []);
});

test('the page is readable embedded at 800x600', async () => {
  const { page, problems } = await openPage(browser, `${srv.url}?embed=1&seed=6&paused=1&script=${encodeURIComponent(started)}`, { width: 800, height: 600 });
  for (const sel of ['.node[data-node=zk1]', '.node[data-node=b4]', '.term-in', '#play', '[data-tab=topics]']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= 800 && box.y + box.height <= 600, `${sel} is visible within 800x600: ${JSON.stringify(box)}`);
  }
  await shot(page, 'embed-800x600');
  assert.deepEqual(problems, []);
});

test('killing the controller broker by click shows a new controller and shrunk ISRs, and restarting it appends it to every ISR', async () => {
  const script = [started, 'broker start 1', 'broker start 2', 'broker start 3', 'broker start 4', 'sleep 10s',
    'kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1',
    'sleep 5s'].join('\n');
  const { page, problems } = await openPage(browser, `${srv.url}?seed=1&speed=10&script=${encodeURIComponent(script)}`);
  await page.waitForFunction(() => document.body.dataset.controller !== '', null, { timeout: 10000 });
  const old = await page.evaluate(() => document.body.dataset.controller);
  await page.click('[data-tab=topics]');
  await page.click(`.node[data-kind=broker][data-node="b${old}"]`);
  await page.click('#nodeactions [data-action=kill]');
  await page.waitForFunction((o) => document.body.dataset.controller && document.body.dataset.controller !== o, old, { timeout: 30000 });
  await page.waitForSelector('tr[data-isr=shrunk]', { timeout: 30000 });
  const isrs = await page.$$eval('tr[data-topic=test] .isr', (cells) => cells.map((c) => c.textContent.split(',')));
  for (const isr of isrs) assert.ok(!isr.includes(old), `broker ${old} left the ISR ${isr}`);
  await shot(page, 'kafka-new-controller');
  // Restart it by click: it registers again and is appended to every ISR (leaders stay).
  await page.click(`.node[data-kind=broker][data-node="b${old}"]`);
  await page.click('#nodeactions [data-action=start]');
  await page.waitForFunction((o) => {
    const cells = [...document.querySelectorAll('tr[data-topic=test] .isr')];
    return cells.length === 10 && cells.every((c) => c.textContent.split(',').at(-1) === o);
  }, old, { timeout: 30000 });
  await shot(page, 'kafka-broker-rejoined');
  assert.deepEqual(problems, []);
});
