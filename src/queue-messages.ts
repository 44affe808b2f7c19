// What travels on the two queues: ids, never bodies (the row in D1 is the truth).
// The consumer parses every body with these schemas before it touches a row.
import { z } from 'zod';

export const TicketMessage = z.object({ ticketId: z.string().min(1) });
export type TicketMessage = z.infer<typeof TicketMessage>;

export const OutboxMessage = z.object({ deliveryId: z.string().min(1) });
export type OutboxMessage = z.infer<typeof OutboxMessage>;

/** Every body this Worker sends to (and so consumes from) its queues. */
export type QueueBody = TicketMessage | OutboxMessage;
