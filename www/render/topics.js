// Topics and partitions as the znodes say (assignment, leader, ISR), plus LEO/HW per replica
// from the brokers' logs. ISR shrink and expand flash red and green.

import { el, clear, setText, flash } from '../dom.js';

export class TopicView {
  constructor(root) {
    this.root = root;
    this.head = el('div', { class: 'muted small' });
    this.table = el('table', { class: 'topics' },
      el('thead', null, el('tr', null, ['topic', 'part', 'leader', 'replicas', 'ISR', 'LEO / HW'].map((h) => el('th', null, h)))));
    this.body = el('tbody');
    this.table.append(this.body);
    root.append(this.head, this.table);
    this.key = '';
    this.prevIsr = new Map();
    this.lastChange = new Map(); // partition -> 'shrunk' | 'expanded' (last ISR change seen)
  }

  update(snap) {
    const key = JSON.stringify([snap.topics, snap.controller]);
    if (key === this.key) return;
    this.key = key;
    setText(this.head, `controller: ${snap.controller === null ? 'none' : `broker ${snap.controller}`} · ${snap.topics.length} topic${snap.topics.length === 1 ? '' : 's'}`);
    clear(this.body);
    const next = new Map();
    for (const t of snap.topics) {
      if (t.error) this.body.append(el('tr', { class: 'error' }, el('td', null, t.name), el('td', { colspan: 5 }, t.error)));
      for (const p of t.partitions) {
        const id = `${t.name}/${p.id}`;
        next.set(id, p.isr);
        const isrCell = el('td', { class: 'isr' }, p.isr.join(','));
        const replicas = el('td', null, p.replicas.map((r, i) => [i ? ',' : '', el('span', { class: p.out_of_sync.includes(r) ? 'oos' : '' }, String(r))]));
        const logs = el('td', { class: 'small' }, p.replica_logs.length ? p.replica_logs.map((l) => `${l.broker}:${l.leo}/${l.hw}`).join(' ') : '—');
        const leader = p.leader === null ? '?' : (p.leader === -1 ? 'none' : String(p.leader));
        const row = el('tr', { dataset: { topic: t.name, partition: p.id } }, el('td', null, t.name), el('td', null, String(p.id)), el('td', { class: p.leader === -1 ? 'error' : '' }, leader), replicas, isrCell, logs);
        this.body.append(row);
        const old = this.prevIsr.get(id);
        if (old) {
          if (old.some((b) => !p.isr.includes(b))) { this.lastChange.set(id, 'shrunk'); flash(isrCell, 'flash-shrink'); }
          else if (p.isr.some((b) => !old.includes(b))) { this.lastChange.set(id, 'expanded'); flash(isrCell, 'flash-expand'); }
        }
        if (this.lastChange.has(id)) row.dataset.isr = this.lastChange.get(id);
      }
    }
    if (!snap.topics.length) this.body.append(el('tr', null, el('td', { colspan: 6, class: 'muted' }, 'no topics yet (start brokers, then kafka-topics --create …)')));
    this.prevIsr = next;
  }
}
