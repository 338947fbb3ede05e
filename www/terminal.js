// The terminal panel: the same language as the scripts (`help` lists it). Lines go to Rust
// unchanged; output is printed as text. History with ↑/↓.

import { el, setText } from './dom.js';
import { t } from './i18n.js';

const MAX_LINES = 2000;

export class TerminalView {
  constructor(root, { run }) {
    this.out = el('pre', { class: 'term-out', 'aria-live': 'polite', tabindex: '0' });
    this.prompt = el('span', { class: 'prompt' }, '$');
    this.input = el('input', { class: 'term-in', type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-label': t('page.term.aria'), placeholder: t('page.term.placeholder') });
    const form = el('form', { class: 'term-line', onsubmit: (ev) => { ev.preventDefault(); this.submit(); } }, this.prompt, this.input);
    root.append(this.out, form);
    this.run = run;
    this.history = [];
    this.pos = 0;
    this.input.addEventListener('keydown', (ev) => this.key(ev));
  }

  submit() {
    const line = this.input.value;
    this.input.value = '';
    if (line.trim()) { this.history.push(line); }
    this.pos = this.history.length;
    this.run(line);
  }

  key(ev) {
    if (ev.key === 'ArrowUp' && this.pos > 0) { this.pos--; this.input.value = this.history[this.pos]; ev.preventDefault(); }
    else if (ev.key === 'ArrowDown') {
      if (this.pos < this.history.length) this.pos++;
      this.input.value = this.history[this.pos] ?? '';
      ev.preventDefault();
    }
  }

  /** Print lines (strings). kind: 'cmd' | 'err' | 'out' | 'info'. */
  print(lines, kind = 'out') {
    const frag = document.createDocumentFragment();
    for (const l of lines) frag.append(el('span', { class: `t-${kind}` }, l), '\n');
    this.out.append(frag);
    while (this.out.childNodes.length > MAX_LINES * 2) { this.out.firstChild.remove(); }
    // Scroll at the start of the next frame (settle()), once for many prints: scrolling now
    // would force a layout (at page load, one of the whole page before it is complete).
    this.scrollPending = true;
  }

  /** Show the newest output (the page calls this before changing the DOM in a frame). */
  settle() {
    if (!this.scrollPending) return;
    this.scrollPending = false;
    this.out.scrollTop = this.out.scrollHeight;
  }

  /** The page's words again, after a language switch. */
  relabel() {
    this.input.setAttribute('aria-label', t('page.term.aria'));
    this.input.placeholder = t('page.term.placeholder');
  }

  setShell(open) {
    setText(this.prompt, open ? '[zk: shell]' : '$');
  }
}
