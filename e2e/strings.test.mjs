// The page's words and the lessons' narration exist in both languages (no browser needed):
//   node --test e2e/strings.test.mjs
// A key missing in either language, a text left empty, a placeholder lost in translation, a
// `data-i18n`/`data-i18n-attr` key without a text, or a lesson without Korean narration fails
// here (e2e/lessons.test.mjs also checks the keys the scripts use).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS, LANGS } from '../www/i18n.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const HANGUL = /[\uac00-\ud7a3]/;

const table = (area, lang) => {
  const file = path.join(WWW, 'i18n', `${area}.${lang}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
};
const placeholders = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
const allKeys = () => {
  const keys = new Set();
  for (const area of AREAS) for (const k of Object.keys(table(area, 'en'))) keys.add(k);
  return keys;
};
test('every string table has the same keys in English and Korean, each with a text and the same placeholders', () => {
  const problems = [];
  for (const area of AREAS) {
    const [en, ko] = LANGS.map((l) => table(area, l));
    for (const k of Object.keys(en)) if (!(k in ko)) problems.push(`${area}.ko.json lacks ${k}`);
    for (const k of Object.keys(ko)) if (!(k in en)) problems.push(`${area}.en.json lacks ${k}`);
    for (const [lang, t] of [['en', en], ['ko', ko]]) {
      for (const [k, v] of Object.entries(t)) {
        if (typeof v !== 'string' || !v.trim()) problems.push(`${area}.${lang}.json: ${k} is empty`);
        if (!k.startsWith(`${area}.`)) problems.push(`${area}.${lang}.json: ${k} does not start with '${area}.'`);
      }
    }
    for (const k of Object.keys(en)) {
      if (k in ko && placeholders(en[k]) !== placeholders(ko[k])) problems.push(`${k}: placeholders {${placeholders(en[k])}} in English, {${placeholders(ko[k])}} in Korean`);
    }
  }
  assert.deepEqual(problems, []);
});

test('the Korean tables are written in Korean', () => {
  for (const area of AREAS) {
    const ko = Object.values(table(area, 'ko'));
    if (!ko.length) continue;
    const korean = ko.filter((v) => HANGUL.test(v)).length;
    // Some texts are names in both languages (ISR, LEO / HW, "{name}:"), not most of them.
    assert.ok(korean >= ko.length * 0.7, `${area}.ko.json: only ${korean} of ${ko.length} texts contain Hangul`);
  }
});

test('every data-i18n key of the page has a text', () => {
  const keys = allKeys();
  for (const file of fs.readdirSync(WWW).filter((f) => f.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(WWW, file), 'utf8');
    const used = [...html.matchAll(/data-i18n="([^"]+)"/g)].map((m) => m[1]);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) used.push(pair.split(':')[1].trim());
    const missing = used.filter((k) => !keys.has(k));
    assert.deepEqual(missing, [], `${file}: keys without a text`);
  }
});

test('every lesson is narrated in English and in Korean', () => {
  const dir = path.join(ROOT, 'lessons');
  const problems = [];
  const check = (id, what, v) => {
    if (!v || typeof v.en !== 'string' || !v.en.trim()) problems.push(`${id}: ${what} has no English`);
    else if (HANGUL.test(v.en)) problems.push(`${id}: ${what}: the English text contains Hangul`);
    if (!v || typeof v.ko !== 'string' || !HANGUL.test(v.ko)) problems.push(`${id}: ${what} has no Korean`);
  };
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json');
  assert.ok(files.length >= 9, `${files.length} lessons`);
  for (const f of files) {
    const l = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    check(l.id, 'title', l.title);
    check(l.id, 'summary', l.summary);
    l.steps.forEach((s, i) => { check(l.id, `step ${i + 1} title`, s.title); check(l.id, `step ${i + 1} text`, s.text); });
  }
  assert.deepEqual(problems, []);
});
