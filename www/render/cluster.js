// The cluster: ZooKeeper servers (top row), brokers (bottom row) and running client tools
// (right column) as focusable buttons over a canvas that draws links, cut links and the
// messages in flight, each placed along its link by (now - sent) / (delivery - sent). Node kinds
// and their rows come from Rust (vocab.js); a node of a kind this file does not know is drawn
// with its name only, in the side column.

import { el, setText } from '../dom.js';
import { kindColour, nodePlace } from '../vocab.js';
import { t } from '../i18n.js';

export class ClusterView {
  constructor(root, { onSelect, onKey }) {
    this.root = root;
    this.canvas = el('canvas', { class: 'links', 'aria-hidden': 'true' });
    this.layer = el('div', { class: 'nodes' });
    root.append(this.canvas, this.layer);
    this.buttons = new Map(); // name -> {btn, parts, key}
    this.pos = new Map();
    this.onSelect = onSelect;
    this.onKey = onKey;
    this.selected = null;
    this.hidden = new Set(); // message kinds filtered out
    this.drawn = new Map(); // message kind -> dots drawn in the last frame (for the tests)
    this.size = { w: 0, h: 0 };
    // The panel and node sizes come from ResizeObserver callbacks (run after the browser's own
    // layout, before paint): reading clientWidth or offsetWidth while drawing would force an
    // extra layout after the frame's text updates. Nodes are placed again when a size changes.
    this.panel = null;
    this.snap = null;
    this.nodeSize = new WeakMap(); // button -> {w, h}
    const relayout = () => { this.layoutNeeded = true; if (this.snap && this.panel) { this.layout(this.snap); this.draw(this.snap); } };
    new ResizeObserver(() => { this.panel = { w: root.clientWidth, h: root.clientHeight }; relayout(); }).observe(root);
    this.sizes = new ResizeObserver((entries) => {
      for (const e of entries) {
        const box = e.borderBoxSize && e.borderBoxSize[0];
        this.nodeSize.set(e.target, box ? { w: box.inlineSize, h: box.blockSize } : { w: e.target.offsetWidth, h: e.target.offsetHeight });
      }
      relayout();
    });
  }

  select(name) {
    this.selected = name;
    for (const [n, b] of this.buttons) b.btn.classList.toggle('selected', n === name);
  }

  update(snap) {
    const names = new Set();
    for (const n of snap.nodes) {
      if (nodePlace(n.kind) === 'side' && !n.up) continue;
      names.add(n.name);
      let b = this.buttons.get(n.name);
      if (!b) {
        const parts = { name: el('span', { class: 'n-name' }), role: el('span', { class: 'n-role' }), info: el('span', { class: 'n-info' }), badge: el('span', { class: 'n-badge' }) };
        const btn = el('button', {
          class: 'node', type: 'button', dataset: { node: n.name, kind: n.kind },
          onclick: () => this.onSelect(n.name),
          onkeydown: (ev) => this.onKey(ev, n.name),
        }, parts.name, parts.badge, parts.role, parts.info);
        this.layer.append(btn);
        this.sizes.observe(btn);
        b = { btn, parts, key: '' };
        this.buttons.set(n.name, b);
        this.layoutNeeded = true;
      }
      const key = JSON.stringify(n);
      if (key !== b.key) {
        b.key = key;
        const roleText = nodeRole(n);
        setText(b.parts.name, n.name);
        setText(b.parts.role, roleText);
        setText(b.parts.info, nodeInfo(n));
        setText(b.parts.badge, n.controller ? t('page.node.controller') : '');
        b.btn.dataset.role = n.role ? String(n.role).toLowerCase() : n.life;
        b.btn.dataset.life = n.life;
        b.btn.dataset.mode = n.mode || '';
        b.btn.classList.toggle('down', !n.up);
        b.btn.classList.toggle('leader', n.mode === 'leader' || n.mode === 'standalone');
        b.btn.classList.toggle('controller', !!n.controller);
        // No aria-label: the accessible name is the visible text (name, badge, role, info), as axe's
        // label-content-name-mismatch rule asks.
      }
    }
    for (const [name, b] of this.buttons) {
      if (!names.has(name)) { this.sizes.unobserve(b.btn); b.btn.remove(); this.buttons.delete(name); this.layoutNeeded = true; }
    }
    this.snap = snap;
    if (!this.panel) return; // not laid out yet: the first resize callback draws
    this.layout(snap);
    this.draw(snap);
  }

  /** The page's words again, after a language switch (nodes are redrawn on the next update). */
  relabel() {
    for (const b of this.buttons.values()) b.key = '';
  }

