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

/** How close to its first-reply target an unreplied ticket counts as about to breach. */
export const slaAboutToBreachMs = 15 * 60_000;

/** Where an open ticket without a reply stands at as_of against its first-reply target. */
export type UnrepliedSlaState = 'breaching' | 'about_to_breach' | 'within_target';

/**
 * Breaching once as_of is past the due instant (at it, a reply would still be on time);
 * about to breach while 0 ≤ time left < `aboutToBreachMs`.
 */
export const unrepliedSlaState = (
  createdMs: number,
  priority: TicketPriority,
  targets: SlaTargets,
  asOfMs: number,
  aboutToBreachMs: number = slaAboutToBreachMs,
): UnrepliedSlaState => {
  const leftMs = firstReplyDueMs(createdMs, priority, targets) - asOfMs;
  if (leftMs < 0) return 'breaching';
  return leftMs < aboutToBreachMs ? 'about_to_breach' : 'within_target';
};
