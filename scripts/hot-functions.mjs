// Prints the rustc flags that build the browser module for size except on the simulation's hot path.
//
//   node scripts/hot-functions.mjs MODULE.wasm      one rustc flag per line
//   node scripts/hot-functions.mjs --profile        after scripts/build-web.sh: profiles both page
//                                                   benchmarks on the names build and prints the
//                                                   functions over 0.1 % against HOT, to review it
//
// The flags give every function LLVM's `minsize`/`optsize` attributes (what opt-level "z" gives
// them), then take the attributes off again for the functions in HOT, by their mangled names as
// MODULE.wasm (cargo's wasm32 output from the same source, whose name section has those names)
// spells them. Those functions keep opt-level 3's treatment — the per-function
// `#[optimize(size)]`/`#[optimize(speed)]` that stable Rust does not have. scripts/build-web.sh
// explains the two builds, and README § Tests and figures gives the figures.
//
// HOT is the simulation's per-event path: every function with at least 0.1 % of the samples
// (self time) in a V8 CPU profile of either page benchmark (`Sandbox.benchKafka(3600)` and
// `Sandbox.benchRun(300)` on the names build, what `--profile` prints), less those that only run
// while a script sets the cluster up, the three big dispatchers (World::step, Broker::on_kafka,
// ZkServer::on_peer_msg: what they inline is then built for size, what they call stays fast) and
// fourteen large or rarely-run ones the benchmarks showed no slower without (README § Tests and
// figures). A name missing from the module (renamed, or inlined everywhere by another compiler)
// is reported; the build goes on, and e2e/hot-functions.test.mjs fails.
import { readFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

const HOT = `
<zkafka_sandbox::cluster::Msg as zkafka_sandbox::sim::Fingerprint>::fingerprint
<zkafka_sandbox::sim::Ctx<P> as zkafka_sandbox::sim::Io<M,T,F>>::fact
<zkafka_sandbox::sim::Ctx<P> as zkafka_sandbox::sim::Io<M,T,F>>::now
<zkafka_sandbox::sim::Ctx<P> as zkafka_sandbox::sim::Io<M,T,F>>::observing
<zkafka_sandbox::sim::Ctx<P> as zkafka_sandbox::sim::Io<M,T,F>>::send
<zkafka_sandbox::sim::Ctx<P> as zkafka_sandbox::sim::Io<M,T,F>>::set_timer
<zkafka_sandbox::sim::trace::StableHasher as core::hash::Hasher>::write
<zkafka_sandbox::wasm_alloc::SizeClassAlloc as core::alloc::global::GlobalAlloc>::alloc
<zkafka_sandbox::wasm_alloc::SizeClassAlloc as core::alloc::global::GlobalAlloc>::dealloc
alloc::collections::vec_deque::VecDeque<T,A>::pop_front
alloc::raw_vec::RawVecInner<A>::try_allocate_in
alloc::rc::Rc<T,A>::drop_slow
alloc::rc::Rc<[T]>::copy_from_slice
alloc::vec::Vec<T,A>::reserve
core::ptr::drop_in_place<alloc::raw_vec::RawVec<alloc::string::String>>
core::ptr::drop_in_place<alloc::raw_vec::RawVec<zkafka_sandbox::kafka::broker::ParkedFetch>>
core::ptr::drop_in_place<alloc::raw_vec::RawVec<zkafka_sandbox::kafka::msg::FetchData>>
core::ptr::drop_in_place<alloc::rc::Rc<str>>
core::ptr::drop_in_place<alloc::rc::Rc<zkafka_sandbox::zk::tree::Txn>>
core::ptr::drop_in_place<alloc::vec::Vec<(zkafka_sandbox::sim::NodeId,zkafka_sandbox::sim::NodeId)>>
core::ptr::drop_in_place<alloc::vec::Vec<alloc::rc::Rc<str>>>
core::ptr::drop_in_place<alloc::vec::Vec<zkafka_sandbox::kafka::msg::FetchData>>
core::ptr::drop_in_place<alloc::vec::Vec<zkafka_sandbox::kafka::msg::FetchPart>>
core::ptr::drop_in_place<alloc::vec::Vec<zkafka_sandbox::kafka::types::TopicPartition>>
core::ptr::drop_in_place<alloc::vec::Vec<zkafka_sandbox::sim::Command<zkafka_sandbox::cluster::Msg,zkafka_sandbox::cluster::Timer>>>
core::ptr::drop_in_place<alloc::vec::Vec<zkafka_sandbox::zk::client::ClientEvent>>
core::ptr::drop_in_place<alloc::vec::into_iter::IntoIter<zkafka_sandbox::kafka::broker::ParkedFetch>>
core::ptr::drop_in_place<alloc::vec::into_iter::IntoIter<zkafka_sandbox::kafka::msg::FetchData>>
core::ptr::drop_in_place<alloc::vec::into_iter::IntoIter<zkafka_sandbox::kafka::types::TopicPartition>>
core::ptr::drop_in_place<core::option::Option<alloc::rc::Rc<[u8]>>>
core::ptr::drop_in_place<zkafka_sandbox::zk::msg::ZkMsg>
core::ptr::drop_in_place<zkafka_sandbox::zk::tree::TxnBody>
core::ptr::drop_in_place<zkafka_sandbox::zk::types::Reply>
dlmalloc::dlmalloc::Dlmalloc<A>::malloc
zkafka_sandbox::kafka::broker::fetch::<impl zkafka_sandbox::kafka::broker::Broker>::arm_purgatory
zkafka_sandbox::kafka::broker::fetch::<impl zkafka_sandbox::kafka::broker::Broker>::handle_fetch
zkafka_sandbox::kafka::broker::partition::<impl zkafka_sandbox::kafka::broker::Broker>::isr_min_leo
zkafka_sandbox::kafka::broker::partition::<impl zkafka_sandbox::kafka::broker::Broker>::maybe_advance_hw
zkafka_sandbox::kafka::broker::fetch::<impl zkafka_sandbox::kafka::broker::Broker>::next_fetch
zkafka_sandbox::kafka::broker::fetch::<impl zkafka_sandbox::kafka::broker::Broker>::wake_parked
zkafka_sandbox::kafka::config::KafkaConfig::node_of
zkafka_sandbox::kafka::partmap::PartMap<V>::get
zkafka_sandbox::kafka::partmap::PartMap<V>::get_mut
zkafka_sandbox::kafka::partmap::PartMap<V>::get_or_default
zkafka_sandbox::kafka::cli::process::KafkaTool::load_send
zkafka_sandbox::sim::bus::Bus::delivery_time
zkafka_sandbox::sim::rng::Rng::below
zkafka_sandbox::sim::world::Queue<K>::push
zkafka_sandbox::sim::world::World<P>::apply
zkafka_sandbox::sim::world::World<P>::run_until
zkafka_sandbox::sim::world::World<P>::send_payload
zkafka_sandbox::sorted::SortedMap<K,V>::get
zkafka_sandbox::sorted::SortedMap<K,V>::get_mut
zkafka_sandbox::zk::client::WatchReg::of
zkafka_sandbox::zk::client::ZkClient::arm
zkafka_sandbox::zk::client::ZkClient::on_msg_into
zkafka_sandbox::zk::client::ZkClient::send_request
zkafka_sandbox::zk::load::WriterProc::handle_drain
zkafka_sandbox::zk::load::WriterProc::issue
zkafka_sandbox::zk::prep::PathMap::get
zkafka_sandbox::zk::prep::PathMap::insert
zkafka_sandbox::zk::prep::PathMap::remove
zkafka_sandbox::zk::prep::Prep::add
zkafka_sandbox::zk::prep::Prep::record_for_path
zkafka_sandbox::zk::server::database::<impl zkafka_sandbox::zk::server::state::ZkServer>::apply_txn
zkafka_sandbox::zk::server::connections::<impl zkafka_sandbox::zk::server::state::ZkServer>::client_touch
zkafka_sandbox::zk::server::database::<impl zkafka_sandbox::zk::server::state::ZkServer>::commit_txn
zkafka_sandbox::zk::server::database::<impl zkafka_sandbox::zk::server::state::ZkServer>::log_txn
zkafka_sandbox::zk::server::connections::<impl zkafka_sandbox::zk::server::state::ZkServer>::submit
zkafka_sandbox::zk::server::database::<impl zkafka_sandbox::zk::server::state::ZkServer>::take_snapshot
zkafka_sandbox::zk::server::session_tracker::<impl zkafka_sandbox::zk::server::state::ZkServer>::touch_session
zkafka_sandbox::zk::server::leader::<impl zkafka_sandbox::zk::server::state::ZkServer>::try_commit
zkafka_sandbox::zk::server::database::chain_step
zkafka_sandbox::zk::server::database::chain_step::body
zkafka_sandbox::zk::server::database::txn_size::rec
zkafka_sandbox::zk::tree::DataNode::copy_stat
zkafka_sandbox::zk::tree::DataTree::apply
zkafka_sandbox::zk::tree::DataTree::apply_op
`.trim().split('\n');

// The facade's clock entry points (the exported wrappers are plain `sandbox_NAME_HASH` symbols).
const HOT_EXPORTS = ['benchKafka', 'benchRun', 'advance', 'runUntil', 'step', 'stepToChange'];

function leb(buf, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** The function names of a wasm module's `name` section, in index order. */
export function functionNames(buf) {
  const names = [];
  let at = 8;
  while (at < buf.length) {
    const id = buf[at++];
    let size;
    [size, at] = leb(buf, at);
    const end = at + size;
    if (id === 0) {
      let len, p;
      [len, p] = leb(buf, at);
      const isName = buf.subarray(p, p + len).toString() === 'name';
      p += len;
      while (isName && p < end) {
        const sub = buf[p++];
        let subSize;
        [subSize, p] = leb(buf, p);
        const subEnd = p + subSize;
        if (sub === 1) {
          let count;
          [count, p] = leb(buf, p);
          for (let i = 0; i < count; i++) {
            let nameLen;
            [, p] = leb(buf, p);
            [nameLen, p] = leb(buf, p);
            names.push(buf.subarray(p, p + nameLen).toString());
            p += nameLen;
          }
        }
        p = subEnd;
      }
    }
    at = end;
  }
  return names;
}

const ESCAPES = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };

/** A legacy-mangled Rust symbol (`_ZN…E`) as a path without its hash; other names unchanged. */
export function demangle(symbol) {
  if (!symbol.startsWith('_ZN') || !symbol.endsWith('E')) return symbol;
  const parts = [];
  let at = 3;
  while (at < symbol.length - 1) {
    const digits = /^\d+/.exec(symbol.slice(at));
    if (!digits) return symbol;
    at += digits[0].length;
    if (at + Number(digits[0]) > symbol.length - 1) return symbol;
    parts.push(symbol.slice(at, at + Number(digits[0])));
    at += Number(digits[0]);
  }
  if (/^h[0-9a-f]{16}$/.test(parts[parts.length - 1] ?? '')) parts.pop();
  const unescape = (p) => p
    .replace(/^_\$/, '$')
    .replace(/\$([A-Z]+|u[0-9a-f]+)\$/g, (m, e) => ESCAPES[e] ?? (e[0] === 'u' ? String.fromCharCode(parseInt(e.slice(1), 16)) : m))
    .replaceAll('..', '::');
  return parts.map(unescape).join('::');
}

/** The hot functions' mangled names in a module, and the HOT entries it does not have. */
export function hotSymbols(names) {
  const wanted = new Set(HOT);
  const found = new Set();
  const symbols = names.filter((symbol) => {
    const exported = /^sandbox_([A-Za-z]+)_[0-9a-f]{16}$/.exec(symbol);
    if (exported) return HOT_EXPORTS.includes(exported[1]);
    const demangled = demangle(symbol);
    if (!wanted.has(demangled)) return false;
    found.add(demangled);
    return true;
  });
  return { symbols: [...new Set(symbols)].sort(), missing: HOT.filter((h) => !found.has(h)) };
}

/** The hot symbols of the names build that the final build does not name (its flags missed
 * them: the two builds named functions differently). */
export function lostSymbols(namesBuild, finalBuild) {
  const final = new Set(finalBuild);
  return hotSymbols(namesBuild).symbols.filter((s) => !final.has(s));
}

function namesOf(path) {
  const names = functionNames(readFileSync(path));
  if (!names.length) {
    console.error(`${path}: no function names (was the module stripped?)`);
    process.exit(1);
  }
  return names;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const NAMES_BUILD = path.join(ROOT, 'target/wasm-names/wasm32-unknown-unknown/release/zkafka_sandbox.wasm');

/** Self time per function (hash dropped), in percent of the samples, of `run()` in V8. */
async function selfTimes(run) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  run();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const self = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const name = (node.callFrame.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '').replace(/\[\d+\]$/, '');
    self.set(name, (self.get(name) ?? 0) + (node.hitCount ?? 0));
    total += node.hitCount ?? 0;
  }
  return new Map([...self].map(([name, hits]) => [name, (100 * hits) / total]));
}

