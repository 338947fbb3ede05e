// The page: loads the wasm sandbox, maps wall time × speed onto virtual time in a
// requestAnimationFrame loop, and hands each snapshot to the renderers. No protocol logic here:
// everything the page shows is computed in Rust (src/view.rs).

import { wasmModule } from './boot.js';
import init, { Sandbox } from './pkg/zkafka_sandbox.js';
import { el, clear, setText } from './dom.js';
import { setVocabulary, messageKinds, kindColour } from './vocab.js';
import { ClusterView } from './render/cluster.js';
import { ZnodeView } from './render/znodes.js';
import { TopicView } from './render/topics.js';
import { LogView, PER_FLUSH } from './render/log.js';
import { HighlightsView } from './render/highlights.js';
import { TerminalView } from './terminal.js';
import { t, onLangChange, LANGS } from './i18n.js';
import { langReady, mountLangSwitch } from './page-i18n.js';
import { initLessons, LESSON_PARAMS } from './lessons.js';
import { TimelineView, sessionSearch, MAX_SESSION_TEXT } from './timeline.js';

const SPEEDS = [0.001, 0.01, 0.1, 1, 10, 100, 1000];
const DEFAULT_SPEED = 2; // ×0.1: a 2 ms message crosses in 20 ms of wall time
// Simulation work per frame: events run in chunks until the virtual target time is reached or
// SIM_BUDGET_MS of wall time are spent. When the budget runs out the virtual clock stops at the
// last event processed (it lags, shown as "running at ×N"); the trace is the same as with one
// big advance, since events are processed in order and the clock never skips one.
const SIM_BUDGET_MS = 5;
const CHUNK_MS = 0.5; // events per runUntil call: about this much work (measured rate)
const $ = (id) => document.getElementById(id);
const LANG_WAIT_MS = 20; // the longest the first frame waits for the string tables

const app = {
  sb: null, snap: null, since: 0, playing: false, speed: DEFAULT_SPEED, vt: 0, lastTs: null,
  dirty: true, selected: null, frames: [], parts: [], part: {}, views: null, pace: [], limitedAt: -1e9, eventsPerMs: 500, gaps: [],
};

/** Read and check the URL parameters; every problem is reported, defaults are used instead. */
export function readParams(search) {
  const q = new URLSearchParams(search);
  const errors = [];
  const out = { seed: null, zk: 3, brokers: 4, script: null, speed: DEFAULT_SPEED, embed: q.get('embed') === '1', paused: q.get('paused') === '1' };
  const known = new Set(['seed', 'zk', 'brokers', 'script', 'speed', 'embed', 'paused', 'lang', 's', ...LESSON_PARAMS]);
  for (const k of q.keys()) if (!known.has(k)) errors.push(t('page.err.unknown-param', { name: k, known: [...known].join(', ') }));
  const int = (name, lo, hi) => {
    const v = q.get(name);
    if (v === null) return null;
    if (!/^\d{1,3}$/.test(v) || +v < lo || +v > hi) { errors.push(t('page.err.int-range', { name, lo, hi, value: v.slice(0, 30) })); return null; }
    return +v;
  };
  out.zk = int('zk', 1, 7) ?? 3;
  out.brokers = int('brokers', 1, 9) ?? 4;
  if (q.has('seed')) {
    const e = Sandbox.checkSeed(q.get('seed'));
    if (e) errors.push(e); else out.seed = q.get('seed').trim();
  }
  if (q.has('speed')) {
    const i = SPEEDS.indexOf(Number(q.get('speed')));
    if (i < 0) errors.push(t('page.err.speed', { speeds: SPEEDS.join(', '), value: q.get('speed').slice(0, 30) })); else out.speed = i;
  }
  // The session (timeline.js): seed, shape, inputs and position; checked by Rust when opened.
  out.session = null;
  if (q.has('s')) {
    const s = q.get('s');
    if (s.length > MAX_SESSION_TEXT) errors.push(`s (the session) is longer than ${MAX_SESSION_TEXT} characters`); else out.session = s;
  }
  if (q.has('script')) {
    const s = q.get('script');
    if (s.length > 20000) errors.push(t('page.err.script-long', { max: 20000 })); else out.script = s;
  }
  if (q.has('lang') && !LANGS.includes(q.get('lang'))) errors.push(t('page.err.lang', { langs: LANGS.join(', '), value: q.get('lang').slice(0, 30) }));
  return { params: out, errors };
}

