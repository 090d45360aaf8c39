import type { TicketPriority } from '@kpiwall/shared';
import { hourMs } from './windows.ts';

/** First-reply targets per priority (../KPIS.md "Support", SLA); configurable, these are the defaults. */
export type SlaTargets = Record<TicketPriority, number>;

export const defaultSlaTargetsMs: SlaTargets = {
  urgent: 1 * hourMs,
  high: 4 * hourMs,
  normal: 8 * hourMs,
  low: 24 * hourMs,
};

/** The instant a first reply is due; a reply exactly at it is on time. */
export const firstReplyDueMs = (
  createdMs: number,
  priority: TicketPriority,
  targets: SlaTargets,
): number => createdMs + targets[priority];

/** A first reply at `repliedMs` was on time when it came no later than the due instant. */
export const repliedOnTime = (
  createdMs: number,
  repliedMs: number,
  priority: TicketPriority,
  targets: SlaTargets,
): boolean => repliedMs <= firstReplyDueMs(createdMs, priority, targets);
