// The timeline: the session's virtual time as an axis, with marks for what mattered (from the
// highlights Rust derives from the trace: elections, epochs, the controller, sessions, brokers,
// partition leaders and ISRs, lost records, violations) and for every user input. Hover a mark
// for its sentence, click it to go there, drag along the axis to scrub; `,` steps back one
// event, Shift+← / Shift+→ go to the previous / next mark. All positions and replays are
// computed in Rust (src/timetravel/); this file draws and forwards the gestures.

import { el, clear, setText } from './dom.js';
import { t, onLangChange } from './i18n.js';

/** Highlight kinds drawn on the axis (others, such as records-acked, would crowd it). */
const MARKED = new Set(['zk-leader-elected', 'zk-quorum-lost', 'zk-new-epoch', 'controller-elected', 'session-expired',
  'broker-registered', 'broker-gone', 'partition-leader-changed', 'isr-shrunk', 'isr-expanded', 'records-lost', 'violation']);
/** The lane and colour group of a kind. */
const GROUP = {
  'zk-leader-elected': 'zk', 'zk-quorum-lost': 'bad', 'zk-new-epoch': 'zk', 'controller-elected': 'ctl', 'session-expired': 'ctl',
  'broker-registered': 'broker', 'broker-gone': 'broker', 'partition-leader-changed': 'part', 'isr-shrunk': 'part',
  'isr-expanded': 'part', 'records-lost': 'bad', violation: 'bad', input: 'input',
};

/** Longest session text the page reads from its URL (Rust checks the rest). */
export const MAX_SESSION_TEXT = 200000;

/**
 * The query string with the session text last: other parameters as URLSearchParams writes
 * them, the session with only the characters a query needs escaped (a space is `+`, as
 * URLSearchParams reads it back), so a long session stays short in the address bar.
 */
