/**
 * Text indexes for `$text`: an inverted index from stemmed terms to documents, with MongoDB's
 * search string syntax (terms are OR-ed, "quoted phrases" are required, -terms exclude).
 * Stemming is a light English suffix stripper, not Snowball; matching is case-insensitive.
 */
import { isPlainObject, type Doc } from '../values';

const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have he her his i if in into is it its of on or our she so that the their them there these they this to was we were what when which who will with you your'.split(
    ' ',
  ),
);

export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) return w.slice(0, -3) + 'y';
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('es') && /(ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  // running -> runn -> run
  if (w.length > 3 && w[w.length - 1] === w[w.length - 2] && !/[lsz]/.test(w[w.length - 1]!)) w = w.slice(0, -1);
  return w;
}

export function normalizeText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

export function tokenize(s: string): string[] {
  const out: string[] = [];
  for (const m of normalizeText(s).matchAll(/[\p{L}\p{N}]+/gu)) {
    if (!STOP_WORDS.has(m[0])) out.push(stem(m[0]));
  }
  return out;
}

export interface TextSearch {
  terms: string[];
  phrases: string[];
  negated: string[];
}

export function parseSearch(search: string): TextSearch {
  const phrases: string[] = [];
  const rest = search.replace(/"([^"]*)"/g, (_m, p: string) => {
    if (p.trim()) phrases.push(normalizeText(p));
    return ' ' + p + ' ';
  });
  const terms: string[] = [];
  const negated: string[] = [];
  for (const raw of rest.split(/\s+/)) {
    if (!raw) continue;
    const neg = raw.startsWith('-');
    for (const t of tokenize(neg ? raw.slice(1) : raw)) (neg ? negated : terms).push(t);
  }
  return { terms, phrases, negated };
}

/** The weighted fields of a text index: `{ title: 10, body: 1 }`, or `$**` for every string. */
export type Weights = Record<string, number>;

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const e of v) collectStrings(e, out);
  else if (isPlainObject(v)) for (const k of Object.keys(v)) collectStrings(v[k], out);
}

function fieldText(doc: Doc, path: string): string[] {
  const out: string[] = [];
  if (path === '$**') collectStrings(doc, out);
  else {
    let cur: unknown[] = [doc];
    for (const part of path.split('.')) {
      const next: unknown[] = [];
      for (const c of cur) {
        if (Array.isArray(c)) {
          for (const e of c) if (isPlainObject(e)) next.push(e[part]);
        } else if (isPlainObject(c)) next.push(c[part]);
      }
      cur = next;
    }
    for (const c of cur) collectStrings(c, out);
  }
  return out;
}

export class TextIndex {
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly docTerms = new Map<string, string[]>();

  constructor(readonly weights: Weights) {}

  private scoreTerms(doc: Doc): Map<string, number> {
    const scores = new Map<string, number>();
    for (const [path, weight] of Object.entries(this.weights)) {
      for (const text of fieldText(doc, path)) {
        const tokens = tokenize(text);
        const counts = new Map<string, number>();
        for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
        for (const [t, c] of counts) {
          // MongoDB-like: more occurrences score more, with diminishing returns, times the field weight.
          const s = weight * (c / tokens.length / 2 + 0.5) * (1 + (c - 1) * 0.1);
          scores.set(t, (scores.get(t) ?? 0) + s);
        }
      }
    }
    return scores;
  }

  add(id: string, doc: Doc): void {
    const scores = this.scoreTerms(doc);
    for (const [t, s] of scores) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Map()));
      p.set(id, s);
    }
    this.docTerms.set(id, [...scores.keys()]);
  }

  remove(id: string): void {
    for (const t of this.docTerms.get(id) ?? []) {
      const p = this.postings.get(t);
      p?.delete(id);
      if (p && p.size === 0) this.postings.delete(t);
    }
    this.docTerms.delete(id);
  }

  clear(): void {
    this.postings.clear();
    this.docTerms.clear();
  }

  /** Candidate ids with their scores for the positive terms (and phrase words). */
  candidates(search: TextSearch): Map<string, number> {
    const out = new Map<string, number>();
    const words = search.terms.length > 0 ? search.terms : search.phrases.flatMap((p) => tokenize(p));
    for (const t of new Set(words)) {
      for (const [id, s] of this.postings.get(t) ?? []) out.set(id, (out.get(id) ?? 0) + s);
    }
    return out;
  }

  /** Score of a document that is not (or not yet) in the index; 0 when it does not match. */
  scoreDoc(doc: Doc, search: TextSearch): number {
    const scores = this.scoreTerms(doc);
    const words = search.terms.length > 0 ? search.terms : search.phrases.flatMap((p) => tokenize(p));
    let total = 0;
    for (const t of new Set(words)) total += scores.get(t) ?? 0;
    return total > 0 && this.accepts(doc, search) ? total : 0;
  }

  /** Whether a candidate document satisfies the phrases and negations. */
  accepts(doc: Doc, search: TextSearch): boolean {
    if (search.phrases.length === 0 && search.negated.length === 0) return true;
    const texts = Object.keys(this.weights).flatMap((p) => fieldText(doc, p));
    const joined = normalizeText(texts.join('\n'));
    if (!search.phrases.every((p) => joined.includes(p))) return false;
    if (search.negated.length > 0) {
      const words = new Set(texts.flatMap(tokenize));
      if (search.negated.some((t) => words.has(t))) return false;
    }
    return true;
  }
}