function showErrors(errors) {
  const box = $('errors');
  clear(box);
  box.hidden = errors.length === 0;
  for (const e of errors) box.append(el('div', null, e));
}

function newSandbox(seed, zk, brokers, opened = null) {
  const sb = opened || new Sandbox(seed, zk, brokers);
  if (app.sb) app.sb.free();
  app.sb = sb;
  app.since = 0;
  app.vt = sb.nowUs();
  app.snap = null;
  app.dirty = true;
  $('seed').value = sb.seed();
  $('zk').value = zk;
  $('brokers').value = brokers;
  const u = new URL(location.href);
  u.searchParams.set('seed', sb.seed());
  u.searchParams.set('zk', zk);
  u.searchParams.set('brokers', brokers);
  if (!opened) { u.searchParams.delete('s'); u.searchParams.delete('script'); }
  history.replaceState(null, '', u);
  if (app.timeline) app.timeline.reset();
}

function buildViews() {
  const log = new LogView($('events'));
  const views = {
    cluster: new ClusterView($('cluster'), { onSelect: selectNode, onKey: nodeKey }),
    znodes: new ZnodeView($('znodes')),
    topics: new TopicView($('topics')),
    log,
    highlights: new HighlightsView($('events')),
    term: new TerminalView($('terminal'), { run: runLine }),
  };
  return views;
}

function runLine(line) {
  const { term } = app.views;
  term.print([`${app.snap && app.snap.shell_open ? '>' : '$'} ${line}`], 'cmd');
  const out = app.sb.run(line);
  term.print(out.lines, out.error ? 'err' : 'out');
  afterInput(out);
  return out;
}

/** After an input: a fork is said in the terminal and on the timeline; the URL follows. */
function afterInput(out) {
  if (out.forked) {
    app.views.term.print([out.dropped > 0 ? t('timeline.forked', { dropped: out.dropped }) : t('timeline.forked-none')], 'info');
    app.since = 0;
    app.views.log.reset?.();
  }
  app.timeline?.afterInput(out);
  app.vt = app.sb.nowUs();
  app.dirty = true;
  saveSession();
}

/** After a seek (or step back, back to live, redo): every panel shows the new position. */
function moved() {
  app.since = 0;
  app.views.log.reset?.();
  showHistory();
  app.vt = app.sb.nowUs();
  app.dirty = true;
  saveSession();
}

/** The terminal history up to the shown position: each input and what it printed. */
function showHistory() {
  const term = app.views.term;
  term.clearOutput();
  term.print([`seed ${app.sb.seed()}`], 'info');
  for (const i of app.sb.inputs()) {
    if (!i.applied) break;
    term.print([`$ ${i.line}`], 'cmd');
    if (i.lines) term.print(i.lines, i.error ? 'err' : 'out');
  }
}

/** Keep the session (seed, shape, inputs, position) in the address bar, a moment after a change. */
function saveSession(now = false) {
  clearTimeout(app.saveTimer);
  const save = () => {
    if (!app.sb) return;
    const u = new URL(location.href);
    for (const k of ['seed', 'zk', 'brokers', 'script', 's']) u.searchParams.delete(k);
    history.replaceState(null, '', u.pathname + sessionSearch(u.searchParams, app.sb.sessionState()) + u.hash);
    app.savedAt = performance.now();
  };
  if (now) save(); else app.saveTimer = setTimeout(save, 300);
}

