// The mutable state of the simulated world: accounts, their subscription and their users.
import { dayMs, paidPlanPrice, type PlanName, type Region } from './catalog.ts';
import type { SignupPlan } from './events.ts';

/** A person using the product; belongs to exactly one account. */
export interface User {
  readonly id: string;
  /** Relative activity level (median 1). */
  readonly engagement: number;
  readonly adoptedFeatures: readonly string[];
  /** When the user reached first value: -Infinity for users older than the world, Infinity until then. */
  activatedAt: number;
}

/** How an account's usage evolves: its turning point `from` is an epoch ms. */
export type Trajectory =
  | { readonly kind: 'steady' }
  | { readonly kind: 'growing'; readonly from: number }
  | { readonly kind: 'declining'; readonly from: number }
  | { readonly kind: 'dormant'; readonly from: number };

export interface Subscription {
  readonly plan: PlanName;
  readonly seats: number;
  readonly mrrCents: number;
}

/** A customer account (tenant). `subscription` is undefined before it starts and after a cancellation. */
export interface Account {
  readonly id: string;
  readonly region: Region;
  /** 0..1: drives survey scores and churn risk. */
  readonly happiness: number;
  readonly trajectory: Trajectory;
  /** A period of many tickets (an outage on their side), if the account has one. */
  readonly incident: { readonly from: number; readonly until: number } | undefined;
  readonly users: User[];
  subscription: Subscription | undefined;
}

const declineDurationMs = 14 * dayMs;
const growthDurationMs = 21 * dayMs;

export function monthlyPriceCents(plan: PlanName, seats: number): number {
  if (plan === 'free' || plan === 'trial') return 0;
  const price = paidPlanPrice[plan];
  return price.baseCents + price.seatCents * seats;
}

export function signupPlanOf(subscription: Subscription): SignupPlan {
  if (subscription.plan === 'free' || subscription.plan === 'trial') return subscription.plan;
  return 'paid';
}

/** Product usage of an account at an instant relative to its normal level (0 = none). */
export function usageLevel(account: Account, at: number): number {
  if (account.subscription === undefined) return 0;
  const { trajectory } = account;
  switch (trajectory.kind) {
    case 'steady':
      return 1;
    case 'growing':
      return 1 + 0.6 * progress(at, trajectory.from, growthDurationMs);
    case 'declining':
      return 1 - 0.85 * progress(at, trajectory.from, declineDurationMs);
    case 'dormant':
      return at < trajectory.from ? 1 : 0;
  }
}

function progress(at: number, from: number, durationMs: number): number {
  return Math.min(1, Math.max(0, (at - from) / durationMs));
}

/** How likely a user is to start the next session of their account, relative to the others. */
export function sessionWeight(user: User, at: number): number {
  return user.engagement * (user.activatedAt <= at ? 1 : 0.4);
}

export function isInIncident(account: Account, at: number): boolean {
  return (
    account.incident !== undefined && at >= account.incident.from && at < account.incident.until
  );
}
