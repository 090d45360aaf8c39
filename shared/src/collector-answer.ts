import { z } from 'zod';

/** The collector's answer to `POST /v1/events`: how many events were accepted, and why each rejected one was. */
export const collectorAnswerSchema = z.strictObject({
  accepted: z.int().nonnegative(),
  rejected: z.array(z.strictObject({ index: z.int().nonnegative(), reason: z.string().min(1) })),
});
export type CollectorAnswer = z.infer<typeof collectorAnswerSchema>;
