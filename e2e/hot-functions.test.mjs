// The size/speed split of the browser module (scripts/hot-functions.mjs, scripts/build-web.sh):
//   node --test e2e/
// scripts/test.sh builds www/pkg first, so both cargo outputs below exist.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { functionNames, demangle, hotSymbols, lostSymbols } from '../scripts/hot-functions.mjs';

const NAMES = 'target/wasm-names/wasm32-unknown-unknown/release/zkafka_sandbox.wasm';
const FINAL = 'target/wasm32-unknown-unknown/release/zkafka_sandbox.wasm';

test('legacy Rust symbols demangle to their paths without the hash', () => {
  // Symbols as rustc 1.95 spells them in the module.
  assert.equal(demangle('_ZN14zkafka_sandbox3sim5world14Queue$LT$K$GT$4push17h0123456789abcdefE'), 'zkafka_sandbox::sim::world::Queue<K>::push');
  assert.equal(
    demangle('_ZN81_$LT$zkafka_sandbox..cluster..Msg$u20$as$u20$zkafka_sandbox..sim..Fingerprint$GT$11fingerprint17hdee47f5c01b4eda5E'),
    '<zkafka_sandbox::cluster::Msg as zkafka_sandbox::sim::Fingerprint>::fingerprint');
  assert.equal(
    demangle('_ZN4core3ptr272drop_in_place$LT$core..iter..adapters..map..Map$LT$alloc..collections..vec_deque..drain..Drain$LT$$LP$i32$C$u64$C$core..option..Option$LT$zkafka_sandbox..zk..client..WatchReg$GT$$RP$$GT$$C$zkafka_sandbox..zk..client..ZkClient..fail_all..$u7b$$u7b$closure$u7d$$u7d$$GT$$GT$17h87b0d1b410f71a00E'),
    'core::ptr::drop_in_place<core::iter::adapters::map::Map<alloc::collections::vec_deque::drain::Drain<(i32,u64,core::option::Option<zkafka_sandbox::zk::client::WatchReg>)>,zkafka_sandbox::zk::client::ZkClient::fail_all::{{closure}}>>');
  // Not legacy-mangled, or cut short: unchanged.
  assert.equal(demangle('memcmp'), 'memcmp');
  assert.equal(demangle('_ZN30tooshortE'), '_ZN30tooshortE');
});

test('every hot function is in the module, so the hot path keeps opt-level 3', { skip: process.env.WASM_HOT === '0' && 'www/pkg built without the hot-function split' }, () => {
  const names = functionNames(readFileSync(NAMES));
  assert.ok(names.length > 1000, `${names.length} function names`);
  const { symbols, missing } = hotSymbols(names);
  // A renamed or newly inlined function falls out of the list silently otherwise, and the
  // simulation slows down: update HOT in scripts/hot-functions.mjs from a new profile.
  assert.deepEqual(missing, []);
  assert.ok(symbols.length >= 80, `${symbols.length} hot symbols`);
  // The final build was given those names: they must name its functions too.
  assert.deepEqual(lostSymbols(names, functionNames(readFileSync(FINAL))).map(demangle), []);
});
