// Topics and partitions as the znodes say (assignment, leader, ISR), plus LEO/HW per replica
// from the brokers' logs. ISR shrink and expand flash red and green.

import { el, clear, setText, flash } from '../dom.js';
import { t } from '../i18n.js';

const COLUMNS = ['topic', 'partition', 'leader', 'replicas', 'isr', 'logs'];

export class TopicView {
  constructor(root) {
    this.root = root;
    this.head = el('div', { class: 'muted small' });
    this.table = el('table', { class: 'topics' },
      el('thead', null, el('tr', null, COLUMNS.map((h) => el('th', { dataset: { col: h } }, t(`page.topics.col.${h}`))))));
    this.body = el('tbody');
    this.table.append(this.body);
    root.append(this.head, this.table);
    this.key = '';
    this.shape = null;
    this.rows = new Map(); // 'topic/partition' -> {row, leader, replicas, isr, logs, repKey}
    this.prevIsr = new Map();
    this.lastChange = new Map(); // partition -> 'shrunk' | 'expanded' (last ISR change seen)
  }

  update(snap) {
    const key = JSON.stringify([snap.topics, snap.controller]);
    if (key === this.key) return;
    this.key = key;
    const controller = snap.controller === null ? t('page.topics.no-controller') : t('page.topics.broker', { id: snap.controller });
    setText(this.head, t(snap.topics.length === 1 ? 'page.topics.head-one' : 'page.topics.head', { controller, count: snap.topics.length }));
    // Rows are rebuilt only when the set of topics and partitions changes; otherwise their cells
    // are updated in place (offsets change in every frame while producing).
    const shape = JSON.stringify(snap.topics.map((t) => [t.name, t.error, t.partitions.map((p) => p.id)]));
    if (shape !== this.shape) { this.shape = shape; this.build(snap); }
    const next = new Map();
    for (const topic of snap.topics) {
      for (const p of topic.partitions) {
        const id = `${topic.name}/${p.id}`;
        const r = this.rows.get(id);
        next.set(id, p.isr);
        setText(r.leader, p.leader === null ? '?' : (p.leader === -1 ? t('page.topics.leader-none') : String(p.leader)));
        r.leader.classList.toggle('error', p.leader === -1);
        const repKey = JSON.stringify([p.replicas, p.out_of_sync]);
        if (repKey !== r.repKey) {
          r.repKey = repKey;
          clear(r.replicas);
          r.replicas.append(...p.replicas.flatMap((b, i) => [i ? ',' : '', el('span', { class: p.out_of_sync.includes(b) ? 'oos' : '' }, String(b))]));
        }
        setText(r.isr, p.isr.join(','));
        setText(r.logs, p.replica_logs.length ? p.replica_logs.map((l) => `${l.broker}:${l.leo}/${l.hw}`).join(' ') : '—');
        const old = this.prevIsr.get(id);
        if (old) {
          if (old.some((b) => !p.isr.includes(b))) { this.lastChange.set(id, 'shrunk'); flash(r.isr, 'flash-shrink'); }
          else if (p.isr.some((b) => !old.includes(b))) { this.lastChange.set(id, 'expanded'); flash(r.isr, 'flash-expand'); }
        }
        if (this.lastChange.has(id) && r.row.dataset.isr !== this.lastChange.get(id)) r.row.dataset.isr = this.lastChange.get(id);
      }
    }
    this.prevIsr = next;
  }

  /** The page's words again, after a language switch (rows are rebuilt on the next update). */
  relabel() {
    for (const th of this.table.querySelectorAll('th')) th.textContent = t(`page.topics.col.${th.dataset.col}`);
    this.key = '';
    this.shape = null;
  }

  /** One row per partition (cells filled by update), a row per topic error, or a hint. */
  build(snap) {
    clear(this.body);
    this.rows = new Map();
    for (const t of snap.topics) {
      if (t.error) this.body.append(el('tr', { class: 'error' }, el('td', null, t.name), el('td', { colspan: 5 }, t.error)));
      for (const p of t.partitions) {
        const r = { leader: el('td'), replicas: el('td'), isr: el('td', { class: 'isr' }), logs: el('td', { class: 'small' }), repKey: '' };
        r.row = el('tr', { dataset: { topic: t.name, partition: p.id } }, el('td', null, t.name), el('td', null, String(p.id)), r.leader, r.replicas, r.isr, r.logs);
        this.rows.set(`${t.name}/${p.id}`, r);
        this.body.append(r.row);
      }
    }
    if (!snap.topics.length) this.body.append(el('tr', null, el('td', { colspan: 6, class: 'muted' }, t('page.topics.empty'))));
  }
}
