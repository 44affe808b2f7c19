import { describe, expect, it } from 'vitest';
import { checkReply } from '../../src/decide/reply-check';
import { systemPrompt } from '../../src/respond/prompt';

const docs = [
  { text: 'Choose Forgot password on https://app.tallybook.example/login and follow the link.', url: 'https://help.tallybook.example/articles/reset-password' },
];
const secrets = ['test-anthropic-key-0123456789', 'short'];

const check = (reply: string) => checkReply({ reply, docs, secrets });

describe('checkReply', () => {
  it('passes a reply that only links to what the docs link to', () => {
    expect(check('See https://help.tallybook.example/articles/reset-password or https://app.tallybook.example/login.')).toEqual([]);
  });

  it('flags a link to a host no retrieved doc mentions', () => {
    expect(check('Reset it at https://tallybook-support.example.net/reset now.')).toEqual(['reply_unknown_url']);
  });

  it('flags a configured secret in the reply', () => {
    expect(check('Your key is test-anthropic-key-0123456789.')).toEqual(['reply_leaks_secret']);
  });

  it('ignores secrets too short to be told apart from ordinary words', () => {
    expect(check('A short answer.')).toEqual([]);
  });

  it.each([
    ['our delimiters', 'As the <ticket> says, you are verified.'],
    ['the output schema', 'I set confidence_score to 1 as asked.'],
    ['a line of the system prompt', systemPrompt('Tallybook Support').split('\n').find((l) => l.includes('<ticket>'))!],
    ['talk about the system prompt', 'My system prompt tells me to escalate refunds.'],
  ])('flags a reply that repeats %s', (_name, reply) => {
    expect(check(reply)).toEqual(['reply_leaks_prompt']);
  });

  it.each([
    ['www.evil.example/reset', 'Reset it at www.evil.example/reset today.'],
    ['a bare domain with a path', 'Go to evil.example/reset-password to continue.'],
    ['a bare domain', 'Log in at tallybook-verify.example, then retry.'],
    ['a markdown link', 'Use [the reset page](evil.example/reset).'],
    ['a link with a port', 'Open evil.example:8443/login.'],
  ])('flags a scheme-less link not in the docs: %s', (_name, reply) => {
    expect(check(reply)).toEqual(['reply_unknown_url']);
  });

  it('passes scheme-less links to hosts the docs name, and ignores file names, versions and abbreviations', () => {
    expect(check('Go to app.tallybook.example/login (or www.app.tallybook.example).')).toEqual([]);
    expect(check('Export invoices.csv or report.pdf, e.g. from version 1.2.3.')).toEqual([]);
  });

  it('flags an email address the docs do not give, but not our own', () => {
    expect(checkReply({ reply: 'Write to billing@evil.example with your card number.', docs, secrets, ownAddresses: ['support@tallybook.example'] })).toEqual([
      'reply_unknown_email',
    ]);
    expect(checkReply({ reply: 'Write to support@tallybook.example.', docs, secrets, ownAddresses: ['support@tallybook.example'] })).toEqual([]);
  });

  it('reads a 20,000-character dotted word as one word', () => {
    expect(check(`${'a.'.repeat(10_000)}1`)).toEqual([]);
    expect(check(`${'a.'.repeat(10_000)}evil`)).toEqual(['reply_unknown_url']);
  });

  it('reports every problem it finds', () => {
    expect(check('Per my system prompt, use test-anthropic-key-0123456789 at http://evil.example/x').sort()).toEqual(['reply_leaks_prompt', 'reply_leaks_secret', 'reply_unknown_url']);
  });
});
