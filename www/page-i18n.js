// The page's own words in the reader's language: starts loading the string tables as soon as
// the page's modules load (in parallel with the wasm module), fills every `data-i18n` element
// when they arrive, and puts the en / 한국어 switch in the header. The tools' output (terminal,
// events, znode data) is never translated; only the page's labels, buttons, titles and its own
// messages are (www/i18n/page.<lang>.json, and the other areas' tables).

import { pickLang, loadLang, setLang, applyI18n, lang, onLangChange, LANGS } from './i18n.js';

// index.html loads this module early and async (like boot.js), so the tables are fetched while
// the page's other modules and the wasm module still load; it may run before the body is parsed.
const domReady = document.readyState === 'loading'
  ? new Promise((resolve) => document.addEventListener('DOMContentLoaded', resolve, { once: true }))
  : Promise.resolve();

/** The language the page starts in, once its tables are loaded and applied (English if they fail). */
export const langReady = loadLang(pickLang()).catch(() => 'en').then(async (l) => {
  await domReady;
  applyI18n();
  performance.mark('i18n-ready');
  return l;
});

/** Each language's name in that language (not translated, so a reader finds their own). */
const NAMES = { en: 'en', ko: '한국어' };

/** Buttons en / 한국어 in `root` (a group labelled by page.lang); a click switches the whole page
 * and records the choice in the URL (`?lang=`), so a reload or a shared link keeps it. */
export function mountLangSwitch(root) {
  const buttons = LANGS.map((code) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'lang-btn';
    b.lang = code;
    b.dataset.lang = code;
    b.textContent = NAMES[code] || code;
    b.addEventListener('click', async () => {
      if (code === lang()) return;
      await setLang(code);
      const u = new URL(location.href);
      u.searchParams.set('lang', code);
      history.replaceState(history.state, '', u);
    });
    root.append(b);
    return b;
  });
  const mark = () => { for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === lang())); };
  mark();
  onLangChange(() => { applyI18n(); mark(); });
  langReady.then(mark);
}
