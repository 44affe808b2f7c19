// Guard headers the shared samples do not carry (shared/data README "Gaps"): each is
// added to a real customer message, which on its own is a ticket.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/deps';
import { guardDraft } from '../../src/ingest/guard';
import { draftFromMime } from '../../src/ingest/mime';
import type { TicketDraft } from '../../src/ticket';
import { MIME_SAMPLES } from './samples';

const config = { SUPPORT_ADDRESS: 'support@tallybook.example' };
let customer: TicketDraft;

beforeAll(async () => {
  customer = await draftFromMime({ bytes: MIME_SAMPLES['plain-basic-crlf.eml']!, source: 'email' }, buildDeps(env).config);
});

const withHeader = (name: string, value: string): TicketDraft => ({ ...customer, headers: { ...customer.headers, [name]: value } });

describe('guardDraft on a real customer message with one header added', () => {
  it('lets the message through as it is', () => {
    expect(guardDraft(customer, config)).toBeNull();
  });

  it.each([
    ['x-autoreply', 'yes', 'auto_reply'],
    ['x-autorespond', 'Automatic reply', 'auto_reply'],
    ['precedence', 'auto_reply', 'auto_reply'],
    ['precedence', 'junk', 'bulk_precedence'],
    ['precedence', 'bulk', 'bulk_precedence'],
    ['auto-submitted', 'auto-generated', 'auto_submitted'],
    ['list-unsubscribe', '<mailto:leave@lists.example>', 'mailing_list'],
    ['return-path', '<>', 'bounce'],
    ['x-failed-recipients', 'someone@example.com', 'bounce'],
  ])('%s: %s → %s', (name, value, reason) => {
    expect(guardDraft(withHeader(name, value), config)).toBe(reason);
  });

  it('answers mail that says Auto-Submitted: no (RFC 3834: written by a person)', () => {
    expect(guardDraft(withHeader('auto-submitted', 'no'), config)).toBeNull();
  });
});
