// POST /admin/replay (Bearer ADMIN_TOKEN): one past ticket and the reply a person
// actually sent, run through the real pipeline without sending anything (npm run
// replay). GET /admin/replay/{id}: its decision, for a run the queue finished.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { DecisionRow } from '../db/decisions';
import { findDecision } from '../db/decisions';
import { findReplay } from '../db/replays';
import { findTicket, type TicketRow } from '../db/tickets';
import type { AppEnv } from '../app-env';
import { AppError } from '../errors';
import { requireBearer } from '../middleware/auth';
import { limitBody, requireJson } from '../middleware/body';
import { rateLimit } from '../middleware/rate-limit';
import { replayTicket } from '../pipeline/replay';
import { validationHook } from './validation';

const HistoryItemBody = z
  .strictObject({
    id: z.string().trim().min(1).max(300),
    from: z.email().max(320),
    from_name: z.string().max(200).nullable().optional(),
    subject: z.string().max(998),
    text: z.string().trim().min(1).max(100_000),
    human_reply: z.string().trim().min(1).max(100_000),
    request_type: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .openapi('ReplayItem');

const ReplayResult = z
  .object({
    ticket_id: z.string(),
    created: z.boolean(),
    status: z.string(),
    outcome: z.string().nullable(),
    /** What the policy decided before the rollout mode: in `shadow` a would-be auto-reply is `review` in `outcome`, `auto_reply` here. */
    policy_outcome: z.string().nullable(),
    request_type: z.string().nullable(),
    labelled_type: z.string().nullable(),
    confidence: z.number().nullable(),
  })
  .openapi('ReplayResult');

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function resultJson(ticket: TicketRow, decision: DecisionRow | null | undefined, labelledType: string | null, created: boolean) {
  return {
    ticket_id: ticket.id,
    created,
    status: ticket.status,
    outcome: decision?.outcome ?? null,
    policy_outcome: decision?.policyOutcome ?? decision?.outcome ?? null,
    request_type: decision?.requestType ?? null,
    labelled_type: labelledType,
    confidence: decision?.confidence ?? null,
  };
}

export const replay = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
// Mounted before the admin routes, so it carries the admin guards itself: ADMIN_TOKEN guesses cost budget here too.
replay.use('/admin/replay', rateLimit('admin'), requireBearer('ADMIN_TOKEN'), limitBody('MAX_API_BODY_BYTES'), requireJson());
replay.use('/admin/replay/*', rateLimit('admin'), requireBearer('ADMIN_TOKEN'));

replay.openapi(
  createRoute({
    method: 'post',
    path: '/admin/replay',
    security: [{ bearer: [] }],
    request: { body: { required: true, content: { 'application/json': { schema: HistoryItemBody } } } },
    responses: {
      200: json(ReplayResult, 'Stored (once per history id) and decided; nothing was sent. `outcome` is null while the queue finishes it.'),
      400: json(ErrorBody, 'Invalid history item'),
      401: json(ErrorBody, 'Missing or wrong admin token'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json');
    const { deps } = c.var;
    const item = {
      id: body.id,
      from: body.from,
      fromName: body.from_name ?? null,
      subject: body.subject,
      text: body.text,
      humanReply: body.human_reply,
      requestType: body.request_type ?? null,
    };
    const { ticket, created, decision } = await replayTicket(item, deps);
    const current = (await findTicket(deps.db, ticket.id)) ?? ticket;
    const stored = await findReplay(deps.db, ticket.id);
    return c.json(resultJson(current, decision, stored?.labelledType ?? null, created), 200);
  },
);

replay.openapi(
  createRoute({
    method: 'get',
    path: '/admin/replay/{id}',
    security: [{ bearer: [] }],
    request: { params: z.object({ id: z.string().min(1).max(100) }) },
    responses: {
      200: json(ReplayResult, 'A replayed ticket and its decision (null until decided)'),
      401: json(ErrorBody, 'Missing or wrong admin token'),
      404: json(ErrorBody, 'No replayed ticket has this id'),
    },
  }),
  async (c) => {
    const { deps } = c.var;
    const { id } = c.req.valid('param');
    const [ticket, stored] = await Promise.all([findTicket(deps.db, id), findReplay(deps.db, id)]);
    if (!ticket || !stored) throw new AppError('not_found', 404, 'No replayed ticket has this id');
    return c.json(resultJson(ticket, await findDecision(deps.db, id), stored.labelledType, false), 200);
  },
);
