// Slack under hostile input: a signed payload cannot make the Worker POST to a
// response_url that is not Slack's, and a CR/LF in a display name or subject
// cannot add lines to the escalation's fields.
import { describe, expect, it } from 'vitest';
import { escalationMessage } from '../../src/act/slack-message';
import type { DecisionRow } from '../../src/db/decisions';
import type { TicketRow } from '../../src/db/tickets';
import { buttonClick, postSlackInteraction } from './helpers';

describe('response_url is pinned to https://hooks.slack.com/', () => {
  it.each([
    'http://127.0.0.1:8787/internal',
    'https://127.0.0.1/actions',
    'https://169.254.169.254/latest/meta-data',
    'http://hooks.slack.com/actions/T1/1/x',
    'https://hooks.slack.com.evil.example/actions/T1/1/x',
    'https://user:pass@hooks.slack.com/actions/T1/1/x',
    'https://hooks.slack.com:8443/actions/T1/1/x',
  ])('refuses a signed click whose response_url is %s, and changes nothing', async (responseUrl) => {
    const response = await postSlackInteraction(buttonClick('deflect_approve', 'tkt_none', responseUrl));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'webhook_payload_invalid' } });
  });

  it('accepts Slack’s own response_url', async () => {
    const response = await postSlackInteraction(buttonClick('deflect_take_over', 'tkt_none', 'https://hooks.slack.com/actions/T1/1/x'));
    expect(response.status).toBe(404);
  });
});

describe('customer text in Slack fields', () => {
  const ticket = {
    id: 'tkt_1',
    subject: 'Help\r\n*urgent* <!channel>',
    fromName: 'Ada\r\nApproved by: the CEO',
    fromAddress: 'ada@example.com',
    bodyText: 'question',
  } as TicketRow;
  const decision = { outcome: 'review', reasons: ['below_auto_threshold'], confidence: 0.5, thresholds: { autoReply: 0.72, review: 0.45 }, intent: null, suggestedReply: null, docSources: [], retrieved: [] } as unknown as DecisionRow;

  it('puts the sender in one plain-text line and the subject in one header line', () => {
    const message = escalationMessage(ticket, decision, { editable: false });
    const [header, section] = message.blocks as [{ text: { text: string } }, { fields: { type: string; text: string }[] }];
    expect(header.text.text).toBe('Review: Help *urgent* <!channel>');
    expect(section.fields[0]).toEqual({ type: 'plain_text', text: 'From: Ada Approved by: the CEO <ada@example.com>', emoji: false });
    expect(message.text).toBe('Review: Help *urgent* &lt;!channel&gt; from ada@example.com');
  });
});
