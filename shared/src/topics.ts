import { z } from 'zod';

/** Kafka topics (and in-process queue topics): keyed by account_id. */
export const topics = {
  product: 'kpiwall.product',
  support: 'kpiwall.support',
  deadLetter: 'kpiwall.deadletter',
} as const;
export type Topic = (typeof topics)[keyof typeof topics];

/**
 * A rejected input as stored on the dead-letter topic and in the `dead_letters` table: the
 * original text, the reason code of ../DESIGN.md, its index in the batch and arrival time.
 */
export const deadLetterSchema = z.strictObject({
  reason: z.string().min(1),
  index: z.int().nonnegative(),
  text: z.string(),
  received_at: z.int(),
  source: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