export function sessionSearch(params, text) {
  const enc = text.replace(/[^A-Za-z0-9\-._~:/,;@!$'()*]/gu, (c) => (c === ' ' ? '+' : encodeURIComponent(c)));
  const rest = params.toString();
  return `?${rest ? `${rest}&` : ''}s=${enc}`;
}

/** Seconds of virtual time as the trace prints them (`12.345s`). */
export function fmtTime(us) {
  return `${(us / 1e6).toFixed(3)}s`;
}

export class TimelineView {
  /**
   * root: the element to fill. host: { sb(): the Sandbox, moved(): called after the position
   * changed by a seek (the page redraws every panel), pause(): stop the clock }.
   */
  constructor(root, host) {
    this.root = root;
    this.host = host;
    this.highlights = []; // {index, at_us, event, kind, args}, in trace order, of the live timeline
    this.hlSince = 0;
    this.marks = []; // {at_us, kind, text, go()} sorted by time
    this.pendingSeek = null;
    this.dragging = false;
    this.build();
    onLangChange(() => { this.build(); this.update(true); });
  }

  build() {
    clear(this.root);
    this.root.setAttribute('role', 'group');
    this.root.setAttribute('aria-label', t('timeline.label'));
    this.track = el('div', {
      class: 'tl-track', role: 'slider', tabindex: '0', 'aria-label': t('timeline.scrub'),
      'aria-valuemin': '0', title: t('timeline.drag'),
    });
    this.past = el('div', { class: 'tl-past' });
    this.lanes = el('div', { class: 'tl-lanes' });
    this.cursor = el('div', { class: 'tl-cursor' });
    this.edge = el('div', { class: 'tl-edge', title: t('timeline.live') });
    this.track.append(this.past, this.lanes, this.cursor, this.edge);
    this.tip = el('div', { class: 'tl-tip', role: 'tooltip', hidden: true });
    this.where = el('span', { class: 'tl-where' });
    this.state = el('span', { class: 'tl-state' });
    this.backBtn = el('button', { type: 'button', class: 'tl-live', title: t('timeline.back-to-live.title'), onclick: () => this.goLive() }, t('timeline.back-to-live'));
    this.stepBtn = el('button', { type: 'button', title: t('timeline.step-back.title'), 'aria-keyshortcuts': ',', onclick: () => this.stepBack() }, t('timeline.step-back'));
    this.fork = el('span', { class: 'tl-fork', role: 'status' });
    this.redoBtn = el('button', { type: 'button', class: 'tl-redo', title: t('timeline.redo.title'), hidden: true, onclick: () => this.redo() }, t('timeline.redo'));
    const info = el('div', { class: 'tl-info' }, this.stepBtn, this.state, this.where, this.backBtn, this.fork, this.redoBtn,
      el('span', { class: 'muted small tl-keys' }, t('timeline.keys')));
    this.root.append(this.track, this.tip, info);
    this.track.addEventListener('pointerdown', (ev) => this.down(ev));
    this.track.addEventListener('pointermove', (ev) => this.move(ev));
    this.track.addEventListener('pointerup', (ev) => this.up(ev));
    this.track.addEventListener('pointercancel', () => { this.dragging = false; });
    this.track.addEventListener('pointerleave', () => this.hideTip());
    this.track.addEventListener('keydown', (ev) => {
      if (ev.key === 'ArrowLeft' && !ev.shiftKey) { ev.preventDefault(); this.stepBack(); }
      else if (ev.key === 'Home') { ev.preventDefault(); this.seekTime(0); }
      else if (ev.key === 'End') { ev.preventDefault(); this.goLive(); }
    });
    this.drawn = null;
  }

  /** Forget everything (a new sandbox). */
  reset() {
    this.highlights = [];
    this.hlSince = 0;
    this.marks = [];
    this.drawn = null;
    this.showFork(null);
    this.update(true);
  }

  /** Collect new highlights (only at the live end: the past's are known already). */
  poll(pos) {
    const sb = this.host.sb();
    if (!pos.live || typeof sb.highlights !== 'function') return false;
    let fresh;
    try { fresh = sb.highlights(this.hlSince); } catch { return false; }
    if (!Array.isArray(fresh) || !fresh.length) return false;
    for (const h of fresh) if (h && typeof h.index === 'number') this.highlights.push(h);
    this.hlSince = Math.max(this.hlSince, ...fresh.map((h) => (typeof h.index === 'number' ? h.index + 1 : 0)));
    return true;
  }

  /** The marks: highlights of the kinds drawn, and the inputs. */
  collect() {
    const sb = this.host.sb();
    const marks = [];
    for (const h of this.highlights) {
      if (!MARKED.has(h.kind)) continue;
      marks.push({ at_us: h.at_us, kind: h.kind, text: `${fmtTime(h.at_us)} ${t(`highlights.${h.kind}`, h.args || {})}`, go: () => this.seekEvent(h.event) });
    }
    for (const i of sb.inputs()) {
      marks.push({ at_us: i.at_us, kind: 'input', text: `${fmtTime(i.at_us)} ${t(i.click ? 'timeline.click' : 'timeline.input', { line: i.line })}`, go: () => this.seekStop(i.stop), applied: i.applied });
    }
    marks.sort((a, b) => a.at_us - b.at_us);
    this.marks = marks;
  }

  /** Redraw (cheap when nothing changed). */
  update(force = false) {
    const sb = this.host.sb();
    if (!sb) return;
    const pos = sb.position();
    const polled = this.poll(pos);
    const span = Math.max(pos.live_at_us, 1e6);
    const key = `${pos.live_inputs}|${this.highlights.length}|${Math.round(span / 1e5)}`;
    if (force || polled || key !== this.drawn) {
      this.collect();
      this.drawMarks(span);
      this.drawn = key;
    }
    const x = (us) => `${Math.min(100, (100 * us) / span)}%`;
    this.cursor.style.left = x(pos.at_us);
    this.past.style.left = x(pos.at_us);
    this.past.hidden = pos.live;
    this.track.setAttribute('aria-valuemax', String(Math.round(pos.live_at_us / 1000)));
    this.track.setAttribute('aria-valuenow', String(Math.round(pos.at_us / 1000)));
    this.track.setAttribute('aria-valuetext', t('timeline.position', { at: fmtTime(pos.at_us), event: pos.event, live: fmtTime(pos.live_at_us), live_event: pos.live_event }));
    setText(this.where, t('timeline.position', { at: fmtTime(pos.at_us), event: pos.event, live: fmtTime(pos.live_at_us), live_event: pos.live_event }));
    setText(this.state, pos.live ? t('timeline.live') : t('timeline.past'));
    this.state.className = pos.live ? 'tl-state live' : 'tl-state past';
    this.root.classList.toggle('in-past', !pos.live);
    this.backBtn.hidden = pos.live;
    this.redoBtn.hidden = !pos.can_redo;
    this.pos = pos;
    return pos;
  }

  drawMarks(span) {
    clear(this.lanes);
    const frag = document.createDocumentFragment();
    for (const m of this.marks) {
      const g = GROUP[m.kind] || 'zk';
      const d = el('span', { class: `tl-mark g-${g} k-${m.kind}${m.applied === false ? ' future' : ''}`, dataset: { kind: m.kind } });
      d.style.left = `${Math.min(100, (100 * m.at_us) / span)}%`;
      d.addEventListener('pointerenter', (ev) => this.showTip(m.text, ev));
      d.addEventListener('pointerdown', (ev) => { ev.stopPropagation(); ev.preventDefault(); this.host.pause(); m.go(); this.hideTip(); });
      frag.append(d);
    }
    this.lanes.append(frag);
  }

  showTip(text, ev) {
    setText(this.tip, text);
    this.tip.hidden = false;
    const r = this.root.getBoundingClientRect();
    this.tip.style.left = `${Math.max(0, Math.min(ev.clientX - r.left, r.width - 260))}px`;
  }

  hideTip() { this.tip.hidden = true; }

  timeAt(ev) {
    const r = this.track.getBoundingClientRect();
    const f = Math.max(0, Math.min(1, (ev.clientX - r.left) / Math.max(1, r.width)));
    const span = Math.max(this.pos ? this.pos.live_at_us : 0, 1e6);
    return Math.round(f * span);
  }

  down(ev) {
    if (ev.button !== 0) return;
    this.host.pause();
    this.dragging = true;
    this.track.setPointerCapture?.(ev.pointerId);
    this.queueSeek(this.timeAt(ev));
  }

  move(ev) {
    if (this.dragging) this.queueSeek(this.timeAt(ev));
  }

  up(ev) {
    if (!this.dragging) return;
    this.dragging = false;
    this.queueSeek(this.timeAt(ev));
  }

  /** Scrubbing: at most one seek per animation frame (the newest position wins). */
  queueSeek(us) {
    const first = this.pendingSeek === null;
    this.pendingSeek = us;
    if (first) {
      requestAnimationFrame(() => {
        const target = this.pendingSeek;
        this.pendingSeek = null;
        this.seekTime(target);
      });
    }
  }

  seekTime(us) { this.host.sb().seekTime(us); this.moved(); }
  seekEvent(n) { this.host.sb().seekEvent(n); this.moved(); }
  seekStop(n) { this.host.sb().seekStop(n); this.moved(); }
  stepBack(n = 1) { this.host.pause(); this.host.sb().stepBack(n); this.moved(); }
  goLive() { this.host.sb().goLive(); this.moved(); }
  redo() {
    if (this.host.sb().redo()) { this.showFork(null); this.moved(); this.update(true); }
  }

  moved() {
    this.update();
    this.host.moved();
  }

  /** Go to the mark before (dir = -1) or after (dir = 1) the shown time. */
  jump(dir) {
    this.host.pause();
    const at = this.pos ? this.pos.at_us : 0;
    const m = dir < 0 ? [...this.marks].reverse().find((x) => x.at_us < at) : this.marks.find((x) => x.at_us > at);
    if (m) m.go();
  }

  /** After an input: say whether it forked the session (and drop the discarded marks). */
  afterInput(out) {
    if (!out || !out.forked) return;
    const at = this.pos ? this.pos.at_us : 0;
    this.highlights = this.highlights.filter((h) => h.at_us <= at);
    this.hlSince = this.highlights.length ? this.highlights[this.highlights.length - 1].index + 1 : 0;
    this.showFork(out.dropped > 0 ? t('timeline.forked', { dropped: out.dropped }) : t('timeline.forked-none'));
    this.update(true);
  }

  showFork(text) {
    setText(this.fork, text || '');
    this.fork.hidden = !text;
  }
}