  layout(snap) {
    const { w, h } = this.panel;
    if (!this.layoutNeeded && w === this.size.w && h === this.size.h) return;
    this.layoutNeeded = false;
    this.size = { w, h };
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, w * dpr);
    this.canvas.height = Math.max(1, h * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    const groups = { top: [], bottom: [], side: [] };
    for (const n of snap.nodes) if (this.buttons.has(n.name)) groups[nodePlace(n.kind)].push(n.name);
    const toolW = groups.side.length ? 90 : 0;
    const row = (list, y) => list.forEach((name, i) => {
      const x = (w - toolW) * (i + 0.5) / list.length;
      this.pos.set(name, { x, y });
    });
    const hasBottom = groups.bottom.length > 0;
    row(groups.top, hasBottom ? h * 0.25 : h * 0.45);
    row(groups.bottom, h * 0.76);
    groups.side.forEach((name, i) => this.pos.set(name, { x: w - toolW / 2, y: h * (i + 0.5) / groups.side.length }));
    for (const [name, b] of this.buttons) {
      const p = this.pos.get(name);
      if (!p) continue;
      // Keep every node inside the panel (narrow, embedded layouts), by its last observed size.
      const size = this.nodeSize.get(b.btn) || { w: 90, h: 44 };
      const hw = size.w / 2 + 2, hh = size.h / 2 + 2;
      p.x = Math.max(hw, Math.min(w - hw, p.x));
      p.y = Math.max(hh, Math.min(h - hh, p.y));
      b.btn.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px) translate(-50%, -50%)`;
    }
  }

  draw(snap) {
    const ctx = this.canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.size.w, this.size.h);
    const zk = snap.nodes.filter((n) => n.kind === 'zk').map((n) => n.name);
    const cut = new Set(snap.cuts.map(([a, b]) => `${a}>${b}`));
    // Links between ZooKeeper servers (dashed red when cut in either direction).
    for (let i = 0; i < zk.length; i++) for (let j = i + 1; j < zk.length; j++) {
      const a = this.pos.get(zk[i]), b = this.pos.get(zk[j]);
      if (!a || !b) continue;
      const isCut = cut.has(`${zk[i]}>${zk[j]}`) || cut.has(`${zk[j]}>${zk[i]}`);
      ctx.strokeStyle = isCut ? '#c0392b' : 'rgba(127,127,127,0.35)';
      ctx.setLineDash(isCut ? [6, 5] : []);
      ctx.lineWidth = isCut ? 2 : 1;
      ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
    }
    ctx.setLineDash([]);
    const now = snap.now_us;
    this.drawn = new Map();
    for (const f of snap.flights) {
      if (this.hidden.has(f.kind)) continue;
      const a = this.pos.get(f.from), b = this.pos.get(f.to);
      if (!a || !b) continue;
      let t = f.held ? 0.5 : (f.deliver_us > f.sent_us ? (now - f.sent_us) / (f.deliver_us - f.sent_us) : 1);
      t = Math.max(0, Math.min(1, t));
      // Two directions of one link are drawn slightly apart.
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
      const ox = -dy / len * 5, oy = dx / len * 5;
      const x = a.x + dx * t + ox, y = a.y + dy * t + oy;
      ctx.fillStyle = kindColour(f.kind);
      ctx.beginPath(); ctx.arc(x, y, f.held ? 4 : 5, 0, Math.PI * 2); ctx.fill();
      this.drawn.set(f.kind, (this.drawn.get(f.kind) || 0) + 1);
      if (f.held) { ctx.strokeStyle = '#c0392b'; ctx.lineWidth = 2; ctx.stroke(); }
    }
  }
}

// What a node's box says, by its kind (NodeView in src/view.rs is tagged by `kind`).
function nodeRole(n) {
  switch (n.kind) {
    case 'zk': return !n.up ? t(n.life === 'crashed' ? 'page.node.crashed' : 'page.node.stopped') : (n.mode ? `${n.role} (${n.mode})` : n.role);
    case 'broker': return !n.up ? t(n.life === 'crashed' ? 'page.node.crashed' : 'page.node.stopped') : (n.broker_state || t(n.registered ? 'page.node.registered' : 'page.node.up'));
    case 'tool': return t('page.node.client');
    default: return n.up ? '' : (n.life || '');
  }
}

function nodeInfo(n) {
  switch (n.kind) {
    case 'zk': return n.up ? t('page.node.zk-info', { epoch: n.epoch, zxid: n.zxid, round: n.round, sessions: n.sessions, clients: n.clients }) : '';
    case 'broker': return t('page.node.broker-id', { id: n.id });
    default: return '';
  }
}
