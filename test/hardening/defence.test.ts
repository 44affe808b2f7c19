// Defence in depth (issue 19): the admin routes spend their own rate budget, the
// raw message is served as inert plain text, CSV cells a spreadsheet would run
// are defused, and Slack's response_url can only point at Slack.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { csvCell } from '../../src/routes/console/export';
import { loadCorpus, postTicket, request, waitForTicket } from '../helpers';
import { countingLimiter } from '../doubles/rate-limit';

beforeAll(async () => {
  await loadCorpus();
});

describe('/admin is rate limited before authentication', () => {
  it('answers 429 once a client spends its admin budget, with its own key', async () => {
    const limiter = countingLimiter(2);
    const testEnv = { ...env, RATE_LIMITER: limiter };
    const guess = () => new Request('https://deflect.test/admin/corpus', { headers: { authorization: 'Bearer guess', 'cf-connecting-ip': '192.0.2.9' } });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await app.fetch(guess(), testEnv)).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect(limiter.keys).toEqual(['admin:192.0.2.9', 'admin:192.0.2.9', 'admin:192.0.2.9']);
  });
});

describe('GET /api/tickets/:id/raw', () => {
  it('serves an HTML webhook body as an attachment of sandboxed plain text, its type in a header', async () => {
    const html = '<html><body><script>alert(document.cookie)</script>Hi</body></html>';
    const response = await request('/webhooks/postmark?token=test-postmark-token', {
      method: 'POST',
      token: null,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FromFull: { Email: 'ada@example.com' }, Subject: 'x', MessageID: 'raw-html-1', HtmlBody: html }),
    });
    const { ticket_id } = await response.json<{ ticket_id: string }>();
    await waitForTicket(ticket_id);
    const raw = await request(`/api/tickets/${ticket_id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect(raw.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(raw.headers.get('content-security-policy')).toContain('sandbox');
    expect(raw.headers.get('x-deflect-original-content-type')).toBe('application/json');
    expect(await raw.text()).toContain('<script>alert(document.cookie)</script>');
  });
});

describe('CSV export defusing', () => {
  it.each([
    ['=HYPERLINK("http://evil.example")', `"'=HYPERLINK(""http://evil.example"")"`],
    [' =1+1', "' =1+1"],
    ['\t@SUM(A1)', "'\t@SUM(A1)"],
    ['＝1+1', "'＝1+1"],
    ['＋cmd', "'＋cmd"],
    ['－2', "'－2"],
    ['＠x', "'＠x"],
    ['\u00a0+1', "'\u00a0+1"],
  ])('prefixes %j so a spreadsheet shows it as text', (cell, expected) => {
    expect(csvCell(cell)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(csvCell('How do I reset 2FA?')).toBe('How do I reset 2FA?');
    expect(csvCell(-3)).toBe('-3');
  });
});

describe('an API ticket whose text is hostile is decided like any other', () => {
  it('stores the unstripped text as null for the API (nothing is stripped there)', async () => {
    const response = await postTicket({ from: 'ada@example.com', subject: 'Export', text: 'How do I export?\n-- \nAda' });
    const { ticket_id } = await response.json<{ ticket_id: string }>();
    const view = await waitForTicket(ticket_id);
    expect(view.ticket.text_unstripped).toBeNull();
  });
});
