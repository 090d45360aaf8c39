// The fixed vocabulary of the simulated SaaS product: plans, regions, pages, features, CTAs,
// support teams. Pure data; the stories decide how it is used.
import type { Weighted } from './random.ts';
import type { TicketChannel, TicketPriority } from './events.ts';

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;

export type PaidPlan = 'starter' | 'growth' | 'business';
export type PlanName = 'free' | 'trial' | PaidPlan;

/** Paid plans from cheapest to dearest: an upgrade moves right, a downgrade left. */
export const paidPlanLadder: readonly PaidPlan[] = ['starter', 'growth', 'business'];

/** Monthly price of a paid plan: a base fee plus a price per seat, in cents. */
export const paidPlanPrice: Readonly<Record<PaidPlan, { baseCents: number; seatCents: number }>> = {
  starter: { baseCents: 2_900, seatCents: 1_200 },
  growth: { baseCents: 9_900, seatCents: 2_500 },
  business: { baseCents: 49_900, seatCents: 4_000 },
};

/** A customer region: its UTC offset sets the working hours its users are active in. */
export interface Region {
  readonly name: string;
  readonly utcOffsetMinutes: number;
}

export const regions: readonly Weighted<Region>[] = [
  [{ name: 'americas', utcOffsetMinutes: -300 }, 45],
  [{ name: 'europe', utcOffsetMinutes: 60 }, 40],
  [{ name: 'apac', utcOffsetMinutes: 330 }, 15],
];

/** Product pages; `{id}` is replaced by a project number. */
export const pagePaths: readonly Weighted<string>[] = [
  ['/dashboard', 30],
  ['/projects', 18],
  ['/projects/{id}', 25],
  ['/reports', 10],
  ['/settings', 5],
  ['/team', 4],
  ['/integrations', 3],
  ['/billing', 2],
  ['/help', 3],
];

export const landingPaths: readonly Weighted<string>[] = [
  ['/dashboard', 60],
  ['/', 25],
  ['/projects', 15],
];

/** Product features with the share of users who ever adopt each. */
export const features: readonly (readonly [feature: string, adoption: number])[] = [
  ['dashboards', 0.8],
  ['search', 0.6],
  ['reports', 0.5],
  ['comments', 0.45],
  ['alerts', 0.35],
  ['export_csv', 0.3],
  ['integrations', 0.25],
  ['api_keys', 0.1],
];

export const ticketPriorities: readonly Weighted<TicketPriority>[] = [
  ['low', 25],
  ['normal', 48],
  ['high', 19],
  ['urgent', 8],
];

export const ticketChannels: readonly Weighted<TicketChannel>[] = [
  ['email', 40],
  ['chat', 30],
  ['web', 20],
  ['phone', 10],
];

/** Support teams a ticket can be routed to, each with its agents. */
export const supportTeams: Readonly<Record<string, readonly string[]>> = {
  technical: ['agent-ada', 'agent-linus', 'agent-grace', 'agent-ken'],
  billing: ['agent-marie', 'agent-alan'],
  onboarding: ['agent-rosa', 'agent-tim'],
  tier2: ['agent-barbara', 'agent-dennis'],
  engineering: ['agent-margaret'],
};

export const routingTeams: readonly string[] = ['technical', 'billing', 'onboarding'];
export const escalationTeams: readonly string[] = ['tier2', 'engineering'];

export const cancellationReasons: readonly string[] = [
  'too_expensive',
  'missing_features',
  'switched_to_competitor',
  'no_longer_needed',
];
