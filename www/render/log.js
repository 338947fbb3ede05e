// The narrated event log, filterable by node and kind; selecting an event shows what it
// changed (the state changes narrated while it was handled, computed in Rust).

import { el, clear, setText } from '../dom.js';
import { kindColour, nodePlace, traceFilters } from '../vocab.js';
import { t } from '../i18n.js';

/** The translation of `key`, or `fallback` when the tables have none. */
const tOr = (key, fallback) => { const s = t(key); return s === key ? fallback : s; };

const KEEP = 5000;
const SHOWN = 200;
export const PER_FLUSH = 60;
const FLUSH_MS = 200;

export class LogView {
  constructor(root) {
    this.root = root;
    this.nodeSel = el('select', { 'aria-label': t('page.log.node-aria'), onchange: () => this.rebuild() }, el('option', { value: '' }, t('page.log.all-nodes')));
    // The kinds come from Rust (vocab.js); the page's table may translate their labels.
    this.kindSel = el('select', { 'aria-label': t('page.log.kind-aria'), onchange: () => this.rebuild() },
      traceFilters().map((f) => el('option', { value: f.id }, f.id ? tOr(`page.log.kind.${f.id}`, f.label) : t('page.log.all-kinds'))));
    this.filterKinds = new Map(traceFilters().map((f) => [f.id, new Set(f.kinds)]));
    this.msgSel = el('select', { 'aria-label': t('page.log.msg-aria'), onchange: () => this.rebuild() }, el('option', { value: '' }, t('page.log.any-message')));
    this.info = el('span', { class: 'muted small' });
    this.list = el('ol', { class: 'log', 'aria-label': t('page.log.list-aria'), tabindex: '0' });
    this.detail = el('div', { class: 'detail', 'aria-live': 'polite' });
    root.append(el('div', { class: 'filters' }, this.nodeSel, this.kindSel, this.msgSel, this.info), this.list, this.detail);
    this.entries = [];
    this.skipped = 0;
    this.nodes = new Set();
    this.msgKinds = new Set();
    this.selected = null;
    this.pending = [];
    this.lastFlush = 0;
    this.scrollPending = false;
    this.stick = true; // follow the newest event unless the reader scrolled up
    this.list.addEventListener('scroll', () => {
      // Between a draw and settle() the rows moved under the reader (new rows below, old ones
      // removed above, scroll anchoring): that is not the reader scrolling away.
      if (this.scrollPending) return;
      this.stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 30;
    }, { passive: true });
  }

  matches(e) {
    const n = this.nodeSel.value, k = this.kindSel.value, m = this.msgSel.value;
    if (n && e.node !== n && e.peer !== n) return false;
    if (k && !(this.filterKinds.get(k) || new Set([k])).has(e.kind)) return false;
    if (m && e.msg_kind !== m) return false;
    return true;
  }

  row(e) {
    const li = el('li', { class: `ev ev-${e.kind}`, dataset: { index: e.index }, tabindex: '-1', onclick: () => this.show(e, li) },
      el('span', { class: 'ev-at' }, e.at), ' ',
      e.msg_kind ? el('span', { class: 'ev-kind', style: `--c:${kindColour(e.msg_kind)}` }, e.msg_kind) : null, ' ',
      el('span', { class: 'ev-text' }, e.text));
    return li;
  }

  add(snap) {
    if (snap.trace_skipped) this.skipped += snap.trace_skipped;
    for (const n of snap.nodes) if (!this.nodes.has(n.name) && nodePlace(n.kind) !== 'side') { this.nodes.add(n.name); this.nodeSel.append(el('option', { value: n.name }, n.name)); }
    for (const e of snap.trace) {
      if (e.msg_kind && !this.msgKinds.has(e.msg_kind)) { this.msgKinds.add(e.msg_kind); this.msgSel.append(el('option', { value: e.msg_kind }, e.msg_kind)); }
      this.entries.push(e);
      this.pending.push(e);
    }
    if (this.entries.length > KEEP) this.entries.splice(0, this.entries.length - KEEP);
    this.flush(false);
  }

  /** Whether the next add() would draw (the page fetches trace records only then). */
  due() {
    return performance.now() - this.lastFlush >= FLUSH_MS;
  }

  /** Draw pending rows; while events stream in, at most every FLUSH_MS (each draw costs a reflow). */
  flush(force) {
    const now = performance.now();
    if (!this.pending.length || (!force && now - this.lastFlush < FLUSH_MS)) return;
    this.lastFlush = now;
    const fresh = this.pending.slice(-PER_FLUSH);
    this.pending = [];
    const frag = document.createDocumentFragment();
    for (const e of fresh) if (this.matches(e)) frag.append(this.row(e));
    this.list.append(frag);
    const extra = this.list.childElementCount - SHOWN;
    if (extra > 0) { // one range removal: row by row costs a DOM mutation each
      const r = document.createRange();
      r.setStartBefore(this.list.firstElementChild);
      r.setEndBefore(this.list.children[extra]);
      r.deleteContents();
    }
    this.updateInfo();
    // Scrolling now would force a layout of the new rows inside the frame: scroll at the start
    // of the next frame instead (settle()), when the browser has laid them out anyway.
    this.scrollPending = this.stick;
  }

  /** Follow the newest rows drawn by the previous flush (call before changing the DOM). */
  settle() {
    if (!this.scrollPending) return;
    this.scrollPending = false;
    if (this.stick) this.list.scrollTop = 1e9;
  }

  updateInfo() {
    setText(this.info, t(this.skipped ? 'page.log.kept-skipped' : 'page.log.kept', { count: this.entries.length, skipped: this.skipped }));
  }

  /** The page's words again, after a language switch. */
  relabel() {
    this.nodeSel.setAttribute('aria-label', t('page.log.node-aria'));
    this.kindSel.setAttribute('aria-label', t('page.log.kind-aria'));
    this.msgSel.setAttribute('aria-label', t('page.log.msg-aria'));
    this.list.setAttribute('aria-label', t('page.log.list-aria'));
    this.nodeSel.options[0].text = t('page.log.all-nodes');
    this.msgSel.options[0].text = t('page.log.any-message');
    for (const o of this.kindSel.options) o.text = o.value ? t(`page.log.kind.${o.value}`) : t('page.log.all-kinds');
    this.updateInfo();
  }

  rebuild() {
    this.pending = [];
    clear(this.list);
    const shown = this.entries.filter((e) => this.matches(e)).slice(-SHOWN);
    for (const e of shown) this.list.append(this.row(e));
    this.list.scrollTop = this.list.scrollHeight;
  }

  show(e, li) {
    for (const x of this.list.querySelectorAll('.selected')) x.classList.remove('selected');
    li.classList.add('selected');
    clear(this.detail);
    this.detail.append(
      el('div', null, el('b', null, t('page.log.detail-head', { index: e.index, at: e.at })), ` · ${e.node} · ${e.kind}${e.msg_kind ? ` (${e.msg_kind})` : ''}`),
      el('div', { class: 'mono' }, e.text),
      el('div', { class: 'muted small' }, t(e.effects.length ? 'page.log.changed' : 'page.log.unchanged')),
      el('ul', { class: 'effects' }, e.effects.map((x) => el('li', null, x))),
    );
  }
}
