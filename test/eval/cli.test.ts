import { describe, expect, it } from 'vitest';
import { parseCases } from '../../scripts/lib/cases';
import { parseEvalArgs } from '../../scripts/lib/eval-args';
import { addressIn, citedDocIds, headerValue } from '../../scripts/lib/run-cases';

describe('eval arguments', () => {
  it('defaults to the sample corpus and tickets, lexical and offline', () => {
    expect(parseEvalArgs([], {})).toEqual({
      kind: 'run',
      options: { corpus: 'corpus/docs', cases: 'corpus/tickets.jsonl', retriever: 'lexical', responder: 'offline', supportAddress: null, routingOnly: false, json: false, out: null },
    });
  });

  it('reads every documented flag', () => {
    const parsed = parseEvalArgs(
      ['--corpus', 'd', '--cases', 'c.jsonl', '--support-address', 'help@acme.example', '--json', '--out', 'r.json'],
      {},
    );
    expect(parsed).toEqual({
      kind: 'run',
      options: { corpus: 'd', cases: 'c.jsonl', retriever: 'lexical', responder: 'offline', supportAddress: 'help@acme.example', routingOnly: false, json: true, out: 'r.json' },
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /positional argument/],
    [['--corpus'], /argument missing/],
    [['--retriever', 'vector'], /--retriever must be lexical or hybrid, got "vector"/],
    [['--responder', 'gpt'], /--responder must be offline or claude/],
    [['--support-address', 'not-an-address'], /--support-address must be an email address/],
    [['--responder', 'claude'], /set ANTHROPIC_API_KEY/],
    [['--retriever', 'hybrid'], /only in a Cloudflare account/],
  ])('refuses %j with a usage error', (argv, message) => {
    const parsed = parseEvalArgs(argv, {});
    expect(parsed.kind).toBe('usage_error');
    expect(parsed.kind === 'usage_error' && parsed.message).toMatch(message);
  });

  it('accepts the Claude responder when an API key is set', () => {
    expect(parseEvalArgs(['--responder', 'claude'], { ANTHROPIC_API_KEY: 'sk-ant-x' })).toMatchObject({ kind: 'run', options: { responder: 'claude' } });
  });

  it('answers --help without running', () => {
    expect(parseEvalArgs(['-h'], {})).toEqual({ kind: 'help' });
  });
});

describe('eval case files', () => {
  it('reports malformed lines with their line number and keeps the good ones', () => {
    const text = [
      '{"id":"t1","question":"How do I reset my password?","expect":"auto_reply","gold_doc_ids":["reset-password"]}',
      '',
      '{"id":"t2","question":',
      '{"id":"t3","question":"refund","expect":"maybe"}',
      '{"question":"no id"}',
      '{"id":"t4"}',
      '{"id":"t5","question":"both","eml":"x.eml"}',
      '{"id":"t1","question":"again"}',
      '[1,2]',
      '{"id":7,"eml":"mail/a.eml","from":"ada@example.com","expect":"ignore","extra":"ignored"}',
    ].join('\n');
    const { cases, problems } = parseCases(text);
    expect(cases.map((c) => [c.id, c.line])).toEqual([
      ['t1', 1],
      ['7', 10],
    ]);
    expect(cases[1]).toEqual({ id: '7', line: 10, subject: '', question: null, eml: 'mail/a.eml', from: 'ada@example.com', expect: 'ignore', expectRequestType: null, goldDocIds: [] });
    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(problems[0]!.message).toMatch(/^not JSON/);
    expect(problems[1]!.message).toMatch(/^expect:/);
    expect(problems[2]!.message).toMatch(/^id:/);
    expect(problems[3]!.message).toBe('needs exactly one of "question", "text" or "eml"');
    expect(problems[5]!.message).toBe('duplicate id "t1"');
  });

  it('loads the WixQA and TechQA question files as they are, CRLF included', () => {
    const text =
      '{"id": "TRAIN_Q001", "question": "Exit() in a UDF?", "answerable": true, "answer": "…", "gold_doc_ids": ["swg21675316"]}\r\n' +
      '{"id": "TRAIN_Q002", "question": "Unanswerable?", "answerable": false, "answer": null, "gold_doc_ids": []}\r\n';
    const { cases, problems } = parseCases(text);
    expect(problems).toEqual([]);
    expect(cases.map((c) => [c.id, c.goldDocIds, c.expect])).toEqual([
      ['TRAIN_Q001', ['swg21675316'], null],
      ['TRAIN_Q002', [], null],
    ]);
  });
});

describe('reading decisions back', () => {
  it('maps cited chunk ids to their doc ids for the gold comparison', () => {
    const decision = {
      doc_sources: ['reset-password#0', 'reset-password#2', 'unknown#1'],
      retrieved: [
        { chunkId: 'reset-password#0', docId: 'reset-password' },
        { chunkId: 'reset-password#2', docId: 'reset-password' },
      ],
    };
    expect(citedDocIds(decision as never)).toEqual(['reset-password', 'unknown#1']);
  });

  it('finds a folded Message-ID in the header block only', () => {
    const raw = 'From: a@b.example\r\nMessage-ID:\r\n <abc@b.example>\r\n\r\nMessage-ID: <body@x>\r\n';
    expect(headerValue(raw, 'Message-ID')).toBe('<abc@b.example>');
    expect(headerValue('Message-id: <vac@apple.example.com>\n\nbody', 'Message-ID')).toBe('<vac@apple.example.com>');
    expect(headerValue('Subject: no id\n\nMessage-ID: <body@x>', 'Message-ID')).toBeNull();
  });

  it('takes the envelope sender from a From or Return-Path header', () => {
    expect(addressIn('"Foo, Bar" <foo@bar.example>')).toBe('foo@bar.example');
    expect(addressIn('<>')).toBeNull();
    expect(addressIn('plain@host.example')).toBe('plain@host.example');
  });
});
