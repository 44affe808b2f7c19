// Every text function at ingest, fed the inputs that made the old patterns
// backtrack (repeated openers, long runs of spaces, nested comments, `<` runs,
// 10 MB of HTML). These tests assert what comes out; how long each takes is
// measured by the bench (scripts/lib/bench-hostile.ts), not by a timeout here.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { collapseBlankLines, customerText, htmlToText, singleLine, stripQuotedReply } from '../../src/ingest/body';
import { draftFromMime, PARSE_LIMITS, parseWindow } from '../../src/ingest/mime';
import { hostileTexts, hugeHtml } from '../../scripts/lib/hostile-inputs';

const limits = { maxChars: 100_000, maxScanChars: 300_000 };

describe('hostile text at the caps', () => {
  it('keeps the words after 100 KB of trailing spaces on a line', () => {
    expect(collapseBlankLines(`question${' '.repeat(100_000)}\nnext line`)).toBe('question\nnext line');
    expect(stripQuotedReply(`How do I export?${' \t'.repeat(50_000)}x`)).toBe(`How do I export?${' \t'.repeat(50_000)}x`);
  });

  it('reads 100 KB of `<` as text, not as one tag', () => {
    const html = `${'<'.repeat(100_000)} hello`;
    expect(htmlToText(html)).toBe(html);
  });

  it('drops unclosed and nested comments without eating the text before them', () => {
    // No `-->` and no `>` anywhere after them: the openers stay as the text they are.
    expect(htmlToText(`<p>keep</p>${'<!-- ai '.repeat(20_000)}`)).toBe(`keep\n${'<!-- ai '.repeat(20_000).trim()}`);
    expect(htmlToText(`<p>keep</p>${'<!-- ai '.repeat(20_000)}-->after`)).toBe('keep\nafter');
    expect(htmlToText('<p>a</p><!-- <!-- nested --> b -->c')).toBe('a\nb -->c');
  });

  it('treats repeated unclosed openers (script, blockquote, li, div class) as the markup they are', () => {
    expect(htmlToText(`${'<script>'.repeat(10_000)}visible`)).toBe('visible');
    expect(htmlToText(`${'<blockquote>'.repeat(10_000)}visible`)).toBe('visible');
    expect(htmlToText(`${'<li '.repeat(10_000)}`)).toBe(`${'<li '.repeat(10_000)}`.trim());
    expect(htmlToText(`<div class="${'a'.repeat(100_000)}">text</div>`)).toBe('text');
  });

  it('converts 10 MB of HTML', () => {
    const html = '<div><p>Where is my invoice?</p><br></div>'.repeat(250_000);
    expect(html.length).toBeGreaterThan(10_000_000);
    const text = htmlToText(html);
    expect(text.startsWith('Where is my invoice?\n\nWhere is my invoice?')).toBe(true);
    expect(text.split('Where is my invoice?')).toHaveLength(250_001);
    // Vitest's 5 s default is for a quiet machine; the time this takes is the bench's figure, not an assertion.
  }, 60_000);

  it('still finds a Gmail quote container and a blockquote, with the quotes kept when asked', () => {
    const html = '<p>Is 2FA required?</p><blockquote>refund or lawyer</blockquote><div class="x gmail_quote">On Monday wrote: old</div>';
    expect(htmlToText(html)).toBe('Is 2FA required?');
    expect(htmlToText(html, { keepQuotes: true })).toBe('Is 2FA required?\nrefund or lawyer\n\nOn Monday wrote: old');
  });

  it('attribution-shaped lines longer than any attribution are kept as text', () => {
    const long = `On ${'x '.repeat(10_000)} wrote:`;
    expect(stripQuotedReply(`${long}\nplease help`)).toBe(`${long}\nplease help`);
    expect(stripQuotedReply(`${'-'.repeat(100_000)}\nhelp`)).toBe(`${'-'.repeat(100_000)}\nhelp`);
    expect(stripQuotedReply(`${'>'.repeat(100_000)}`)).toBe('');
  });

  it('cuts plain and HTML input at maxScanChars before any pattern runs, and keeps the unstripped copy', () => {
    const result = customerText({ text: `${'a'.repeat(400_000)}` }, limits);
    expect(result.text).toHaveLength(100_000);
    const signed = customerText({ text: 'How do I turn on 2FA?\n-- \nI want a refund or my lawyer files a chargeback' }, limits);
    expect(signed).toEqual({ text: 'How do I turn on 2FA?', unstripped: 'How do I turn on 2FA?\n--\nI want a refund or my lawyer files a chargeback' });
    expect(customerText({ text: 'nothing to strip' }, limits).unstripped).toBeNull();
  });

  it('folds a subject or display name to one capped line', () => {
    expect(singleLine(`Hi\r\nBcc: victim@example.com\r\n${' '.repeat(50_000)}x`, 998)).toBe('Hi Bcc: victim@example.com');
    expect(singleLine('y'.repeat(30_000), 998)).toHaveLength(998);
  });

  it('every generator in the hostile set yields text without throwing', () => {
    for (const [name, input] of Object.entries(hostileTexts())) {
      const result = customerText({ text: input }, limits);
      expect(result.text.length, name).toBeLessThanOrEqual(limits.maxChars);
      expect(htmlToText(input.slice(0, limits.maxScanChars)).length, name).toBeLessThanOrEqual(input.length);
    }
  });
});

