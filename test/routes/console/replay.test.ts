// POST /admin/replay through the real Worker: a past ticket is decided and drafted,
// nothing is sent to anyone (Slack is configured in these tests, and gets nothing),
// the human reply is stored, and the console shows the draft beside it.
import { beforeAll, describe, expect, it } from 'vitest';
import { countAutoReplies } from '../../../src/db/decisions';
import { setModeRule } from '../../../src/db/modes';
import { ANY } from '../../../src/rollout/modes';
import { buildDeps } from '../../../src/deps';
import { providerRequests } from '../../act/helpers';
import { ADMIN_TOKEN, env, loadCorpus, request } from '../../helpers';
import { ConsoleUser, csrfIn } from './client';

beforeAll(async () => {
  await loadCorpus();
});

type ReplayResult = { ticket_id: string; created: boolean; status: string; outcome: string | null; policy_outcome: string | null; request_type: string | null; labelled_type: string | null };

function postReplay(body: unknown, token: string | null = ADMIN_TOKEN): Promise<Response> {
  return request('/admin/replay', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const PASSWORD = {
  id: 'hist-password-1',
  from: 'maria@example.com',
  from_name: 'Maria Gomez',
  subject: 'Forgot password',
  text: 'I forgot my password. How do I reset it?',
  human_reply: 'Hi Maria, use "Forgot password" on the sign-in page and follow the link we email you. — Sam',
  request_type: 'how_to',
};

const REFUND = {
  id: 'hist-refund-1',
  from: 'li.wei@example.com',
  subject: 'Charged twice',
  text: 'I was charged twice for the annual plan this month. Please refund one of the charges.',
  human_reply: 'Sorry about that, Li. I have refunded the duplicate charge; it shows in 5–10 days. — Sam',
};

async function deliveriesOf(ticketId: string): Promise<unknown[]> {
  return (await env.DB.prepare('SELECT kind, status FROM deliveries WHERE ticket_id = ?').bind(ticketId).all()).results;
}

describe('POST /admin/replay', () => {
  it('needs the admin token and a complete history item', async () => {
    expect((await postReplay(PASSWORD, null)).status).toBe(401);
    expect((await postReplay(PASSWORD, 'test-api-token')).status).toBe(401);
    const invalid = await postReplay({ ...PASSWORD, human_reply: undefined });
    expect(invalid.status).toBe(400);
    expect((await invalid.json<{ error: { code: string } }>()).error.code).toBe('validation_failed');
  });

  it('decides and drafts a past ticket, stores the human reply, and sends nothing: no reply, no Slack', async () => {
    const deps = buildDeps(env);
    const before = await countAutoReplies(deps.db, 0);
    const response = await postReplay(PASSWORD);
    expect(response.status).toBe(200);
    const result = await response.json<ReplayResult>();
    expect(result).toMatchObject({ created: true, status: 'done', outcome: 'auto_reply', labelled_type: 'how_to' });
    const ticket = await env.DB.prepare('SELECT source, from_address, body_text FROM tickets WHERE id = ?').bind(result.ticket_id).first();
    expect(ticket).toEqual({ source: 'replay', from_address: 'maria@example.com', body_text: PASSWORD.text });
    const stored = await env.DB.prepare('SELECT history_id, human_reply FROM replays WHERE ticket_id = ?').bind(result.ticket_id).first();
    expect(stored).toEqual({ history_id: PASSWORD.id, human_reply: PASSWORD.human_reply });
    expect(await deliveriesOf(result.ticket_id)).toEqual([]);
    // A replayed auto-reply went to nobody: it spends none of the deployment's sending limits.
    expect(await countAutoReplies(deps.db, 0)).toBe(before);
  });

  it('in shadow, the shipped default, reports what the policy would have done beside what the mode did', async () => {
    const deps = buildDeps(env);
    await setModeRule(deps.db, { address: ANY, requestType: ANY }, 'shadow', 'test', Date.now());
    try {
      const result = await (await postReplay({ ...PASSWORD, id: 'hist-password-shadow', from: 'nina@example.com' })).json<ReplayResult>();
      expect(result).toMatchObject({ status: 'done', outcome: 'review', policy_outcome: 'auto_reply', request_type: 'how_to' });
    } finally {
      await setModeRule(deps.db, { address: ANY, requestType: ANY }, null, 'test', Date.now());
    }
  });

  it('an escalated past ticket reaches neither Slack nor the helpdesk', async () => {
    const result = await (await postReplay(REFUND)).json<ReplayResult>();
    expect(result.outcome).toBe('escalate');
    expect(await deliveriesOf(result.ticket_id)).toEqual([]);
    expect(await providerRequests(result.ticket_id)).toEqual([]);
  });

  it('replaying the same history line again finds the same ticket and decision', async () => {
    const first = await (await postReplay({ ...PASSWORD, id: 'hist-twice' })).json<ReplayResult>();
    const again = await (await postReplay({ ...PASSWORD, id: 'hist-twice' })).json<ReplayResult>();
    expect(again).toMatchObject({ ticket_id: first.ticket_id, created: false, outcome: first.outcome });
    const decisions = await env.DB.prepare('SELECT count(*) AS n FROM decisions WHERE ticket_id = ?').bind(first.ticket_id).first<{ n: number }>();
    expect(decisions!.n).toBe(1);
    const polled = await request(`/admin/replay/${first.ticket_id}`, { token: ADMIN_TOKEN });
    expect(await polled.json()).toMatchObject({ ticket_id: first.ticket_id, outcome: first.outcome });
  });
});

describe('the console ticket page of a replayed ticket', () => {
  it('shows the draft beside the human reply, offers no button that sends, and refuses an approve', async () => {
    const result = await (await postReplay({ ...PASSWORD, id: 'hist-console' })).json<ReplayResult>();
    const user = await ConsoleUser.login();
    const page = await (await user.get(`/console/tickets/${result.ticket_id}`)).text();
    expect(page).toContain('id="human-reply"');
    expect(page).toContain('use &quot;Forgot password&quot; on the sign-in page');
    expect(page).toMatch(/id="draft">[^<]*\S/);
    expect(page).toContain('sent nothing to anyone');
    expect(page).not.toContain('id="approve"');
    const approve = await user.post(`/console/tickets/${result.ticket_id}/actions`, { action: 'approve', _csrf: csrfIn(page) });
    expect(approve.status).toBe(409);
    expect(await deliveriesOf(result.ticket_id)).toEqual([]);
  });
});
