// The history parsers of `npm run replay`: JSONL and mbox, and that an unusable line
// is reported with its line number while every other ticket is kept.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownText, parseHistory, parseJsonl, parseMbox } from '../../scripts/lib/history';
import { formatSummary, summarize } from '../../scripts/lib/replay-report';

const line = (fields: Record<string, unknown>) => JSON.stringify(fields);
const OK = { id: 'a', from: 'ada@example.com', subject: 'Password', text: 'How do I reset my password?', human_reply: 'Use Forgot password.' };

describe('parseJsonl', () => {
  it('reads every usable line and reports each malformed one by line number, losing nothing else', () => {
    const text = [
      line(OK),
      '{"id": "b", "from": "bob@example.com", "text": "broken', // line 2: not JSON
      '',
      line({ ...OK, id: 'c', human_reply: '' }), // line 4: no human reply
      line({ ...OK, id: 'd', from: 'not-an-address' }), // line 5
      line({ ...OK, id: 'a' }), // line 6: duplicate id
      '[1, 2]', // line 7
      line({ ...OK, id: 'e', from_name: 'Eve', request_type: 'how_to' }),
    ].join('\n');
    const { items, problems } = parseJsonl(text);
    expect(items.map((i) => [i.id, i.line])).toEqual([['a', 1], ['e', 8]]);
    expect(items[1]).toMatchObject({ from_name: 'Eve', request_type: 'how_to', human_reply: 'Use Forgot password.' });
    expect(problems.map((p) => p.line)).toEqual([2, 4, 5, 6, 7]);
    expect(problems[0]!.reason).toMatch(/^not JSON/);
    expect(problems[1]!.reason).toBe('missing human_reply');
    expect(problems[3]!.reason).toBe('duplicate id a (first on line 1)');
  });

  it('reads the sample history: 30 tickets of several request types, none skipped', () => {
    const { items, problems } = parseHistory('corpus/history.jsonl', readFileSync('corpus/history.jsonl', 'utf8'));
    expect(problems).toEqual([]);
    expect(items).toHaveLength(30);
    expect(new Set(items.map((i) => i.request_type)).size).toBeGreaterThanOrEqual(8);
  });
});

const MBOX = [
  'From ada@example.com Mon Nov 23 10:00:00 2026',
  'From: Ada Lovelace <ada@example.com>',
  'To: support@tallybook.example',
  'Subject: Password',
  'Message-ID: <t1@example.com>',
  '',
  'How do I reset my password?',
  '>From the login page I see nothing.',
  '',
  'From support@tallybook.example Mon Nov 23 11:00:00 2026',
  'From: Sam <support@tallybook.example>',
  'Subject: Re: Password',
  'Message-ID: <r1@tallybook.example>',
  'In-Reply-To: <t1@example.com>',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Click =E2=80=9CForgot password?=E2=80=9D on the sign-in page.',
  '',
  'On Mon, Nov 23, 2026, Ada wrote:',
  '> How do I reset my password?',
  '',
  'From bob@example.com Mon Nov 23 12:00:00 2026',
  'From: bob@example.com',
  'Subject: Unanswered',
  'Message-ID: <t2@example.com>',
  '',
  'Nobody answered this one.',
  '',
  'From nobody Mon Nov 23 12:30:00 2026',
  'Subject: no id here',
  '',
  'text',
  '',
  'From cy@example.com Mon Nov 23 13:00:00 2026',
  'From: Cy <cy@example.com>',
  'Subject: Invoice',
  'Message-ID: <t3@example.com>',
  'Content-Type: multipart/alternative; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('Can I invoice in euros?').toString('base64'),
  '--b1',
  'Content-Type: text/html',
  '',
  '<p>Can I invoice in euros?</p>',
  '--b1--',
  '',
  'From support@tallybook.example Mon Nov 23 14:00:00 2026',
  'From: support@tallybook.example',
  'Message-ID: <r3@tallybook.example>',
  'In-Reply-To: <t3@example.com>',
  '',
  'Yes, on Plus and Business.',
  '',
].join('\n');

describe('parseMbox', () => {
  it('pairs each thread start with the reply to it, decodes the text, and reports the rest by line', () => {
    const { items, problems, format } = parseHistory('support.mbox', MBOX, { supportAddresses: ['support@tallybook.example'] });
    expect(format).toBe('mbox');
    expect(items).toEqual([
      expect.objectContaining({ id: 't1@example.com', from: 'ada@example.com', from_name: 'Ada Lovelace', subject: 'Password', line: 1, text: 'How do I reset my password?\nFrom the login page I see nothing.', human_reply: 'Click “Forgot password?” on the sign-in page.' }),
      expect.objectContaining({ id: 't3@example.com', text: 'Can I invoice in euros?', human_reply: 'Yes, on Plus and Business.' }),
    ]);
    expect(problems).toEqual([
      { line: 30, reason: 'no Message-ID' },
      { line: 23, reason: 'ticket t2@example.com has no reply from support in the file' },
    ]);
  });

  it('with support addresses given, a reply from anyone else is not the human reply', () => {
    const { items } = parseMbox(MBOX, { supportAddresses: ['help@tallybook.example'] });
    expect(items).toEqual([]);
  });

  it('keeps only what the person wrote in a reply', () => {
    expect(ownText('Sure thing.\n\n> old text\nOn Tue, Bob wrote:\n> more')).toBe('Sure thing.');
  });
});

describe('the replay summary', () => {
  it('counts would-be auto-replies per request type and label agreement', () => {
    const summary = summarize([
      { request_type: 'how_to', outcome: 'auto_reply', labelled_type: 'how_to' },
      { request_type: 'how_to', outcome: 'review', labelled_type: 'refund_request' },
      { request_type: 'refund_request', outcome: 'escalate', labelled_type: null },
    ]);
    expect(summary.rows.map((r) => [r.type, r.tickets, r.autoReply])).toEqual([['how_to', 2, 1], ['refund_request', 1, 0]]);
    expect(summary.total).toMatchObject({ tickets: 3, autoReply: 1, review: 1, escalate: 1, labelled: 2, labelAgrees: 1 });
    expect(formatSummary(summary)).toMatch(/how_to\s+2\s+1 \(50%\)/);
  });

  it('counts what the policy decided, so a shadow deployment still shows its would-be auto-replies', () => {
    const summary = summarize([
      { request_type: 'how_to', outcome: 'review', policy_outcome: 'auto_reply', labelled_type: null },
      { request_type: 'how_to', outcome: 'review', policy_outcome: 'review', labelled_type: null },
      { request_type: 'spam', outcome: 'ignore', labelled_type: null },
    ]);
    expect(summary.total).toMatchObject({ tickets: 3, autoReply: 1, review: 1, ignore: 1 });
  });
});
