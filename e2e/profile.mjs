// Where frame time goes while animating: a Chromium trace (devtools.timeline) summarised by event
// name (self time on the main thread). Usage: node e2e/profile.mjs zk|kafka SPEED_INDEX [SECS]
import { serve, launch, openPage } from './lib.mjs';

const which = process.argv[2] || 'zk';
const speed = process.argv[3] || '5';
const secs = Number(process.argv[4] || 3);
const zk = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'zookeeper-shell localhost:2181 create /hello world', 'zookeeper-shell localhost:2181'];
const kafka = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'broker start 1', 'broker start 2', 'broker start 3', 'broker start 4', 'sleep 5s',
  'kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1',
  'sleep 2s', 'kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 1000'];
const srv = await serve();
const browser = await launch();
try {
  const { page: p } = await openPage(browser, `${srv.url}?seed=1&speed=1&script=${encodeURIComponent((which === 'zk' ? zk : kafka).join('\n'))}`);
  if (process.env.TAB) await p.click(`[data-tab=${process.env.TAB}]`);
  await p.selectOption('#speed', speed);
  await p.waitForTimeout(500);
  const cdp = await p.context().newCDPSession(p);
  if (process.env.CPU) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    await p.waitForTimeout(secs * 1000);
    const { profile } = await cdp.send('Profiler.stop');
    const dt = new Map(); // node id -> sampled µs
    for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) || 0) + (profile.timeDeltas[i] || 0));
    const self = new Map();
    for (const n of profile.nodes) {
      const f = n.callFrame;
      const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      self.set(k, (self.get(k) || 0) + (dt.get(n.id) || 0));
    }
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
    process.exit(0);
  }
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  await p.waitForTimeout(secs * 1000);
  await cdp.send('Tracing.end');
  await done;
  // Main renderer thread: the one with FireAnimationFrame.
  const raf = events.find((e) => e.name === 'FireAnimationFrame');
  const main = events.filter((e) => e.pid === raf.pid && e.tid === raf.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Self time per name.
  const self = new Map();
  const stack = [];
  for (const e of main) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    if (stack.length) { const top = stack[stack.length - 1]; self.set(top.name, (self.get(top.name) || 0) - e.dur); }
    self.set(e.name, (self.get(e.name) || 0) + e.dur);
    stack.push(e);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`${which} speed index ${speed}, ${secs} s: main thread busy ${(total / 1000).toFixed(0)} ms`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`  ${(v / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  // Frame intervals from the animation frames.
  const rafs = main.filter((e) => e.name === 'FireAnimationFrame').map((e) => e.ts);
  const gaps = rafs.slice(1).map((t, i) => (t - rafs[i]) / 1000).sort((a, b) => a - b);
  console.log(`  ${rafs.length} animation frames; interval p50 ${gaps[Math.floor(gaps.length / 2)].toFixed(1)} p95 ${gaps[Math.floor(gaps.length * 0.95)].toFixed(1)} max ${gaps[gaps.length - 1].toFixed(1)} ms`);
  if (process.env.LAYOUTS) {
    const lay = main.filter((e) => e.name === 'Layout').sort((a, b) => b.dur - a.dur);
    console.log(`  ${lay.length} layouts; longest:`);
    for (const e of lay.slice(0, 8)) console.log(`    ${(e.dur / 1000).toFixed(1)} ms dirty ${e.args?.beginData?.dirtyObjects}/${e.args?.beginData?.totalObjects} partial ${e.args?.beginData?.partialLayout} root ${e.args?.endData?.rootNode} ${JSON.stringify(e.args?.beginData?.stackTrace?.[0] || '')}`);
    for (const name of ['Paint', 'Commit', 'Layerize', 'PrePaint', 'Layout']) {
      const d = main.filter((e) => e.name === name).map((e) => e.dur / 1000).sort((a, b) => a - b);
      if (d.length) console.log(`  ${name}: n ${d.length} p50 ${d[d.length >> 1].toFixed(2)} p95 ${d[Math.floor(d.length * 0.95)].toFixed(2)} max ${d[d.length - 1].toFixed(2)} ms`);
    }
    for (const e of main.filter((e) => e.name === 'Paint').sort((a, b) => b.dur - a.dur).slice(0, 5)) console.log(`    Paint ${(e.dur / 1000).toFixed(1)} ms ${JSON.stringify(e.args?.data)}`);
    const dirty = lay.map((e) => e.args?.beginData?.dirtyObjects || 0).sort((a, b) => a - b);
    console.log(`  dirty objects p50 ${dirty[dirty.length >> 1]} p95 ${dirty[Math.floor(dirty.length * 0.95)]}; total objects ${lay[0]?.args?.beginData?.totalObjects}`);
  }
  // The longest top-level tasks and what they contained.
  const tasks = main.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur).slice(0, 4);
  for (const t of tasks) {
    const inner = new Map();
    for (const e of main) if (e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur) inner.set(e.name, (inner.get(e.name) || 0) + e.dur);
    console.log(`  long task ${(t.dur / 1000).toFixed(1)} ms: ${[...inner].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  }
} finally {
  await browser.close();
  await srv.close();
}