const encode = (text: string) => new TextEncoder().encode(text);
const HEAD = 'From: Ada <ada@example.com>\r\nTo: support@tallybook.example\r\nSubject: Help\r\nMessage-ID: <w@example.com>\r\nContent-Type: text/TYPE; charset=utf-8\r\n\r\n';
const message = (body: string, type = 'plain') => encode(`${HEAD.replace('TYPE', type)}${body}`);

describe('what postal-mime reads of a huge message (PARSE_LIMITS)', () => {
  it('is the whole message when it is within both limits', () => {
    const bytes = message('How do I export?\r\n'.repeat(100));
    expect(parseWindow(bytes)).toBe(bytes);
  });

  it('ends after the line that reaches maxLines', () => {
    const window = parseWindow(encode('a\nb\nc\nd\n'), { maxBytes: 1000, maxLines: 2 });
    expect(new TextDecoder().decode(window)).toBe('a\nb\n');
  });

  it('ends at the last line end inside maxBytes, or at maxBytes when the body is one long line', () => {
    expect(new TextDecoder().decode(parseWindow(encode('aaaa\nbbbb\ncccc\n'), { maxBytes: 12, maxLines: 100 }))).toBe('aaaa\nbbbb\n');
    // The only line ends are in the headers: cutting there would drop the whole body.
    const oneLine = message('x'.repeat(5000), 'html');
    expect(parseWindow(oneLine, { maxBytes: 2000, maxLines: 100 })).toHaveLength(2000);
  });

  it('a 10 MB one-line HTML mail still yields its text, and its raw copy stays whole', async () => {
    const html = hugeHtml(parseConfig({}).MAX_EMAIL_BYTES - 1000);
    const bytes = message(html, 'html');
    const draft = await draftFromMime({ bytes, source: 'email' }, parseConfig({}));
    expect(draft.text.startsWith('Where is my invoice?\n\nWhere is my invoice?')).toBe(true);
    expect(draft.text.length).toBeGreaterThan(10_000);
    expect(draft.raw?.body).toHaveLength(bytes.length);
  }, 60_000);

  it('a mail of 12,500 short lines keeps its first lines as text and its raw copy whole', async () => {
    const body = hostileTexts(100_000).outlook_headers!;
    const bytes = message(`Where is my invoice?\n${body}`);
    const draft = await draftFromMime({ bytes, source: 'email' }, parseConfig({}));
    expect(draft.text.startsWith('Where is my invoice?\nFrom: x\nFrom: x')).toBe(true);
    expect(draft.text.split('\n').length).toBeLessThan(PARSE_LIMITS.maxLines);
    expect(draft.raw?.body).toHaveLength(bytes.length);
  });
});
