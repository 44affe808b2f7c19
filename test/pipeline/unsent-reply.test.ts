// An auto-reply the send-time rules refused (here: a sender with no SPF/DKIM verdict)
// reached nobody: the console must not say it is on its way, and a person must still
// be able to send it, once.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDecision } from '../../src/db/decisions';
import { listDeliveries } from '../../src/db/deliveries';
import { listFeedback } from '../../src/db/feedback';
import { findTicket } from '../../src/db/tickets';
import { buildDeps } from '../../src/deps';
import { applyHumanAction } from '../../src/pipeline/human-actions';
import { ticketState } from '../../src/routes/console/ticket-state';
import { loadCorpus, request, waitForTicket } from '../helpers';

const QUESTION = 'I forgot my password. How do I reset it?';

/** A Mailgun parsed post signed with the test signing key ('foo'), carrying no SPF or DKIM verdict. */
async function unverifiedMailgunTicket(): Promise<string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = `tok-${crypto.randomUUID()}`;
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('foo'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(timestamp + token)));
  const signature = [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
  const fields = {
    sender: 'ada@example.com',
    from: 'Ada <ada@example.com>',
    recipient: 'support@tallybook.example',
    subject: 'Password',
    'body-plain': QUESTION,
    'stripped-text': QUESTION,
    'Message-Id': `<${crypto.randomUUID()}@example.com>`,
    timestamp,
    token,
    signature,
  };
  const response = await request('/webhooks/mailgun', { method: 'POST', token: null, body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { ticket_id: string }).ticket_id;
}

beforeAll(async () => {
  await loadCorpus();
  await env.DB.prepare("INSERT OR REPLACE INTO rollout_modes (address, request_type, mode, updated_by, updated_at) VALUES ('*', '*', 'auto', 'test', 0)").run();
});

describe('an auto-reply skipped for an unverified sender', () => {
  it('reads as not sent in the console, and a person can send it once', async () => {
    const id = await unverifiedMailgunTicket();
    const view = await waitForTicket(id, (v) => v.ticket.status === 'done');
    expect(view.decision).toMatchObject({ outcome: 'escalate' });
    expect(view.decision!.reasons).toContain('sender_unverified');

    const deps = buildDeps(env);
    const state = async () =>
      ticketState({ ticket: (await findTicket(deps.db, id))!, decision: await findDecision(deps.db, id), deliveries: await listDeliveries(deps.db, id), feedback: await listFeedback(deps.db, id) });
    const before = await state();
    expect(before.kind).toBe('open');
    expect(before.message).toMatch(/did not send its reply.*forged/);
    expect(before.actions).toContain('approve');

    const [first, second] = await Promise.all([
      applyHumanAction(id, { kind: 'approve' }, { name: 'reviewer', channel: 'console' }, deps),
      applyHumanAction(id, { kind: 'approve' }, { name: 'other', channel: 'slack' }, deps),
    ]);
    expect([first.status, second.status].sort()).toEqual(['already_handled', 'applied']);
    const replies = (await listDeliveries(deps.db, id)).filter((d) => d.kind === 'email_reply');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ status: expect.stringMatching(/^(queued|sending|sent)$/), lastError: null });
    expect(['console', 'slack']).toContain(replies[0]!.channel);
    expect((await state()).kind).toBe('replied');
  });
});