function act(kind, node) {
  const out = app.sb.act(kind, node);
  const [first, ...rest] = out.lines;
  if (out.error) app.views.term.print(out.lines, 'err');
  else { app.views.term.print([first], 'cmd'); app.views.term.print(rest, 'out'); }
  afterInput(out);
  return out;
}

function selectNode(name) {
  app.selected = name;
  app.views.cluster.select(name);
  setText($('selname'), t('page.selected', { name }));
}

function nodeKey(ev, name) {
  const map = { u: 'start', t: 'stop', k: 'kill', r: 'restart', z: 'pause', x: 'resume', i: 'isolate' };
  if (map[ev.key] && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
    ev.preventDefault();
    ev.stopPropagation();
    selectNode(name);
    act(map[ev.key], name);
  }
}

function setPlaying(on) {
  if (app.playing && !on) saveSession();
  app.playing = on;
  app.lastTs = null;
  app.pace = [];
  app.vt = app.sb.nowUs();
  setText($('play'), t(on ? 'page.pause' : 'page.play')); // U+275A: in DejaVu, unlike ⏸
  $('play').setAttribute('aria-pressed', String(on));
}

function setSpeed(i) {
  app.speed = Math.max(0, Math.min(SPEEDS.length - 1, i));
  app.pace = [];
  $('speed').value = String(app.speed);
}

function refresh() {
  const t0 = performance.now();
  const v = app.views;
  // Trace records cost the most to build (narration, effects): fetch them only when the log
  // will draw them (every FLUSH_MS while playing); at ×10 and faster only the newest PER_FLUSH
  // (the rest are counted as skipped), else up to 250 (the snapshot's default).
  const wantTrace = !app.playing || v.log.due();
  const fast = app.playing && SPEEDS[app.speed] >= 10;
  // The znode list only when its panel shows and the tree changed (as the last snapshot's digest
  // says: a change is drawn one frame later), the topics only when their panel shows.
  const wantZnodes = (!$('znodes').hidden || !v.znodes.key) && (!app.snap || v.znodes.keyOf(app.snap) !== v.znodes.key);
  const wantTopics = !$('topics').hidden || !v.topics.key;
  const snap = app.sb.snapshot(wantTrace ? app.since : Infinity, fast ? PER_FLUSH : undefined, (wantZnodes ? 1 : 0) | (wantTopics ? 2 : 0));
  app.part.snap = performance.now() - t0;
  if (!app.snap) performance.mark('first-snapshot');
  if (wantTrace) app.since = snap.trace_len;
  app.snap = snap;
  setText($('time'), snap.now);
  setText($('stats'), t('page.stats', { seed: snap.seed, events: snap.events, flights: snap.flights_total, hash: snap.trace_hash }));
  setText($('net'), snap.cuts.length ? t('page.net-cut', { net: snap.net, cuts: snap.cuts.map(([a, b]) => `${a}→${b}`).join(' ') }) : snap.net);
  v.cluster.update(snap);
  app.timeline?.update();
  v.log.add(snap);
  v.highlights.update(app.sb, snap.highlights, snap.now_us);
  if (wantZnodes) v.znodes.update(snap);
  else if (!$('znodes').hidden && v.znodes.keyOf(snap) !== v.znodes.key) app.dirty = true; // fetch it next frame
  if (wantTopics) v.topics.update(snap);
  v.term.setShell(snap.shell_open);
  setData(document.body, 'leader', snap.nodes.find((n) => n.mode === 'leader' || n.mode === 'standalone')?.name ?? '');
  setData(document.body, 'controller', snap.controller ?? '');
  app.part.render = performance.now() - t0 - app.part.snap;
}

/** Advance the simulation towards app.vt within the frame's time budget. */
function advance(deadline) {
  for (;;) {
    const chunk = Math.max(50, Math.round(app.eventsPerMs * CHUNK_MS));
    const t = performance.now();
    const r = app.sb.runUntil(app.vt, chunk);
    const now = performance.now();
    if (r.events >= 50 && now > t) app.eventsPerMs = 0.7 * app.eventsPerMs + 0.3 * (r.events / (now - t));
    if (r.reached || r.error) return;
    if (now + CHUNK_MS > deadline) { app.vt = r.now_us; app.limitedAt = now; return; } // virtual time lags
  }
}

