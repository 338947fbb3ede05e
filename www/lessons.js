// The lesson engine: a table of contents (lessons/index.json), deep links ?lesson=ID&step=N, and a
// lesson panel that narrates each step in the current language, runs the step's lines through the
// terminal (visibly), points at what to look at (nodes, partitions, znodes, a panel) and runs the
// clock until the step's `until` condition holds. The conditions are judged in Rust
// (sb.waitFor / sb.runUntilCondition, src/lesson/); this file only sequences and draws.
//
// Previous seeks back to the start of the step (f-time's sb.seekEvent when the page has it, else
// the lesson is replayed from its start: the simulation is deterministic, so the state is the
// same). The learner may leave the path and try anything; Resume returns to where the step
// stands. With prefers-reduced-motion, waits complete at once instead of animating the clock.

import { t, lang, onLangChange, loadLang, pickLang } from './i18n.js';
import { el, clear, setText } from './dom.js';
import { PicturesView } from './render/pictures.js';

/** The URL parameters this file reads. */
export const LESSON_PARAMS = ['lesson', 'step'];

/** Start the lessons and the pictures on the page (main.js calls this once, after the first frame is ready). */
export async function initLessons(host) {
  if (t('lessons.next') === 'lessons.next') await loadLang(pickLang());
  const box = el('section', { id: 'pictures', class: 'pictures' });
  (document.getElementById('nodeactions') || document.body).after(box);
  const pictures = new PicturesView(box, host.sb);
  const lessons = new Lessons({ ...host, selectPartition: (p) => pictures.select(p) });
  host.app.lessons = lessons;
  host.app.pictures = pictures;
  const lp = readLessonParams(location.search);
  if (lp.errors.length) host.showErrors(lp.errors);
  await lessons.loadIndex();
  if (lp.id) {
    if (lessons.index.includes(lp.id)) await lessons.start(lp.id, lp.step);
    else host.showErrors([t('lessons.unknown', { id: lp.id })]);
  }
  document.body.dataset.lessonsReady = '1';
  return lessons;
}

// www/lessons is a symbolic link to the repository's lessons/ (served with the page).
const LESSONS_URL = new URL('./lessons/', import.meta.url);
const FRAME_BUDGET_MS = 5;
const CHUNK = 2000; // events per runUntilCondition call
const INSTANT_EVENTS = 20_000_000; // a wait run at once stops after this many events

const reducedMotion = () => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
const pick = (o) => (o && (o[lang()] ?? o.en)) || '';

/** Check ?lesson=&step= (the lesson's existence is checked once the index is loaded). */
export function readLessonParams(search) {
  const q = new URLSearchParams(search);
  const errors = [];
  const id = q.get('lesson');
  let step = 1;
  if (q.has('step')) {
    const s = q.get('step');
    if (!/^\d{1,3}$/.test(s) || +s < 1) errors.push(`step must be a whole number from 1, got '${s.slice(0, 30)}'`);
    else step = +s;
  }
  if (id !== null && !/^[a-z0-9-]{1,64}$/.test(id)) { errors.push(`lesson must be a lesson id like seed-walkthrough, got '${id.slice(0, 40)}'`); return { id: null, step, errors }; }
  return { id, step, errors };
}

export class Lessons {
  /**
   * host: { sb(): Sandbox, newCluster(seed, zk, brokers), runLine(line), print(lines, kind),
   *         setPlaying(on), speed(): number, dirty(), showErrors(list), selectPartition(name) }
   */
  constructor(host) {
    this.host = host;
    this.index = [];
    this.cache = new Map();
    this.lesson = null;
    this.step = -1;
    this.phase = 'idle'; // idle | waiting | done | timeout
    this.marks = []; // per step: {start, end, endHash}
    this.offPath = false;
    this.waitLimit = 0;
    this.build();
    onLangChange(() => { this.renderContents(); this.render(); });
    setInterval(() => this.watchPath(), 500);
  }

