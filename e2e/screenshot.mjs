// Saves docs/screenshot.png: the seed ensemble after a leader kill, with a znode and a partition.
import path from 'node:path';
import fs from 'node:fs';
import { serve, launch, openPage, ROOT } from './lib.mjs';

const srv = await serve();
const browser = await launch();
try {
  const script = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'zookeeper-shell localhost:2181 create /hello world', 'zk kill 3', 'sleep 5s', 'zk start 3', 'sleep 2s'].join('\n');
  const { page, problems } = await openPage(browser, `${srv.url}?seed=1&zk=3&brokers=4&paused=1&script=${encodeURIComponent(script)}`, { width: 1280, height: 760 });
  await page.click('[data-tab=znodes]');
  await page.click('.z-row[data-path="/hello"]');
  await page.evaluate(() => { window.__app.sb.advance(1_000_000, 1e6); window.__app.sb.step(1); window.__app.sb.advance(1200, 1000); window.__app.dirty = true; });
  await page.waitForTimeout(300);
  const out = path.join(ROOT, 'docs', 'screenshot.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`saved ${out}${problems.length ? `; page problems: ${problems.join('; ')}` : ''}`);
} finally {
  await browser.close();
  await srv.close();
}