/** The speed actually achieved over the last second, shown when the budget limited it. */
function showPace(ts) {
  const p = app.pace;
  p.push([ts, app.sb.nowUs()]);
  while (p.length > 2 && ts - p[0][0] > 1000) p.shift();
  const limited = app.playing && performance.now() - app.limitedAt < 1000 && p.length > 1 && ts > p[0][0];
  const actual = limited ? (p[p.length - 1][1] - p[0][1]) / 1000 / (ts - p[0][0]) : 0;
  setText($('pace'), limited && actual < 0.9 * SPEEDS[app.speed] ? t('page.pace', { speed: fmtSpeed(actual) }) : '');
}

function fmtSpeed(x) {
  return String(Number(x.toPrecision(2)));
}

/** Set a data attribute only when it changed (an attribute write invalidates style). */
function setData(e, key, value) {
  const v = String(value);
  if (e.dataset[key] !== v) e.dataset[key] = v;
}

function frame(ts) {
  const t0 = performance.now();
  let worked = false;
  app.part = { sim: 0, snap: 0, render: 0 };
  app.views.log.settle(); // before any DOM change: layout is still clean
  app.views.term.settle();
  if (app.playing) {
    if (app.lastTs !== null) {
      const dt = Math.min(ts - app.lastTs, 100);
      app.vt = Math.max(app.vt, app.sb.nowUs()) + dt * 1000 * SPEEDS[app.speed];
      const ts0 = performance.now();
      advance(ts0 + SIM_BUDGET_MS);
      app.part.sim = performance.now() - ts0;
    }
    app.lastTs = ts;
    app.dirty = true;
    showPace(ts);
    if (!(performance.now() - (app.savedAt || 0) < 2000)) saveSession(true);
  } else if (app.pace.length) { app.pace = []; setText($('pace'), ''); }
  if (app.dirty) { app.dirty = false; refresh(); worked = true; }
  else if (app.views.log.pending.length) { app.views.log.flush(true); worked = true; }
  if (worked) {
    app.frames.push(performance.now() - t0);
    app.parts.push(app.part);
    if (app.frames.length > 600) { app.frames.shift(); app.parts.shift(); }
  }
  if (app.prevTs !== undefined) { app.gaps.push(ts - app.prevTs); if (app.gaps.length > 600) app.gaps.shift(); }
  app.prevTs = ts;
  requestAnimationFrame(frame);
}

/** Frame work statistics (ms), for the benchmark: the whole frame callback and the p95 of its
 * parts (simulation advance, snapshot, rendering), and the intervals between frames. */
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const p95 = (s) => s[Math.floor(s.length * 0.95)];
window.__frameStats = (reset) => {
  const f = sorted(app.frames);
  const parts = {};
  for (const k of ['sim', 'snap', 'render']) {
    const v = sorted(app.parts.map((p) => p[k] || 0));
    parts[k] = v.length ? p95(v) : 0;
  }
  // Animation frame intervals: the whole frame, rendering included (16.7 ms at 60 fps).
  const g = sorted(app.gaps);
  if (reset) { app.frames = []; app.parts = []; app.gaps = []; }
  if (!f.length) return null;
  return { n: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p95: p95(f), max: f[f.length - 1], parts,
    interval: g.length ? { p50: g[g.length >> 1], p95: p95(g), max: g[g.length - 1] } : null };
};

