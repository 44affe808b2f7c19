// Inputs shaped to make text patterns backtrack: the issue 19 probes, sized at
// the ingest caps. Shared by the workerd tests (test/ingest/hostile*.test.ts), the
// fuzz run (test/fuzz/hostile.fuzz.test.ts) and the bench (bench-hostile.ts).

/** MAX_SCAN_CHARS' default: the most text any pattern at ingest reads. */
export const SCAN_CAP = 100_000;

const repeat = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)));

/** Body-sized adversarial texts, by what they attack. */
export function hostileTexts(size = SCAN_CAP): Record<string, string> {
  return {
    trailing_spaces: `question${' '.repeat(size)}x`,
    tabs_and_nbsp: `question${repeat(' \t\u00a0', size)}x`,
    lt_run: repeat('<', size),
    comment_openers: repeat('<!-- ai ', size),
    nested_comments: `${repeat('<!-- <!-- ', size / 2)}${repeat(' -->', size / 2)}`,
    script_openers: repeat('<script>', size),
    blockquote_openers: repeat('<blockquote>', size),
    li_openers: repeat('<li ', size),
    quote_div_attributes: `<div class="${'a'.repeat(size)}`,
    entity_run: `&${'a'.repeat(size)}`,
    attribution_lines: repeat(`On ${'x'.repeat(290)} wrote\n`, size),
    wrapped_attribution: repeat(`On ${' '.repeat(200)}\n${'w'.repeat(100)}\n`, size),
    dash_run: repeat('-', size),
    quote_markers: repeat('> ', size),
    outlook_headers: repeat('From: x\n', size),
  };
}

/** A 10 MB HTML body, at MAX_EMAIL_BYTES: what a single mail can carry. */
export function hugeHtml(bytes = 10_000_000): string {
  return repeat('<div><p>Where is my invoice?</p><br></div>', bytes);
}

/** Header-sized inputs for the subject and display name (30 KB made the old decide stage spend 25 s). */
export function hostileSubjects(size = 30_000): Record<string, string> {
  return {
    comment_openers: repeat('<!-- ai ', size),
    spaces: `a${' '.repeat(size)}b`,
    crlf_headers: repeat('x\r\nBcc: victim@example.com\r\n', size),
  };
}
