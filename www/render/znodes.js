// The znode tree (from the server named in the snapshot) and the full Stat of the selected
// znode, as `get -s` prints it. Changed versions and zxids flash.

import { el, clear, setText, flash } from '../dom.js';
import { t } from '../i18n.js';

const STAT_FIELDS = [
  ['cZxid', 'czxid'], ['ctime', 'ctime_ms'], ['mZxid', 'mzxid'], ['mtime', 'mtime_ms'], ['pZxid', 'pzxid'],
  ['cversion', 'cversion'], ['dataVersion', 'version'], ['aclVersion', 'aversion'],
  ['ephemeralOwner', 'ephemeral_owner'], ['dataLength', 'data_length'], ['numChildren', 'num_children'],
];

export class ZnodeView {
  constructor(root) {
    this.root = root;
    this.source = el('div', { class: 'muted small' });
    this.list = el('ul', { class: 'ztree', role: 'listbox', 'aria-label': t('page.znodes.aria') });
    this.stat = el('dl', { class: 'zstat' });
    root.append(this.source, this.list, this.stat);
    this.key = '';
    this.prev = new Map(); // path -> znode
    this.rows = new Map();
    this.selected = null;
    this.latest = null;
  }

  /** What identifies the tree a snapshot shows (its znodes are fetched only when this changes). */
  keyOf(snap) {
    return `${snap.tree_source}|${snap.tree_digest}|${snap.znodes_total}`;
  }

  update(snap) {
    const key = this.keyOf(snap);
    this.latest = snap;
    if (key === this.key) return;
    this.key = key;
    const counts = { server: snap.tree_source, total: snap.znodes_total, shown: snap.znodes.length };
    setText(this.source, snap.tree_source
      ? t(snap.znodes_total > snap.znodes.length ? 'page.znodes.source-cut' : 'page.znodes.source', counts)
      : t('page.znodes.no-server'));
    clear(this.list);
    this.rows.clear();
    const first = this.prev.size === 0;
    const next = new Map();
    for (const z of snap.znodes) {
      next.set(z.path, z);
      const old = this.prev.get(z.path);
      const data = z.data === null ? 'null' : z.data;
      const cells = {
        name: el('span', { class: 'z-name' }, z.name),
        data: el('span', { class: 'z-data' }, data.length > 80 ? `${data.slice(0, 80)}…` : data),
        ver: el('span', { class: 'z-ver', title: 'dataVersion' }, `v${z.version}`),
        mzxid: el('span', { class: 'z-zxid', title: 'mZxid' }, z.mzxid),
      };
      const row = el('li', {
        class: `z-row${z.ephemeral_owner !== '0x0' ? ' ephemeral' : ''}${z.path === this.selected ? ' selected' : ''}`,
        role: 'option', tabindex: '0', dataset: { path: z.path }, style: `padding-left:${z.depth * 12 + 4}px`,
        onclick: () => this.select(z.path),
        onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.select(z.path); } },
      }, cells.name, cells.data, cells.ver, cells.mzxid);
      this.list.append(row);
      this.rows.set(z.path, row);
      if (!first) {
        if (!old) flash(row, 'flash-new');
        else {
          if (old.version !== z.version || old.data !== z.data) flash(cells.ver);
          if (old.mzxid !== z.mzxid) flash(cells.mzxid);
          if (old.cversion !== z.cversion || old.pzxid !== z.pzxid) flash(cells.name);
        }
      }
    }
    this.prev = next;
    this.renderStat();
  }

  /** The page's words again, after a language switch (the tree is redrawn on the next update). */
  relabel() {
    this.list.setAttribute('aria-label', t('page.znodes.aria'));
    this.key = '';
    if (this.latest) this.update(this.latest);
  }

  select(path) {
    this.selected = path;
    for (const [p, r] of this.rows) r.classList.toggle('selected', p === path);
    this.renderStat();
  }

  renderStat() {
    clear(this.stat);
    const z = this.prev.get(this.selected);
    if (!z) return;
    this.stat.append(el('dt', null, t('page.znodes.path')), el('dd', { class: 'z-path' }, z.path));
    this.stat.append(el('dt', null, t('page.znodes.data')), el('dd', { class: 'z-fulldata' }, z.data === null ? 'null' : z.data + (z.data_truncated ? t('page.znodes.cut') : '')));
    for (const [label, field] of STAT_FIELDS) {
      let v = z[field];
      if (field.endsWith('_ms')) v = new Date(v).toUTCString();
      this.stat.append(el('dt', null, label), el('dd', null, String(v)));
    }
  }
}