function wire() {
  for (const [i, s] of SPEEDS.entries()) $('speed').append(el('option', { value: String(i) }, `×${s}`));
  $('speed').addEventListener('change', () => setSpeed(Number($('speed').value)));
  $('play').addEventListener('click', () => setPlaying(!app.playing));
  $('step').addEventListener('click', () => { setPlaying(false); app.sb.step(1); app.dirty = true; });
  $('next').addEventListener('click', () => { setPlaying(false); app.sb.stepToChange(1_000_000); app.dirty = true; });
  $('heal').addEventListener('click', () => act('heal', ''));
  $('partition').addEventListener('click', () => act('partition', $('groups').value));
  $('groups').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); act('partition', $('groups').value); } });
  for (const b of document.querySelectorAll('#nodeactions button')) {
    b.addEventListener('click', () => {
      if (!app.selected) { app.views.term.print([t('page.select-first')], 'err'); return; }
      act(b.dataset.action, app.selected);
    });
  }
  for (const t of document.querySelectorAll('.tabs [role=tab]')) {
    t.addEventListener('click', () => {
      for (const u of document.querySelectorAll('.tabs [role=tab]')) {
        const on = u === t;
        u.setAttribute('aria-selected', String(on));
        $(u.dataset.tab).hidden = !on;
      }
      app.dirty = true;
    });
  }
  const legend = $('legend');
  for (const { id: k, label, members } of messageKinds()) {
    // Rust names the kinds; the page's table may translate a label (page.legend.<id>).
    const b = el('button', { type: 'button', class: 'kind', 'aria-pressed': 'true', title: members, dataset: { kind: k, label }, style: `--c:${kindColour(k)}` }, legendLabel(k, label));
    b.addEventListener('click', () => {
      const hidden = app.views.cluster.hidden;
      if (hidden.has(k)) hidden.delete(k); else hidden.add(k);
      b.setAttribute('aria-pressed', String(!hidden.has(k)));
      app.dirty = true;
    });
    legend.append(b);
  }
  $('fresh').addEventListener('click', () => { $('seed').value = Sandbox.freshSeed(); });
  $('setup').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const errors = [];
    const seed = $('seed').value.trim() || Sandbox.freshSeed();
    const se = Sandbox.checkSeed(seed);
    if (se) errors.push(se);
    const zk = Number($('zk').value), brokers = Number($('brokers').value);
    if (!Number.isInteger(zk) || zk < 1 || zk > 7) errors.push(t('page.err.zk-range'));
    if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) errors.push(t('page.err.brokers-range'));
    showErrors(errors);
    if (errors.length) return;
    newSandbox(seed, zk, brokers);
    rebuildViews();
    app.views.term.print([t('page.info.new-cluster', { seed: app.sb.seed(), zk, brokers })], 'info');
  });
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if ((ev.key === ' ' && !(t instanceof HTMLButtonElement)) || ev.key === 'p') { ev.preventDefault(); setPlaying(!app.playing); }
    else if (ev.key === '.') { setPlaying(false); app.sb.step(1); app.dirty = true; }
    else if (ev.key === ',') { ev.preventDefault(); app.timeline.stepBack(); }
    else if (ev.shiftKey && (ev.key === 'ArrowLeft' || ev.key === 'ArrowRight')) { ev.preventDefault(); app.timeline.jump(ev.key === 'ArrowLeft' ? -1 : 1); }
    else if (ev.key === 'n') { setPlaying(false); app.sb.stepToChange(1_000_000); app.dirty = true; }
    else if (ev.key === '[') setSpeed(app.speed - 1);
    else if (ev.key === ']') setSpeed(app.speed + 1);
    else if (ev.key === 'h') act('heal', '');
    else if (app.selected && 'utkrzxi'.includes(ev.key)) nodeKey(ev, app.selected);
  });
}

function rebuildViews() {
  for (const id of ['cluster', 'events', 'znodes', 'topics', 'terminal']) clear($(id));
  app.views = buildViews();
  app.selected = null;
  setText($('selname'), t('page.select-hint'));
}

/** After a language switch: the words this file and the views wrote themselves (the static ones
 * are filled by applyI18n from their data-i18n attributes). */
function legendLabel(kind, label) {
  const key = `page.legend.${kind}`;
  const s = t(key);
  return s === key ? label : s;
}

