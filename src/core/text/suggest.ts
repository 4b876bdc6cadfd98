/**
 * "Did you mean" for verbs, flags and values: the closest candidate within Damerau-Levenshtein
 * distance 2 (1 for words of three letters or fewer, so `ls` does not suggest `top`), or else
 * the first candidate that starts with what was typed. Case is ignored.
 */

/** Past this length nothing is a typo of a short verb or flag; skip the quadratic work. */
const MAX_COMPARE = 64;

/** Optimal-string-alignment distance (adjacent transpositions count as one edit). */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let row = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i += 1) {
    row[0] = i;
    for (let j = 1; j <= m; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row[j] = d;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[m]!;
}

export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  if (typed.length === 0 || typed.length > MAX_COMPARE) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const bare = typed.replace(/^-+/, '');
  const limit = bare.length <= 3 ? 1 : 2;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    if (c === typed) return candidate;
    if (Math.abs(c.length - typed.length) > limit) continue;
    const d = editDistance(typed, c);
    // `d < bare.length`: one letter never "almost" matches another letter.
    if (d <= limit && d < bare.length && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  if (bare.length >= 2) return candidates.find((c) => c.toLowerCase().startsWith(typed));
  return undefined;
}
