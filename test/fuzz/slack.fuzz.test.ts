// Slack interactivity under random and mutated payloads: unsigned requests are
// 401, signed garbage is a 4xx with a stable code (or Slack's empty 200 for a
// well-formed payload that asks for nothing), never a 500, and nothing is sent
// unless the payload names a real ticket and one of our actions.
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { EDIT_VIEW, SLACK_ACTIONS } from '../../src/act/slack-message';
import { ERROR_CODES } from '../../src/errors';
import { buttonClick, slackSignature } from '../act/helpers';
import { postTicket, waitForTicket } from '../helpers';
import { FUZZ_TIMEOUT_MS, fuzzParameters, recordingQueue } from './fuzz';

const outbox = recordingQueue();
const fuzzEnv = { ...env, TICKETS: recordingQueue(), OUTBOX: outbox, RATE_LIMIT_ENABLED: 'false' } as Env;

/** An escalated ticket waiting for a human: the one real ticket the fuzzed payloads may name. */
let escalatedId = '';

beforeAll(async () => {
  const response = await postTicket({
    from: 'grace@example.com',
    subject: 'Unauthorized charge',
    text: 'You charged my card again after I cancelled. Reverse it now or I will file a chargeback with my bank.',
  });
  const { ticket_id } = (await response.json()) as { ticket_id: string };
  const view = await waitForTicket(ticket_id);
  expect(view.decision).toMatchObject({ outcome: 'escalate' });
  escalatedId = ticket_id;
});

async function postSigned(body: string, signed: boolean, headers: Record<string, string> = {}): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature: Record<string, string> = signed ? { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': await slackSignature(body, timestamp) } : {};
  return app.fetch(
    new Request('https://deflect.test/slack/actions', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...signature, ...headers },
      body,
    }),
    fuzzEnv,
  );
}

async function deliveryCount(): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM deliveries').first<{ n: number }>())!.n;
}

/** A signed payload that names no real ticket-and-action: no 500, a stable code if refused, and nothing sent. */
async function checkNothingSent(payload: string): Promise<void> {
  const [sentBefore, deliveriesBefore] = [outbox.sent.length, await deliveryCount()];
  const response = await postSigned(payload, true);
  expect(response.status).toBeLessThan(500);
  if (!response.ok) expect(ERROR_CODES).toContain(((await response.json()) as { error?: { code: string } }).error?.code);
  expect(outbox.sent.length).toBe(sentBefore);
  expect(await deliveryCount()).toBe(deliveriesBefore);
}

const form = (payload: string) => `payload=${encodeURIComponent(payload)}`;
const OUR_ACTIONS: string[] = Object.values(SLACK_ACTIONS);
const notOurAction = fc.string({ maxLength: 40 }).filter((id) => !OUR_ACTIONS.includes(id));
const unknownTicket = fc.oneof(fc.string({ maxLength: 40 }), fc.uuid(), fc.constant('tkt_000000000000000000000000'));

/** A documented button click with one part replaced by anything at all. */
const mutatedClick = fc
  .tuple(fc.constantFrom(...OUR_ACTIONS), unknownTicket, fc.constantFrom('type', 'user', 'actions', 'response_url', 'trigger_id', 'team', 'extra'), fc.anything())
  .map(([action, ticket, field, value]) => JSON.stringify({ ...buttonClick(action, ticket, 'https://hooks.slack.com/actions/T0/1/fuzz'), [field]: value }));

const editSubmission = fc
  .tuple(fc.oneof(fc.constant(EDIT_VIEW.callbackId), fc.string({ maxLength: 30 })), fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), unknownTicket.map((id) => JSON.stringify({ ticket_id: id, response_url: null }))), fc.string({ maxLength: 200 }))
  .map(([callbackId, metadata, text]) =>
    JSON.stringify({
      type: 'view_submission',
      user: { id: 'UFUZZ', username: 'fuzz' },
      view: { callback_id: callbackId, private_metadata: metadata, state: { values: { [EDIT_VIEW.blockId]: { [EDIT_VIEW.actionId]: { value: text } } } } },
    }),
  );

describe('POST /slack/actions fuzzed', { timeout: FUZZ_TIMEOUT_MS }, () => {
  it('unsigned or badly signed requests are 401, whatever they carry', async () => {
    const headers = fc.oneof(
      fc.constant({}),
      fc.record({ 'x-slack-request-timestamp': fc.oneof(fc.nat().map(String), fc.string({ maxLength: 12 })), 'x-slack-signature': fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^v0=[0-9a-f]{64}$/)) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedClick, fc.string({ maxLength: 300 })), headers, async (payload, given) => {
        const response = await postSigned(form(payload), false, given);
        expect(response.status).toBe(401);
        expect(ERROR_CODES).toContain(((await response.json()) as { error: { code: string } }).error.code);
      }),
      fuzzParameters(0.1),
    );
    expect(outbox.sent).toEqual([]);
  });

  it('signed garbage — not JSON, not a payload, random JSON — is refused with a stable code', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 300 }).map(form),
      fc.jsonValue().map((v) => form(JSON.stringify(v))),
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
    );
    await fc.assert(fc.asyncProperty(body, checkNothingSent), fuzzParameters(0.15));
  });

  it('mutated clicks and edit submissions on tickets that do not exist send nothing', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(mutatedClick, editSubmission).map(form), checkNothingSent), fuzzParameters(0.2));
  });

  it('a real ticket with an action that is not ours sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(notOurAction, async (action) => checkNothingSent(form(JSON.stringify(buttonClick(action, escalatedId, 'https://hooks.slack.com/actions/T0/1/fuzz'))))),
      fuzzParameters(0.05),
    );
    const view = await waitForTicket(escalatedId);
    expect(view.deliveries.filter((d) => d.kind === 'email_reply')).toEqual([]);
  });
});
