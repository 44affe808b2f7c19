// Hostile text, generated: the issue 19 probes (repeated openers, runs of spaces,
// nested comments, `<` runs, attribution-shaped lines) mixed with arbitrary text
// at random sizes, through every ingest text function and the reply MIME.
// Invariants: output within the caps, no unsafe threading id survives, and no
// generated subject, name or id adds a header line to our reply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMime } from '../../src/act/mime';
import { parseConfig } from '../../src/config';
import { customerText, htmlToText, singleLine, stripQuotedReply } from '../../src/ingest/body';
import { draftFromMime, PARSE_LIMITS } from '../../src/ingest/mime';
import { hostileSubjects, hostileTexts } from '../../scripts/lib/hostile-inputs';
import { normalizeMessageId, parseReferences, threadingIdProblem } from '../../src/ticket';
import { FUZZ_TIMEOUT_MS, fuzzParameters } from './fuzz';

/** The units the old patterns backtracked on, plus words and line breaks to mix them with. */
const UNIT = fc.constantFrom(
  '<', '<!--', '-->', '<!-- ai ', '<script>', '</script', '<blockquote>', '</blockquote >', '<li ', '<div class="gmail_quote">', '<div class="',
  ' ', '\t', '\u00a0', '\n', '\r\n', '>', '> ', '-- ', '--', '-', '_', 'On ', ' wrote:', 'Sent from my iPhone', 'From: x', 'Sent: y',
  '&', '&amp;', '&#x', '&#1234567890;', 'refund', 'How do I reset my password?',
);

/** A run of one unit (how attacks look) or a mix of units and arbitrary text. */
const hostileText = fc.oneof(
  fc.tuple(UNIT, fc.integer({ min: 1, max: 20_000 })).map(([unit, times]) => unit.repeat(times)),
  fc.array(fc.oneof(UNIT, fc.string({ maxLength: 40 }), fc.tuple(UNIT, fc.integer({ min: 1, max: 2000 })).map(([u, n]) => u.repeat(n))), { maxLength: 200 }).map((parts) => parts.join('')),
);

const limits = { maxChars: 5000, maxScanChars: 60_000 };

/** The bench's own adversarial generators (scripts/lib/hostile-inputs.ts), at a generated size, as what a mail carries. */
const benchText = fc
  .tuple(fc.constantFrom(...Object.keys(hostileTexts(10))), fc.integer({ min: 1, max: 150_000 }))
  .map(([name, size]) => hostileTexts(size)[name]!);
const benchSubject = fc
  .tuple(fc.constantFrom(...Object.keys(hostileSubjects(10))), fc.integer({ min: 1, max: 30_000 }))
  .map(([name, size]) => hostileSubjects(size)[name]!);

describe('ingest text functions on generated hostile text', () => {
  it('keep their outputs within the caps, and the unstripped copy differs from the text when kept', () => {
    fc.assert(
      fc.property(hostileText, fc.boolean(), (input, asHtml) => {
        const result = customerText(asHtml ? { html: input } : { text: input }, limits);
        expect(result.text.length).toBeLessThanOrEqual(limits.maxChars);
        if (result.unstripped !== null) {
          expect(result.unstripped.length).toBeLessThanOrEqual(limits.maxChars);
          expect(result.unstripped).not.toBe(result.text);
        }
        expect(htmlToText(input).length).toBeLessThanOrEqual(input.length + input.split('<').length * 3);
        expect(stripQuotedReply(input).length).toBeLessThanOrEqual(input.length);
        expect(singleLine(input, 998)).not.toMatch(/[\r\n]/);
      }),
      fuzzParameters(0.1),
    );
  }, FUZZ_TIMEOUT_MS);
});

describe('whole hostile mails from the bench generators', () => {
  const config = parseConfig({});
  it('become a draft within the caps, with a one-line subject and the raw message whole', async () => {
    await fc.assert(
      fc.asyncProperty(benchSubject, fc.oneof(benchText, hostileText), fc.boolean(), async (subject, body, asHtml) => {
        const head = `From: Ada <ada@example.com>\r\nSubject: ${subject}\r\nMessage-ID: <fuzz@example.com>\r\nContent-Type: text/${asHtml ? 'html' : 'plain'}; charset=utf-8\r\n\r\n`;
        const bytes = new TextEncoder().encode(`${head}${body}`);
        const draft = await draftFromMime({ bytes, source: 'email' }, config);
        expect(draft.subject.length).toBeLessThanOrEqual(config.MAX_SUBJECT_CHARS);
        expect(draft.subject).not.toMatch(/[\r\n]/);
        expect(draft.text.length).toBeLessThanOrEqual(config.MAX_BODY_CHARS);
        expect(draft.text.split('\n').length).toBeLessThanOrEqual(PARSE_LIMITS.maxLines);
        // The exact message, not its length: a string's length counts UTF-16 units, the mail's bytes are UTF-8.
        expect(draft.raw?.body).toBe(new TextDecoder().decode(bytes));
      }),
      fuzzParameters(0.02),
    );
  }, FUZZ_TIMEOUT_MS);
});

const idText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\r\n', '\n', '\r', '<', '>', ' ', '\u0000', 'é', '\r\nBcc: victim@example.com'), fc.string({ maxLength: 20 })).map((p) => p.join('')),
);

describe('threading ids and reply headers on generated input', () => {
  it('only ids that are safe in a header survive ingest', () => {
    fc.assert(
      fc.property(idText, fc.array(idText, { maxLength: 5 }), (id, references) => {
        const kept = [normalizeMessageId(id), ...parseReferences(references.map((r) => `<${r}>`).join(' '))].filter((x): x is string => x !== null);
        for (const value of kept) expect(threadingIdProblem(value)).toBeNull();
      }),
      fuzzParameters(0.1),
    );
  }, FUZZ_TIMEOUT_MS);

  it('no subject, display name or stored id adds a header line to the reply MIME', () => {
    fc.assert(
      fc.property(idText, idText, idText, fc.array(idText, { maxLength: 4 }), (subject, name, inReplyTo, references) => {
        const mime = buildMime(
          {
            from: { address: 'support@tallybook.example', name: 'Support' },
            to: { address: 'ada@example.com', name },
            subject,
            text: 'Hi,',
            html: '<p>Hi,</p>',
            inReplyTo,
            references,
            headers: { 'Auto-Submitted': 'auto-replied' },
          },
          'reply-1@tallybook.example',
        );
        const headerLines = mime.split('\r\n\r\n')[0]!.split('\r\n');
        for (const line of headerLines) expect(line).toMatch(/^([ \t]|(From|To|Subject|Message-ID|In-Reply-To|References|Auto-Submitted|Date|MIME-Version|Content-Type):)/);
      }),
      fuzzParameters(0.1),
    );
  }, FUZZ_TIMEOUT_MS);
});
