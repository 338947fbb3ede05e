// Saves docs/screenshot.png: the seed cluster after the controller broker was killed: the new
// controller, broker 1 out of every ISR, messages in flight.
import path from 'node:path';
import fs from 'node:fs';
import { serve, launch, openPage, ROOT } from './lib.mjs';

const srv = await serve();
const browser = await launch();
try {
  const script = ['zk start 1', 'zk start 2', 'sleep 5s', 'zk start 3', 'sleep 5s', 'broker start 1', 'broker start 2', 'broker start 3', 'broker start 4', 'sleep 5s',
    'kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1',
    'sleep 2s', 'kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 5', 'broker kill 1', 'sleep 30s'].join('\n');
  const { page, problems } = await openPage(browser, `${srv.url}?seed=1&zk=3&brokers=4&paused=1&script=${encodeURIComponent(script)}`, { width: 1280, height: 760 });
  await page.click('[data-tab=topics]');
  await page.evaluate(() => { window.__app.sb.advance(400_000, 1e6); window.__app.sb.step(1); window.__app.sb.advance(700, 1000); window.__app.dirty = true; });
  await page.waitForTimeout(300);
  const out = path.join(ROOT, 'docs', 'screenshot.png');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`saved ${out}${problems.length ? `; page problems: ${problems.join('; ')}` : ''}`);
} finally {
  await browser.close();
  await srv.close();
}
