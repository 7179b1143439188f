/**
 * "Expected vs closest actual": when an expectation fails, show the lines that share the most words with the
 * pattern, so an attendee sees `Agent is not authenticated` was near-missed by `Agent is not authorized`.
 */
// crude stems (first 6 letters) so "authenticated" meets "authentication"
function words(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z0-9_]{3,}/g) ?? []).map((w) => w.slice(0, 6)));
}

export function patternWords(pattern: string): Set<string> {
  // drop regex escapes and classes so `\\d+` or `\\S+` do not count as words
  return words(pattern.replace(/\\[a-zA-Z]/g, " ").replace(/\[[^\]]*\]/g, " "));
}

export function closestLines(pattern: string, lines: string[], n = 3): string[] {
  const want = patternWords(pattern);
  if (want.size === 0) return lines.slice(-n);
  const scored: Array<{ line: string; score: number; i: number }> = [];
  lines.forEach((line, i) => {
    let score = 0;
    for (const w of words(line)) if (want.has(w)) score++;
    if (score > 0) scored.push({ line, score, i });
  });
  scored.sort((a, b) => b.score - a.score || b.i - a.i);
  return scored.slice(0, n).map((s) => s.line);
}
