/**
 * An ordered multiset kept as a list of sorted chunks (a flat B+-tree with one inner level):
 * insert and delete cost a binary search plus a splice of at most CHUNK entries, and an ordered
 * scan from any position is a walk along the chunks.
 */

const CHUNK = 512;

export class SortedList<T> {
  private chunks: T[][] = [];

  constructor(private readonly cmp: (a: T, b: T) => number) {}

  clear(): void {
    this.chunks = [];
  }

  /** Index of the first chunk whose last element is >= x (by cmpFn), or chunks.length. */
  private findChunk(x: T, strict: boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      const c = this.cmp(chunk[chunk.length - 1]!, x);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static bisect<T>(arr: T[], x: T, cmp: (a: T, b: T) => number, strict: boolean): number {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(arr[mid]!, x);
      if (c < 0 || (strict && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(x: T): void {
    if (this.chunks.length === 0) {
      this.chunks.push([x]);
      return;
    }
    let ci = this.findChunk(x, true);
    if (ci === this.chunks.length) ci--;
    const chunk = this.chunks[ci]!;
    chunk.splice(SortedList.bisect(chunk, x, this.cmp, true), 0, x);
    if (chunk.length > CHUNK * 2) this.chunks.splice(ci + 1, 0, chunk.splice(CHUNK));
  }

  /** Removes one element equal to x (cmp === 0). Returns whether one was found. */
  delete(x: T): boolean {
    const ci = this.findChunk(x, false);
    if (ci === this.chunks.length) return false;
    const chunk = this.chunks[ci]!;
    const pos = SortedList.bisect(chunk, x, this.cmp, false);
    if (pos >= chunk.length || this.cmp(chunk[pos]!, x) !== 0) return false;
    chunk.splice(pos, 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  /** The position (chunk, index) of the first element for which `after(e)` holds. */
  private firstWhere(after: (e: T) => boolean): [number, number] {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (!after(chunk[chunk.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return [lo, 0];
    const chunk = this.chunks[lo]!;
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (!after(chunk[mid]!)) a = mid + 1;
      else b = mid;
    }
    return [lo, a];
  }

  /**
   * How many elements `probe` calls equal (0), given that it answers < 0 before them and > 0
   * after them: two binary searches, without visiting the elements in between.
   */
  countEqual(probe: (e: T) => number): number {
    const [c1, p1] = this.firstWhere((e) => probe(e) >= 0);
    const [c2, p2] = this.firstWhere((e) => probe(e) > 0);
    if (c1 === c2) return p2 - p1;
    let n = this.chunks[c1]!.length - p1 + p2;
    for (let c = c1 + 1; c < c2; c++) n += this.chunks[c]!.length;
    return n;
  }

  /**
   * Iterates in order starting at the first element >= the bound (`probe` compares an element
   * with it), or from the start without a probe.
   */
  *ascending(probe?: (e: T) => number): Generator<T> {
    let ci = 0;
    let pos = 0;
    if (probe) {
      let lo = 0;
      let hi = this.chunks.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const chunk = this.chunks[mid]!;
        if (probe(chunk[chunk.length - 1]!) < 0) lo = mid + 1;
        else hi = mid;
      }
      ci = lo;
      if (ci < this.chunks.length) {
        const chunk = this.chunks[ci]!;
        let a = 0;
        let b = chunk.length;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (probe(chunk[mid]!) < 0) a = mid + 1;
          else b = mid;
        }
        pos = a;
      }
    }
    for (; ci < this.chunks.length; ci++, pos = 0) {
      const chunk = this.chunks[ci]!;
      for (; pos < chunk.length; pos++) yield chunk[pos]!;
    }
  }

  /** Iterates in reverse order starting at the last element <= `from`. */
  *descending(probe?: (e: T) => number): Generator<T> {
    let ci = this.chunks.length - 1;
    let pos = ci >= 0 ? this.chunks[ci]!.length - 1 : -1;
    if (probe) {
      // first chunk whose first element is after the bound, minus one
      let lo = 0;
      let hi = this.chunks.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (probe(this.chunks[mid]![0]!) > 0) hi = mid;
        else lo = mid + 1;
      }
      ci = lo - 1;
      if (ci >= 0) {
        const chunk = this.chunks[ci]!;
        let a = 0;
        let b = chunk.length;
        while (a < b) {
          const mid = (a + b) >>> 1;
          if (probe(chunk[mid]!) > 0) b = mid;
          else a = mid + 1;
        }
        pos = a - 1;
      }
    }
    for (; ci >= 0; ci--, pos = ci >= 0 ? this.chunks[ci]!.length - 1 : -1) {
      const chunk = this.chunks[ci]!;
      for (; pos >= 0; pos--) yield chunk[pos]!;
    }
  }
}
