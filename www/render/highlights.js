// The event panel's default view: the highlights (src/highlight.rs), one plain sentence per
// change that mattered, from the template `highlights.<kind>` filled with its args. The full
// trace (LogView, in the same panel) is one click away. Each row carries its trace index
// (data-event) for whoever wants to seek there.

import { el, setText, fmtTime } from '../dom.js';
import { t, onLangChange } from '../i18n.js';

// The newest highlights can still grow (they are coalesced while their instant lasts): each
// update asks again from this many back.
const REFETCH = 8;

export class HighlightsView {
  /** root: the events panel, which also holds the full trace (its other children). */
  constructor(root) {
    this.root = root;
    this.items = [];
    this.mode = 'highlights';
    this.buttons = {
      highlights: el('button', { type: 'button', class: 'hl-mode', dataset: { view: 'highlights' }, 'aria-pressed': 'true', onclick: () => this.setMode('highlights') }),
      trace: el('button', { type: 'button', class: 'hl-mode', dataset: { view: 'trace' }, 'aria-pressed': 'false', onclick: () => this.setMode('trace') }),
    };
    this.bar = el('div', { class: 'hl-bar', role: 'group' }, this.buttons.highlights, this.buttons.trace);
    this.empty = el('p', { class: 'hl-empty muted small' });
    this.list = el('ol', { class: 'hl-list', tabindex: '0' });
    this.own = [this.bar, this.empty, this.list];
    root.prepend(...this.own);
    this.texts();
    onLangChange(() => { this.texts(); this.redraw(); });
    this.setMode('highlights');
  }

  texts() {
    setText(this.buttons.highlights, t('highlights.panel.highlights'));
    setText(this.buttons.trace, t('highlights.panel.trace'));
    setText(this.empty, t('highlights.panel.empty'));
    this.list.setAttribute('aria-label', t('highlights.panel.label'));
  }

  setMode(mode) {
    this.mode = mode;
    for (const [m, b] of Object.entries(this.buttons)) b.setAttribute('aria-pressed', String(m === mode));
    this.root.dataset.view = mode;
    for (const e of this.root.children) if (!this.own.includes(e)) e.hidden = mode !== 'trace';
    this.list.hidden = mode !== 'highlights';
    this.empty.hidden = mode !== 'highlights' || this.items.length > 0;
  }

  /** Fetch the new (and the newest, possibly grown) highlights from the sandbox: `count` is
   * how many exist (the snapshot's `highlights`; fewer than shown after a seek back), `now` the
   * virtual time (the newest ones can grow only while time moves). */
  update(sb, count, now) {
    if (typeof sb.highlights !== 'function') return;
    if (count === this.items.length && now === this.now) return;
    this.now = now;
    const since = Math.max(0, Math.min(this.items.length, count) - REFETCH);
    const fresh = sb.highlights(since);
    this.items.length = since;
    for (const h of fresh) this.items.push(h);
    this.redraw(since);
  }

  redraw(from = 0) {
    const stick = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 30;
    const rows = this.list.children;
    for (let i = from; i < this.items.length; i++) {
      const h = this.items[i];
      let li = rows[i];
      if (!li) {
        li = el('li', { class: 'hl' }, el('span', { class: 'hl-at' }), ' ', el('span', { class: 'hl-text' }));
        this.list.append(li);
      }
      li.dataset.kind = h.kind;
      li.dataset.event = h.event;
      setText(li.firstChild, fmtTime(h.at_us));
      setText(li.lastChild, t(`highlights.${h.kind}`, h.args));
    }
    while (rows.length > this.items.length) this.list.lastChild.remove();
    this.empty.hidden = this.mode !== 'highlights' || this.items.length > 0;
    if (stick) this.list.scrollTop = this.list.scrollHeight;
  }
}
