// Labelled request-type examples for `npm run train` and `npm run eval -- --routing-only`:
// the public intent sets mapped by request-types.json, the sample tickets, our own
// labelled tickets, and reviewed tickets exported from the console. A fixed 20% of
// every source (by a hash of the example's id) is held out: training never sees it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { hashString } from '../../src/decide/request-type-features';
import { RequestType } from '../../src/decide/request-types';

export type Labelled = { id: string; source: string; subject: string; text: string; type: RequestType };

/** `../shared/data` from the main checkout, `../../shared/data` from a worktree; DEFLECT_SHARED_DATA overrides. */
export function sharedDataDir(root: string, env: Record<string, string | undefined> = process.env): string {
  const candidates = [env.DEFLECT_SHARED_DATA, path.resolve(root, '../shared/data'), path.resolve(root, '../../shared/data')];
  const found = candidates.find((dir): dir is string => !!dir && existsSync(path.join(dir, 'intent/request-types.json')));
  if (!found) throw new Error('shared/data/intent not found: set DEFLECT_SHARED_DATA to the folder holding intent/request-types.json');
  return found;
}

// CLINC150 is a virtual-assistant set: only its banking and account intents are support requests a
// help desk gets. Chit-chat and assistant tasks (weather, timers, recipes) and `oos` map to no request
// type and are left out, and so are `greeting` ("hey, how are you": small talk to an assistant, and the
// opening of many real requests) and `maybe`; thanks, goodbyes and yes/no are acknowledgements (no_action).
export const CLINC150_MAP: Record<string, RequestType> = {
  thank_you: 'no_action', goodbye: 'no_action', yes: 'no_action', no: 'no_action',
  report_fraud: 'security', report_lost_card: 'security',
  account_blocked: 'account_specific', freeze_account: 'account_specific', card_declined: 'account_specific', damaged_card: 'account_specific',
  balance: 'account_specific', bill_balance: 'account_specific', bill_due: 'account_specific', transactions: 'account_specific',
  spending_history: 'account_specific', application_status: 'account_specific', order_status: 'account_specific',
  rewards_balance: 'account_specific', credit_limit_change: 'account_specific', pay_bill: 'account_specific', transfer: 'account_specific',
  travel_notification: 'account_specific', routing: 'account_specific',
  apr: 'how_to', interest_rate: 'how_to', international_fees: 'how_to', exchange_rate: 'how_to', pin_change: 'how_to',
  replacement_card_duration: 'how_to', direct_deposit: 'how_to', new_card: 'how_to', redeem_rewards: 'how_to', improve_credit_score: 'how_to',
};

export const isHeldOut = (id: string): boolean => hashString(`heldout:${id}`) % 5 === 0;

const readLines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

export function loadIntentSets(dataDir: string): Labelled[] {
  const mapping = JSON.parse(readFileSync(path.join(dataDir, 'intent/request-types.json'), 'utf8')) as Record<string, Record<string, string>>;
  const sets: [string, string, Record<string, string>][] = [
    ['bitext', 'bitext_customer_support.jsonl', mapping.bitext_customer_support!],
    ['banking77', 'banking77_test.jsonl', mapping.banking77!],
    ['clinc150', 'clinc150_test.jsonl', CLINC150_MAP],
  ];
  return sets.flatMap(([source, file, map]) =>
    readLines(path.join(dataDir, 'intent', file)).flatMap((row) => {
      const type = RequestType.safeParse(map[String(row.intent)]);
      return type.success ? [{ id: String(row.id), source, subject: '', text: String(row.text), type: type.data }] : [];
    }),
  );
}

/** Ticket files with `expect_request_type` ({id, subject?, question | text, expect_request_type}); lines without one are skipped. */
export function loadTicketFile(file: string, source: string): Labelled[] {
  return readLines(file).flatMap((row) => {
    const type = RequestType.safeParse(row.expect_request_type ?? row.request_type);
    const text = row.question ?? row.text;
    if (!type.success || typeof text !== 'string') return [];
    return [{ id: String(row.id ?? row.ticket_id), source, subject: typeof row.subject === 'string' ? row.subject : '', text, type: type.data }];
  });
}