  build() {
    const b = (key, cls, fn) => { const x = el('button', { type: 'button', class: cls, onclick: fn }); x.dataset.key = key; return x; };
    this.openBtn = b('lessons.contents', 'lessons-open', () => this.toggleContents());
    this.openBtn.setAttribute('aria-expanded', 'false');
    this.openBtn.setAttribute('aria-controls', 'lessons-toc');
    document.querySelector('header')?.append(this.openBtn);
    this.toc = el('nav', { id: 'lessons-toc', class: 'lessons-toc', hidden: '' });
    this.panel = el('section', { id: 'lesson', class: 'lesson', hidden: '' });
    this.titleEl = el('h2', { class: 'lesson-title' });
    this.stepEl = el('span', { class: 'lesson-step muted' });
    this.stepTitle = el('h3', { class: 'lesson-step-title' });
    this.textEl = el('p', { class: 'lesson-text' });
    this.lookEl = el('p', { class: 'lesson-look small' });
    this.statusEl = el('p', { class: 'lesson-status', role: 'status', 'aria-live': 'polite' });
    this.prevBtn = b('lessons.prev', 'lesson-prev', () => this.go(this.step - 1));
    this.nextBtn = b('lessons.next', 'lesson-next', () => this.next());
    this.skipBtn = b('lessons.skip', 'lesson-skip', () => this.finishWait());
    this.resumeBtn = b('lessons.resume', 'lesson-resume', () => this.resume());
    this.closeBtn = b('lessons.close', 'lesson-close', () => this.close());
    const head = el('div', { class: 'lesson-head' }, this.titleEl, this.stepEl, this.closeBtn);
    const nav = el('div', { class: 'lesson-nav' }, this.prevBtn, this.nextBtn, this.skipBtn, this.resumeBtn);
    this.panel.append(head, this.stepTitle, this.textEl, this.lookEl, this.statusEl, nav);
    this.focusStyle = el('style', { id: 'lesson-focus-style' });
    document.head.append(this.focusStyle);
    const controls = document.querySelector('nav.controls') || document.querySelector('header');
    controls.after(this.toc, this.panel);
    this.panel.setAttribute('aria-labelledby', 'lesson-title');
    this.titleEl.id = 'lesson-title';
    this.render();
  }

  async loadIndex() {
    try {
      const r = await fetch(new URL('index.json', LESSONS_URL));
      const j = await r.json();
      this.index = Array.isArray(j.lessons) ? j.lessons.filter((x) => typeof x === 'string') : [];
    } catch { this.index = []; }
    await Promise.all(this.index.map((id) => this.load(id).catch(() => null)));
    this.renderContents();
    return this.index;
  }

  async load(id) {
    if (this.cache.has(id)) return this.cache.get(id);
    const r = await fetch(new URL(`${id}.json`, LESSONS_URL));
    if (!r.ok) throw new Error(`lesson ${id}: ${r.status}`);
    const l = await r.json();
    this.cache.set(id, l);
    return l;
  }

  toggleContents(show) {
    const on = show ?? this.toc.hidden;
    this.toc.hidden = !on;
    this.openBtn.setAttribute('aria-expanded', String(on));
    if (on) this.toc.querySelector('a')?.focus();
  }

  renderContents() {
    clear(this.toc);
    const h = el('h2', { id: 'lessons-toc-title' }, t('lessons.contents-title'));
    this.toc.setAttribute('aria-labelledby', 'lessons-toc-title');
    const ol = el('ol', { class: 'lessons-list' });
    for (const id of this.index) {
      const l = this.cache.get(id);
      if (!l) continue;
      const u = new URL(location.href);
      u.search = '';
      u.searchParams.set('lesson', id);
      u.searchParams.set('step', '1');
      if (new URLSearchParams(location.search).has('lang')) u.searchParams.set('lang', lang());
      const a = el('a', { href: u.pathname + u.search, dataset: { lesson: id } }, pick(l.title));
      a.addEventListener('click', (ev) => { ev.preventDefault(); this.toggleContents(false); this.start(id, 1); });
      ol.append(el('li', null, a, el('span', { class: 'muted small' }, ` — ${pick(l.summary)}`)));
    }
    this.toc.append(h, ol);
  }

  /** Open lesson `id` at step `n` (1-based): a fresh cluster, earlier steps replayed at once. */
  async start(id, n = 1) {
    let l;
    try { l = await this.load(id); } catch { this.host.showErrors([t('lessons.unknown', { id })]); return false; }
    const steps = l.steps || [];
    if (n < 1 || n > steps.length) { this.host.showErrors([t('lessons.bad-step', { n: steps.length, s: n })]); n = 1; }
    this.lesson = l;
    this.marks = [];
    this.panel.hidden = false;
    document.body.classList.add('in-lesson');
    this.replayTo(n - 1, false);
    this.play(n - 1);
    return true;
  }