function relabel() {
  for (const b of $('legend').querySelectorAll('button.kind')) b.textContent = legendLabel(b.dataset.kind, b.dataset.label);
  if (app.search0 !== undefined) showErrors(readParams(app.search0).errors);
  setText($('play'), t(app.playing ? 'page.pause' : 'page.play'));
  setText($('selname'), app.selected ? t('page.selected', { name: app.selected }) : t('page.select-hint'));
  for (const v of Object.values(app.views || {})) if (v.relabel) v.relabel();
  app.dirty = true;
}

async function main() {
  performance.mark('main-start');
  const compiled = await wasmModule; // started by boot.js while the other scripts loaded
  performance.mark('wasm-compiled');
  await init(compiled ? { module_or_path: compiled } : undefined);
  performance.mark('wasm-ready');
  setVocabulary(Sandbox.vocabulary());
  // The string tables were fetched since page-i18n.js loaded, in parallel with the wasm module:
  // normally ready by now. If not (a loaded machine), wait a few ms at most, draw the first frame
  // anyway and relabel the page when they arrive.
  const late = await Promise.race([langReady.then(() => false), new Promise((r) => setTimeout(r, LANG_WAIT_MS, true))]);
  mountLangSwitch($('lang'));
  onLangChange(relabel);
  if (late) langReady.then(relabel);
  app.search0 = location.search;
  const { params, errors } = readParams(location.search);
  if (params.embed) document.body.classList.add('embed');
  // A session in the URL: replayed by Rust, which explains anything wrong with it; then the
  // page is the default one.
  let opened = null;
  if (params.session !== null) {
    try { opened = Sandbox.fromSessionState(params.session); } catch (e) {
      errors.push(t('timeline.url-error', { error: e && e.message ? e.message : String(e) }));
    }
    const w = opened && opened.sessionWarning();
    if (w) errors.push(w);
  }
  showErrors(errors);
  wire();
  setSpeed(params.speed);
  if (opened) { const [zk, brokers] = opened.shape(); params.zk = zk; params.brokers = brokers; newSandbox(opened.seed(), zk, brokers, opened); }
  else newSandbox(params.seed ?? Sandbox.freshSeed(), params.zk, params.brokers);
  rebuildViews();
  app.timeline = new TimelineView($('timeline'), { sb: () => app.sb, moved, pause: () => setPlaying(false) });
  const term = app.views.term;
  const hello = () => term.print([t('page.info.start', { seed: app.sb.seed(), zk: params.zk, brokers: params.brokers })], 'info');
  if (late) langReady.then(hello); else hello(); // in the reader's language, even when the tables came late
  if (opened) {
    // The timeline's marks come from the live end; then back to the position the link shows.
    const p = app.sb.position();
    if (!p.live) { app.sb.goLive(); app.timeline.update(true); app.sb.showSessionPosition(); }
    app.timeline.update(true);
    moved();
  } else if (params.script !== null) {
    for (const line of params.script.split(/\r?\n/)) {
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      runLine(line);
    }
  }
  performance.mark('views-built');
  refresh();
  app.dirty = false;
  performance.mark('first-cluster');
  // A task after the next frame runs once that frame (layout and paint) is done: for the bench.
  requestAnimationFrame(() => setTimeout(() => performance.mark('first-cluster-painted')));
  document.body.dataset.ready = '1';
  setPlaying(!params.paused);
  requestAnimationFrame(frame);
  window.__app = app; // for the end-to-end tests and the benchmark
  // Lessons and pictures (www/lessons.js): they drive the page through these hooks only.
  initLessons({
    app, sb: () => app.sb, runLine, setPlaying, showErrors: (e) => showErrors([...errors, ...e]),
    newCluster: (seed, zk, brokers) => { newSandbox(seed, zk, brokers); rebuildViews(); },
    print: (lines, kind) => app.views.term.print(lines, kind), speed: () => SPEEDS[app.speed], dirty: () => { app.dirty = true; },
  });
}

main().catch((e) => {
  showErrors([t('page.err.start-failed', { error: e && e.message ? e.message : e })]);
  document.body.dataset.ready = 'error';
});
