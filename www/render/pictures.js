// Pictures that explain, drawn from sb.pictures(partition) (facts computed in src/pictures.rs):
// a LOOKING server's vote and the votes it received with the quorum count; the controller by
// /controller and by the brokers, with epochs; each session with the time left before it
// expires; the selected partition's replicas as LEO bars with the HW line, the ISR boundary,
// the preferred leader and offline replicas. A partition is selected by clicking its row in
// the topics panel (or by a lesson's focus).

import { t, onLangChange } from '../i18n.js';
import { el, clear, setText } from '../dom.js';

export class PicturesView {
  constructor(root, sb) {
    this.root = root;
    this.sb = sb;
    this.partition = '';
    this.key = '';
    const heading = el('h2', { class: 'pic-heading', id: 'pictures-title' });
    heading.dataset.key = 'lessons.pic.title';
    this.body = el('div', { class: 'pic-body' });
    root.setAttribute('aria-labelledby', 'pictures-title');
    root.tabIndex = 0; // it scrolls: reachable by keyboard
    root.append(heading, this.body);
    onLangChange(() => { this.key = ''; this.update(true); });
    document.getElementById('topics')?.addEventListener('click', (ev) => {
      const row = ev.target.closest && ev.target.closest('tr[data-topic]');
      if (row) this.select(`${row.dataset.topic}-${row.dataset.partition}`);
    });
    const loop = () => { this.update(false); requestAnimationFrame(loop); };
    requestAnimationFrame(loop);
  }

  select(name) { this.partition = name || ''; this.key = ''; }

  update(force) {
    const sb = this.sb();
    if (!sb) return;
    const key = `${sb.traceHash()}|${sb.nowUs()}|${this.partition}`;
    if (!force && key === this.key) return;
    // Session countdowns move with the clock: redraw at most every 100 ms of wall time.
    const now = performance.now();
    if (!force && this.last && now - this.last < 100) return;
    this.last = now;
    this.key = key;
    setText(this.root.querySelector('.pic-heading'), t('lessons.pic.title'));
    this.draw(sb.pictures(this.partition));
  }

  draw(p) {
    const b = this.body;
    clear(b);
    b.append(this.controller(p.controller));
    for (const e of p.elections) b.append(this.election(e));
    if (p.partition) b.append(this.partitionBars(p.partition));
    if (p.sessions.length) b.append(this.sessions(p.sessions));
  }

  controller(c) {
    const box = el('div', { class: 'pic pic-controller' });
    box.append(el('h3', null, t('lessons.pic.controller')));
    if (c.broker === null || c.broker === undefined) box.append(el('p', null, t('lessons.pic.controller-none')));
    else box.append(el('p', null, t('lessons.pic.controller-is', { b: c.broker, e: c.epoch ?? '?' })));
    for (const a of c.acting) {
      if (a.broker !== c.broker) box.append(el('p', { class: 'pic-zombie' }, t('lessons.pic.zombie', { b: a.broker, e: a.epoch, now: c.epoch ?? '?' })));
    }
    return box;
  }

  election(e) {
    const box = el('div', { class: 'pic pic-election', dataset: { server: e.server } });
    box.append(el('h3', null, t('lessons.pic.looking', { server: e.server, round: e.round })));
    if (e.vote) box.append(el('p', null, t('lessons.pic.my-vote'), ' ', voteText(e.vote)));
    const ul = el('ul', { class: 'pic-votes' });
    for (const r of e.received) {
      ul.append(el('li', { class: r.agrees ? 'agrees' : 'differs' },
        el('span', { class: 'pic-from' }, r.from), ` → sid ${r.vote.sid} `, voteText(r.vote),
        r.state !== 'LOOKING' ? ` (${r.state})` : '', r.agrees ? ' ✓' : ''));
    }
    box.append(el('p', { class: 'small muted' }, t('lessons.pic.received')), ul);
    const enough = e.agree >= e.quorum;
    box.append(el('p', { class: enough ? 'pic-quorum ok' : 'pic-quorum' }, t('lessons.pic.quorum', { agree: e.agree, quorum: e.quorum }),
      e.finalizing ? ` — ${t('lessons.pic.finalizing')}` : ''));
    return box;
  }

  partitionBars(p) {
    const box = el('div', { class: 'pic pic-partition', dataset: { partition: `${p.topic}-${p.partition}` } });
    box.append(el('h3', null, t('lessons.pic.partition', { tp: `${p.topic}-${p.partition}`, leader: p.leader >= 0 ? p.leader : t('lessons.pic.none'), hw: p.hw ?? '?' })));
    const max = Math.max(1, ...p.replicas.map((r) => r.leo ?? 0));
    const rows = el('div', { class: 'pic-bars', role: 'list' });
    const inIsr = p.replicas.filter((r) => r.in_isr), out = p.replicas.filter((r) => !r.in_isr);
    const row = (r) => {
      const marks = [r.leader ? t('lessons.pic.leader') : '', r.preferred ? t('lessons.pic.preferred') : '', r.offline ? t('lessons.pic.offline') : ''].filter(Boolean);
      const bar = el('div', { class: 'pic-bar' },
        el('div', { class: 'pic-leo', style: `width:${(100 * (r.leo ?? 0)) / max}%` }),
        r.hw !== null && r.hw !== undefined ? el('div', { class: 'pic-hw', style: `left:${(100 * r.hw) / max}%` }) : null);
      const label = `b${r.broker}${r.preferred ? ' ★' : ''}`;
      return el('div', { class: `pic-row${r.offline ? ' offline' : ''}${r.leader ? ' leader' : ''}`, role: 'listitem' },
        el('span', { class: 'pic-name' }, label), bar,
        el('span', { class: 'pic-nums small' }, `LEO ${r.leo ?? '—'} · HW ${r.hw ?? '—'}${marks.length ? ` · ${marks.join(', ')}` : ''}`));
    };
    for (const r of inIsr) rows.append(row(r));
    rows.append(el('div', { class: 'pic-isr-line small', role: 'listitem' }, t('lessons.pic.isr-boundary', { isr: p.isr.join(',') || '—' })));
    for (const r of out) rows.append(row(r));
    box.append(rows);
    return box;
  }

  sessions(list) {
    const box = el('div', { class: 'pic pic-sessions' });
    box.append(el('h3', null, t('lessons.pic.sessions')));
    const ul = el('ul', { class: 'pic-session-list' });
    for (const s of list) {
      const left = (s.expires_in_ms / 1000).toFixed(1);
      const frac = s.timeout_ms ? Math.min(1, s.expires_in_ms / s.timeout_ms) : 0;
      ul.append(el('li', { class: s.owner ? '' : 'orphan' },
        el('span', { class: 'mono' }, s.id), ' ', el('span', null, s.owner ?? t('lessons.pic.no-owner')), ' ',
        el('span', { class: 'pic-timer', 'aria-hidden': 'true' }, el('span', { style: `width:${100 * frac}%` })), ' ',
        t('lessons.pic.left', { s: left }),
        s.ephemerals.length ? el('span', { class: 'small muted' }, ` · ${s.ephemerals.join(', ')}`) : null));
    }
    box.append(ul);
    return box;
  }
}

function voteText(v) {
  return el('span', { class: 'mono' }, `(epoch ${v.epoch}, zxid ${v.zxid} = ${v.zxid_epoch}<<32 | ${v.zxid_counter}, sid ${v.sid})`);
}