  close() {
    this.lesson = null;
    this.step = -1;
    this.phase = 'idle';
    this.panel.hidden = true;
    document.body.classList.remove('in-lesson');
    this.host.sb().clearWait?.();
    setText(this.focusStyle, '');
    const u = new URL(location.href);
    u.searchParams.delete('lesson');
    u.searchParams.delete('step');
    history.replaceState(null, '', u);
  }

  position() {
    const sb = this.host.sb();
    return typeof sb.position === 'function' ? sb.position().event : null;
  }

  canSeek() { return typeof this.host.sb().seekEvent === 'function'; }

  /** The state after steps 0..k-1 (through their waits), on a fresh cluster, without animation. */
  replayTo(k, includeStep) {
    const l = this.lesson;
    const s = l.setup || {};
    this.host.newCluster(String(s.seed ?? 1), s.zk ?? 3, Math.max(1, s.brokers ?? 1));
    const sb = this.host.sb();
    const last = includeStep ? k : k - 1;
    for (let j = 0; j <= last; j++) {
      this.marks[j] = { ...(this.marks[j] || {}), start: this.position() };
      const st = l.steps[j];
      if (st.wait) sb.waitFor(st.wait.until);
      for (const line of st.run || []) sb.run(line);
      if (st.wait) sb.runUntilCondition(sb.nowUs() + st.wait.within_s * 1e6, INSTANT_EVENTS);
      sb.clearWait();
      this.marks[j].end = this.position();
      this.marks[j].endHash = sb.traceHash();
    }
    if (last >= 0) this.host.print([t('lessons.replayed', { n: last + 1 })], 'info');
    this.host.dirty();
  }

  /** Show step k and run it: its lines through the terminal, then the wait. */
  play(k) {
    const l = this.lesson;
    const st = l.steps[k];
    const sb = this.host.sb();
    this.step = k;
    this.offPath = false;
    this.host.setPlaying(false);
    this.marks[k] = { start: this.position() };
    this.setUrl();
    this.applyFocus(st.focus || {});
    if (st.wait) {
      const r = sb.waitFor(st.wait.until);
      if (r.error) { this.host.print([`lesson: ${r.error}`], 'err'); }
    } else sb.clearWait();
    for (const line of st.run || []) this.host.runLine(line);
    if (st.wait) {
      this.phase = 'waiting';
      this.waitLimit = sb.nowUs() + st.wait.within_s * 1e6;
      if (reducedMotion()) this.finishWait();
      else { this.lastTs = null; requestAnimationFrame((ts) => this.tick(ts)); }
    } else this.stepDone();
    this.render();
    this.host.dirty();
  }

  /** One frame of waiting: advance the clock at the page's speed (at least ×1) until the condition holds. */
  tick(ts) {
    if (this.phase !== 'waiting') return;
    const sb = this.host.sb();
    const dt = this.lastTs === null ? 16 : Math.min(ts - this.lastTs, 100);
    this.lastTs = ts;
    const target = Math.min(this.waitLimit, sb.nowUs() + dt * 1000 * Math.max(1, this.host.speed()));
    const deadline = performance.now() + FRAME_BUDGET_MS;
    let r;
    do { r = sb.runUntilCondition(target, CHUNK); } while (!r.met && !r.error && r.now_us < target && performance.now() < deadline);
    this.host.dirty();
    this.after(r);
    if (this.phase === 'waiting') requestAnimationFrame((t2) => this.tick(t2));
  }

  /** Run the clock to the condition at once (Skip, Next during a wait, reduced motion). */
  finishWait() {
    if (this.phase !== 'waiting') return;
    const sb = this.host.sb();
    this.after(sb.runUntilCondition(this.waitLimit, INSTANT_EVENTS));
    this.host.dirty();
  }

  after(r) {
    if (r.error) { this.phase = 'timeout'; this.render(); return; }
    if (r.met) this.stepDone();
    // r.timed_out only says this frame's target was reached: the wait ends at its own limit.
    else if (r.now_us >= this.waitLimit) { this.phase = 'timeout'; this.render(); }
  }

  stepDone() {
    const sb = this.host.sb();
    this.phase = 'done';
    sb.clearWait();
    this.marks[this.step] = { ...this.marks[this.step], end: this.position(), endHash: sb.traceHash() };
    this.render();
  }

  next() {
    if (!this.lesson) return;
    if (this.phase === 'waiting') this.finishWait();
    if (this.step + 1 < this.lesson.steps.length) this.play(this.step + 1);
    else this.close();
  }

