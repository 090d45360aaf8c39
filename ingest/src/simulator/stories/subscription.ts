import { cancellationReasons, dayMs, paidPlanLadder, type PlanName } from '../catalog.ts';
import { monthlyPriceCents, type Account, type Subscription } from '../model.ts';
import type { Weighted } from '../random.ts';
import type { StoryContext } from '../story-context.ts';

export const trialLengthMs = 14 * dayMs;
const trialConversionProbability = 0.4;
const trialExpiryCancelsProbability = 0.7;
const restartAfterCancelProbability = 0.15;
const monthMs = 30 * dayMs;
// Hazards are re-evaluated at least this often, so changes in usage move churn risk.
const reviewIntervalMs = 7 * dayMs;

type Move = 'upgrade' | 'downgrade' | 'cancel';
interface PlanAndSeats {
  plan: PlanName;
  seats: number;
}

/** Starts an account's subscription and plans its future: trial outcome or plan changes. */
export function startSubscription(
  ctx: StoryContext,
  account: Account,
  at: number,
  plan: PlanName,
  seats: number,
  trialRemainingMs = trialLengthMs,
): void {
  const subscription = { plan, seats, mrrCents: monthlyPriceCents(plan, seats) };
  account.subscription = subscription;
  ctx.emit(at, {
    type: 'subscription.started',
    account_id: account.id,
    plan,
    mrr_cents: subscription.mrrCents,
  });
  if (plan === 'trial') planTrialOutcome(ctx, account, at, trialRemainingMs);
  else planNextMove(ctx, account, at);
}

function planTrialOutcome(ctx: StoryContext, account: Account, at: number, remainingMs: number) {
  const { random } = ctx;
  if (random.chance(trialConversionProbability * (0.5 + account.happiness))) {
    ctx.schedule(at + ctx.delay(remainingMs * random.between(0.1, 1)), (convertedAt) => {
      const plan = random.weighted<PlanName>([
        ['starter', 70],
        ['growth', 30],
      ]);
      changePlan(ctx, account, convertedAt, plan, account.users.length);
    });
    return;
  }
  ctx.schedule(at + ctx.delay(remainingMs), (expiredAt) => {
    if (random.chance(trialExpiryCancelsProbability))
      cancel(ctx, account, expiredAt, 'trial_expired');
    else changePlan(ctx, account, expiredAt, 'free', 0);
  });
}

function planNextMove(ctx: StoryContext, account: Account, from: number): void {
  const { random } = ctx;
  const subscription = account.subscription;
  if (subscription === undefined) return;
  const moves = moveRatesPerMonth(account, subscription, from);
  const totalRate = moves.reduce((sum, [, rate]) => sum + rate, 0);
  const waitMs = random.exponential(monthMs / totalRate);
  if (waitMs > reviewIntervalMs) {
    ctx.schedule(from + ctx.delay(reviewIntervalMs), (at) => {
      planNextMove(ctx, account, at);
    });
    return;
  }
  ctx.schedule(from + ctx.delay(waitMs), (at) => {
    const current = account.subscription;
    if (current === undefined) return;
    const move = random.weighted(moves);
    if (move === 'cancel') {
      cancel(ctx, account, at, random.chance(0.8) ? random.pick(cancellationReasons) : undefined);
      return;
    }
    const target =
      move === 'upgrade' ? upgradeOf(ctx, account, current) : downgradeOf(ctx, current);
    changePlan(ctx, account, at, target.plan, target.seats);
  });
}

/** Monthly hazard of each move: unused or unhappy accounts cancel and downgrade more. */
function moveRatesPerMonth(
  account: Account,
  subscription: Subscription,
  at: number,
): Weighted<Move>[] {
  if (subscription.plan === 'free') return [['upgrade', 0.15]];
  const dormant = account.trajectory.kind === 'dormant' && at >= account.trajectory.from;
  const declining = account.trajectory.kind === 'declining' && at >= account.trajectory.from;
  const risk = (dormant ? 3 : declining ? 4 : 1) * (1.6 - account.happiness);
  const canDowngrade = subscription.plan !== 'starter' || subscription.seats > 1;
  return [
    ['upgrade', dormant || declining ? 0.02 : 0.12],
    ['downgrade', canDowngrade ? 0.08 * risk : 0],
    ['cancel', 0.05 * risk],
  ];
}

function upgradeOf(ctx: StoryContext, account: Account, current: Subscription): PlanAndSeats {
  if (current.plan === 'free') return { plan: 'starter', seats: Math.max(1, account.users.length) };
  const nextPlan = paidPlanLadder[ladderPosition(current.plan) + 1];
  if (nextPlan !== undefined && ctx.random.chance(0.4))
    return { plan: nextPlan, seats: current.seats };
  return { plan: current.plan, seats: current.seats + ctx.random.integer(1, 5) };
}

function downgradeOf(ctx: StoryContext, current: Subscription): PlanAndSeats {
  const position = ladderPosition(current.plan);
  const previousPlan = position > 0 ? paidPlanLadder[position - 1] : undefined;
  if (previousPlan !== undefined && (current.seats === 1 || ctx.random.chance(0.5))) {
    return { plan: previousPlan, seats: current.seats };
  }
  return { plan: current.plan, seats: Math.max(1, current.seats - ctx.random.integer(1, 3)) };
}

function ladderPosition(plan: PlanName): number {
  return paidPlanLadder.findIndex((paidPlan) => paidPlan === plan);
}

function changePlan(
  ctx: StoryContext,
  account: Account,
  at: number,
  plan: PlanName,
  seats: number,
) {
  const before = account.subscription;
  if (before === undefined) return;
  const after = { plan, seats, mrrCents: monthlyPriceCents(plan, seats) };
  account.subscription = after;
  ctx.emit(at, {
    type: 'subscription.changed',
    account_id: account.id,
    from_plan: before.plan,
    to_plan: after.plan,
    mrr_cents_before: before.mrrCents,
    mrr_cents_after: after.mrrCents,
  });
  planNextMove(ctx, account, at);
}

function cancel(ctx: StoryContext, account: Account, at: number, reason: string | undefined): void {
  const before = account.subscription;
  if (before === undefined) return;
  account.subscription = undefined;
  ctx.emit(at, {
    type: 'subscription.cancelled',
    account_id: account.id,
    mrr_cents_lost: before.mrrCents,
    ...(reason === undefined ? {} : { reason }),
  });
  if (ctx.random.chance(restartAfterCancelProbability)) {
    ctx.schedule(at + ctx.delay(ctx.random.between(3, 20) * dayMs), (restartedAt) => {
      startSubscription(ctx, account, restartedAt, 'starter', Math.max(1, before.seats));
    });
  }
}
