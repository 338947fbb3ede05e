// Page text in English and Korean. Strings live in data files, one pair per area of the page:
// www/i18n/<area>.en.json and www/i18n/<area>.ko.json, each a flat object of key → text, where
// `{name}` in a text is replaced by vars.name. The tools' own output is never translated: only
// the page's words are. `?lang=ko|en` chooses; without it, the browser's language does.
//
// Usage:  await loadLang(lang);  t('timeline.back-to-live');  t('x.y', { n: 3 });
//         onLangChange(() => redraw());   setLang('ko') reloads the tables and calls the listeners.

/** The areas with string tables; an area's two files must hold the same keys (tested). */
export const AREAS = ['page', 'timeline', 'lessons', 'highlights', 'embed', 'safety'];
export const LANGS = ['en', 'ko'];

const state = { lang: 'en', table: new Map(), listeners: [] };

/** The language to start in: `?lang=` if valid, else the browser's language, else English. */
export function pickLang(search = location.search, navLangs = navigator.languages || [navigator.language || 'en']) {
  const q = new URLSearchParams(search).get('lang');
  if (q && LANGS.includes(q)) return q;
  for (const l of navLangs) {
    const base = String(l || '').toLowerCase().split('-')[0];
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/** Fetch the tables of every area for `lang` (a missing area file counts as empty). */
export async function loadLang(lang, base = new URL('./i18n/', import.meta.url)) {
  if (!LANGS.includes(lang)) lang = 'en';
  const tables = await Promise.all(AREAS.map(async (area) => {
    try {
      const r = await fetch(new URL(`${area}.${lang}.json`, base));
      return r.ok ? await r.json() : {};
    } catch { return {}; }
  }));
  const table = new Map();
  for (const t of tables) for (const [k, v] of Object.entries(t)) table.set(k, String(v));
  state.lang = lang;
  state.table = table;
  document.documentElement.lang = lang;
  return lang;
}

export function lang() { return state.lang; }

/** The text for `key` in the current language, with `{name}` filled from vars; the key itself if missing. */
export function t(key, vars) {
  const s = state.table.get(key);
  if (s === undefined) return key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, n) => (n in vars ? String(vars[n]) : m)) : s;
}

/** Call fn after every language switch. */
export function onLangChange(fn) { state.listeners.push(fn); }

/** Switch language: load the tables, then call every listener. */
export async function setLang(l) {
  await loadLang(l);
  for (const fn of state.listeners) fn(state.lang);
}

/** Fill every element with data-i18n="key" (text) or data-i18n-attr="attr:key;attr:key" under root. */
export function applyI18n(root = document) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of e.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) e.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