  /** Step k from its start: seek back when the page can, else replay the lesson up to it. */
  go(k) {
    if (!this.lesson || k < 0 || k >= this.lesson.steps.length) return;
    this.phase = 'idle';
    const m = this.marks[k];
    if (this.canSeek() && m && m.start !== null && m.start !== undefined) this.host.sb().seekEvent(m.start);
    else this.replayTo(k, false);
    this.play(k);
  }

  /** Back to where the current step stands (its end once done, else its start). */
  resume() {
    if (!this.lesson) return;
    const k = this.step;
    const m = this.marks[k];
    if (m && m.endHash) {
      if (this.canSeek() && m.end !== null && m.end !== undefined) this.host.sb().seekEvent(m.end);
      else this.replayTo(k, true);
      this.host.setPlaying(false);
      this.phase = 'done';
      this.offPath = false;
      this.applyFocus(this.lesson.steps[k].focus || {});
      this.render();
      this.host.dirty();
    } else this.go(k);
  }

  /** Notice when the learner leaves the path (the trace moved past the step's end). */
  watchPath() {
    if (!this.lesson || this.phase !== 'done' || this.offPath) return;
    const m = this.marks[this.step];
    if (m && m.endHash && this.host.sb().traceHash() !== m.endHash) { this.offPath = true; this.render(); }
  }

  setUrl() {
    const u = new URL(location.href);
    u.searchParams.set('lesson', this.lesson.id);
    u.searchParams.set('step', String(this.step + 1));
    history.replaceState(null, '', u);
  }

  applyFocus(f) {
    const q = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&'));
    const sel = [];
    for (const n of f.nodes || []) sel.push(`.node[data-node="${q(n)}"]`);
    for (const p of f.partitions || []) {
      const i = p.lastIndexOf('-');
      if (i > 0) sel.push(`#topics tr[data-topic="${q(p.slice(0, i))}"][data-partition="${q(p.slice(i + 1))}"]`);
    }
    for (const z of f.znodes || []) sel.push(`#znodes [data-path="${q(z)}"]`);
    setText(this.focusStyle, sel.length ? `${sel.join(',\n')} { outline: 3px solid var(--lesson-focus, #d35400); outline-offset: 2px; }` : '');
    if (f.panel) document.querySelector(`.tabs [data-tab="${q(f.panel)}"]`)?.click();
    if (f.partitions && f.partitions[0]) this.host.selectPartition?.(f.partitions[0]);
    this.focus = f;
  }

  /** A condition in words (its parts come from Rust: describeCondition), e.g. "a new controller is elected". */
  describe(until) {
    const d = this.host.sb().constructor.describeCondition?.(until);
    if (!d || d.error) return '';
    return d.parts.map((p) => t(`lessons.cond.${p.name}`, { a: p.args[0] ?? '', b: p.args[1] ?? '' })).join(' · ');
  }

  render() {
    for (const b of document.querySelectorAll('[data-key^="lessons."]')) setText(b, t(b.dataset.key));
    if (!this.lesson) return;
    const l = this.lesson;
    const st = l.steps[this.step] || {};
    setText(this.titleEl, pick(l.title));
    setText(this.stepEl, t('lessons.step-of', { n: this.step + 1, total: l.steps.length }));
    setText(this.stepTitle, pick(st.title));
    setText(this.textEl, pick(st.text));
    const f = st.focus || {};
    const look = [...(f.nodes || []), ...(f.partitions || []), ...(f.znodes || [])];
    setText(this.lookEl, look.length ? `${t('lessons.look')} ${look.join(', ')}` : '');
    clear(this.statusEl);
    this.panel.dataset.phase = this.phase;
    if (this.phase === 'waiting') this.statusEl.append(`${t('lessons.waiting')} ${this.describe(st.wait.until)} `, el('code', null, st.wait.until), ' …');
    else if (this.phase === 'timeout') this.statusEl.append(t('lessons.timeout', { s: st.wait ? st.wait.within_s : 0 }), ' ', el('code', null, st.wait ? st.wait.until : ''));
    else if (this.offPath) this.statusEl.append(t('lessons.off-path'));
    else if (this.phase === 'done' && st.wait) this.statusEl.append(`${t('lessons.met')} ${this.describe(st.wait.until)} `, el('code', null, st.wait.until));
    const lastStep = this.step + 1 >= l.steps.length;
    setText(this.nextBtn, lastStep ? t('lessons.finish') : t('lessons.next'));
    this.prevBtn.disabled = this.step <= 0;
    this.skipBtn.hidden = this.phase !== 'waiting';
    this.resumeBtn.hidden = !(this.offPath || this.phase === 'timeout');
  }
}
