// Tiny DOM helpers. Every string goes in as a text node (textContent): user data (znode paths
// and data, topic names, terminal input and output) is never parsed as HTML.

/** el('div', {class: 'x', title: 't', onclick: fn}, 'text', childNode, ...) */
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) append(e, c);
  return e;
}

function append(e, c) {
  if (c === undefined || c === null || c === false) return;
  if (Array.isArray(c)) { for (const x of c) append(e, x); return; }
  e.append(c instanceof Node ? c : document.createTextNode(String(c)));
}

export function clear(e) {
  while (e.firstChild) e.removeChild(e.firstChild);
}

/** Set text only when it changed (keeps layout work low). */
export function setText(e, text) {
  const t = String(text);
  if (e.textContent !== t) e.textContent = t;
}

/** Restart a CSS flash animation on an element: the class comes back in the next frame (reading
 * offsetWidth to restart it at once would force a layout in the middle of drawing). */
export function flash(e, cls = 'flash') {
  const again = e.classList.contains(cls);
  for (const c of [...e.classList]) if (c.startsWith('flash')) e.classList.remove(c);
  if (again) requestAnimationFrame(() => e.classList.add(cls));
  else e.classList.add(cls);
}

/** 12.345678s from microseconds. */
export function fmtTime(us) {
  const s = Math.floor(us / 1e6);
  const rest = us % 1e6;
  return rest % 1000 === 0 ? `${s}.${String(rest / 1000).padStart(3, '0')}s` : `${s}.${String(rest).padStart(6, '0')}s`;
}