/** Profiles both benchmarks on the names build (opt-level 3 throughout) and prints the functions
 * with at least 0.1 % of either profile's samples, marked by whether HOT lists them. */
async function profile() {
  const dir = path.join(ROOT, 'target/wasm-profile');
  mkdirSync(dir, { recursive: true });
  execFileSync('wasm-bindgen', ['--target', 'nodejs', '--no-typescript', '--out-dir', dir, NAMES_BUILD], { stdio: 'inherit' });
  const bg = path.join(dir, 'zkafka_sandbox_bg.wasm');
  execFileSync(path.join(ROOT, '.tools/node_modules/.bin/wasm-opt'), [bg, '-O', '--debuginfo', '-o', bg], { stdio: 'inherit' });
  const { Sandbox } = createRequire(import.meta.url)(path.resolve(dir, 'zkafka_sandbox.js'));
  const kafka = await selfTimes(() => { for (let i = 0; i < 3; i++) Sandbox.benchKafka(3600); });
  const zk = await selfTimes(() => { for (let i = 0; i < 3; i++) Sandbox.benchRun(300); });
  const hot = new Set(HOT);
  const rows = [...new Set([...kafka.keys(), ...zk.keys()])]
    .map((name) => ({ name, kafka: kafka.get(name) ?? 0, zk: zk.get(name) ?? 0 }))
    .filter((r) => r.kafka >= 0.1 || r.zk >= 0.1 || hot.has(r.name))
    .sort((a, b) => Math.max(b.kafka, b.zk) - Math.max(a.kafka, a.zk));
  console.log('kafka %  zk %   in HOT  function');
  for (const r of rows) console.log(`${r.kafka.toFixed(1).padStart(7)} ${r.zk.toFixed(1).padStart(5)}   ${hot.has(r.name) ? 'yes   ' : '      '}  ${r.name}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--profile') {
    await profile();
  } else if (process.argv[2] === '--verify') {
    // node scripts/hot-functions.mjs --verify NAMES.wasm FINAL.wasm: the hot symbols found in the
    // names build that the final build does not have (its flags then missed them).
    const lost = lostSymbols(namesOf(process.argv[3]), namesOf(process.argv[4]));
    for (const s of lost) console.error(`[hot-functions] hot in the names build, not in the final one: ${demangle(s)}`);
    process.exit(lost.length ? 1 : 0);
  } else {
    emitFlags();
  }
}

function emitFlags() {
  const { symbols, missing } = hotSymbols(namesOf(process.argv[2]));
  for (const m of missing) console.error(`[hot-functions] not in the module, built for size: ${m}`);
  const flags = ['-Cllvm-args=-force-attribute=minsize', '-Cllvm-args=-force-attribute=optsize'];
  for (const s of symbols) flags.push(`-Cllvm-args=-force-remove-attribute=${s}:minsize`, `-Cllvm-args=-force-remove-attribute=${s}:optsize`);
  process.stdout.write(flags.join('\n') + '\n');
}
