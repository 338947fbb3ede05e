// Browser figures for scripts/bench-web.sh (printed, not asserted). Usage: node e2e/bench.mjs SECS
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { serve, launch, openPage, ROOT } from './lib.mjs';

const secs = Number(process.argv[2] || 300);
const nativeEps = Number(process.env.NATIVE_EPS || 0);
const nativeKafkaEps = Number(process.env.NATIVE_KAFKA_EPS || 0);
const wasmFile = path.join(ROOT, 'www', 'pkg', 'zkafka_sandbox_bg.wasm');
const raw = fs.readFileSync(wasmFile);
const gz = execFileSync('gzip', ['-9c', wasmFile], { maxBuffer: 1 << 26 }).length;
console.log(`wasm size: ${raw.length} bytes; gzip -9: ${gz} bytes = ${(gz / 1024).toFixed(1)} KiB (target ≤ 250 KB)`);

const srv = await serve();
const browser = await launch();
// BENCH_SECTIONS=23 runs only sections 2 and 3 (default: all).
const sections = process.env.BENCH_SECTIONS || '123';
try {
  if (sections.includes('1')) {
  // 1. Simulation speed: the benchmark scenario (3 servers + 4 writers, seed 42), trace hashed only.
  const { page } = await openPage(browser, `${srv.url}?seed=1&paused=1`);
  const sim = await page.evaluate(async (secs) => {
    const m = await import('./pkg/zkafka_sandbox.js');
    m.Sandbox.benchRun(20); // warm-up
    const t0 = performance.now();
    const r = m.Sandbox.benchRun(secs);
    const wall = (performance.now() - t0) / 1000;
    return { events: r.events, hash: r.trace_hash, wall };
  }, secs);
  const eps = sim.events / sim.wall;
  console.log(`wasm simulation: ${sim.events} events in ${secs} virtual s, ${sim.wall.toFixed(3)} wall s = ${Math.round(eps)} events/s (trace hash ${sim.hash}) (target ≥ 2,000,000/s)`);
  if (nativeEps) console.log(`wasm/native ratio: ${(eps / nativeEps).toFixed(2)} (native ${nativeEps} events/s in this run)`);
  // 1b. The Kafka seed cluster (3 zk + 4 brokers, test 10×RF4, one acks=all producer).
  const kafka = await page.evaluate(async (secs) => {
    const m = await import('./pkg/zkafka_sandbox.js');
    m.Sandbox.benchKafka(20); // warm-up
    const t0 = performance.now();
    const r = m.Sandbox.benchKafka(secs);
    const wall = (performance.now() - t0) / 1000;
    return { events: r.events, hash: r.trace_hash, wall };
  }, secs);
  const keps = kafka.events / kafka.wall;
  console.log(`wasm Kafka seed cluster: ${kafka.events} events in ${secs} virtual s, ${kafka.wall.toFixed(3)} wall s = ${Math.round(keps)} events/s (trace hash ${kafka.hash}) (target ≥ 2,000,000/s)`);
  if (nativeKafkaEps) console.log(`wasm/native ratio (Kafka seed cluster): ${(keps / nativeKafkaEps).toFixed(2)} (native ${nativeKafkaEps} events/s in this run)`);
  await page.close();
  }

  // 2. Page load to the first rendered cluster (navigation start → performance mark), 5 loads.
  if (sections.includes('2')) {
  const loads = [], paints = [];
  for (let i = 0; i < 5; i++) {
    const { page: p } = await openPage(browser, `${srv.url}?seed=1&paused=1`);
    loads.push(await p.evaluate(() => performance.getEntriesByName('first-cluster')[0].startTime));
    // After the frame that paints it (layout and paint included; main.js marks it).
    await p.waitForFunction(() => performance.getEntriesByName('first-cluster-painted').length);
    paints.push(await p.evaluate(() => performance.getEntriesByName('first-cluster-painted')[0].startTime));
    await p.close();
  }
  loads.sort((a, b) => a - b);
  paints.sort((a, b) => a - b);
  console.log(`page load to first rendered cluster: median ${loads[2].toFixed(0)} ms, min ${loads[0].toFixed(0)} ms, max ${loads[4].toFixed(0)} ms over 5 loads (target < 300 ms); after its first paint: median ${paints[2].toFixed(0)} ms`);
  }

  // 3. Frame work while animating (clock advance + snapshot + render per frame): the ZooKeeper
  // script, then the Kafka seed cluster (3 zk + 4 brokers, test 10×RF4, 1,000 messages produced).
  const zkScript = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'zookeeper-shell localhost:2181 create /hello world', 'zookeeper-shell localhost:2181'];
  const kafkaScript = ['zk start 1', 'zk start 2', 'zk start 3', 'sleep 5s', 'broker start 1', 'broker start 2', 'broker start 3', 'broker start 4', 'sleep 5s',
    'kafka-topics --create --zookeeper localhost:2181 --topic test --replica-assignment 3:2:4:1,4:3:1:2,1:4:2:3,2:1:3:4,3:4:1:2,4:1:2:3,1:2:3:4,2:3:4:1,3:1:2:4,4:2:3:1',
    'sleep 2s', 'kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 1000'];
  // The Kafka runs also show the topics tab while a producer sends 20 messages every second
  // (typed into the terminal: its work is input handling, not frame work, but the topic table
  // then changes in every frame).
  const produce = 'kafka-console-producer --bootstrap-server localhost:9092 --topic test --producer-property acks=all --messages 20';
  const speeds = [['×1', 3], ['×100', 5], ['×1000', 6]];
  const runs = [['', zkScript, null], ['Kafka seed cluster ', kafkaScript, null], ['Kafka seed cluster, topics tab + producer, ', kafkaScript, produce]];
  for (const [name, script, producer] of runs) {
    if (!sections.includes('3')) break;
    const { page: p } = await openPage(browser, `${srv.url}?seed=1&speed=1&script=${encodeURIComponent(script.join('\n'))}`);
    if (producer) {
      await p.click('[data-tab=topics]');
      await p.evaluate((line) => setInterval(() => {
        const i = document.querySelector('.term-in');
        i.value = line;
        i.form.requestSubmit();
      }, 1000), producer);
    }
    for (const [label, idx] of speeds) {
      await p.selectOption('#speed', String(idx));
      await p.evaluate(() => window.__frameStats(true));
      await p.waitForTimeout(3000);
      const s = await p.evaluate(() => window.__frameStats(false));
      const iv = s.interval ? `; frame interval p50 ${s.interval.p50.toFixed(1)} p95 ${s.interval.p95.toFixed(1)} max ${s.interval.max.toFixed(1)} ms` : '';
      const parts = s.parts ? ` [p95 of parts: ${Object.entries(s.parts).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}]` : '';
      console.log(`${name}frame work at ${label}: mean ${s.mean.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, max ${s.max.toFixed(2)} ms; ${s.n} frames in 3 s = ${(s.n / 3).toFixed(0)} fps (target < 16 ms)${iv}${parts}`);
    }
    await p.close();
  }
} finally {
  await browser.close();
  await srv.close();
}
