import type { KpiEvent, TicketPriority } from '@kpiwall/shared';
import {
  defaultAtRiskScoreBelow,
  defaultHealthSignalWeights,
  healthSignalNames,
  type AccountHealth,
  type AtRiskAccount,
  type FiredHealthSignal,
  type HealthKpis,
  type HealthSignal,
  type HealthSignalInputs,
} from '@kpiwall/shared';
import { activityEventTypes } from './product-usage.ts';
import { defaultSlaTargetsMs, firstReplyDueMs, repliedOnTime, type SlaTargets } from './sla.ts';
import { dayMs, inRollingWindow } from './windows.ts';

/*
 * Churn signals and health score (../../../../shared/KPIS.md, "Churn signals and health").
 * Decisions where KPIS.md leaves room:
 * - "Last N d" is the rolling window (as_of − N × 24 h, as_of]. "The 28 d before" the last 7 d
 *   is (as_of − 35 d, as_of − 7 d], cut into four weeks (as_of − (7k + 7) d, as_of − 7k d],
 *   k = 1…4; a weekly count of users is the distinct users of that week, the mean is their
 *   sum / 4. No time zone is involved.
 * - usage_drop: ≥ 50 % means last7 ≤ mean / 2, ≥ 25 % means last7 ≤ 3/4 × mean; both are
 *   compared on integers (8 × last7 ≤ sum, 16 × last7 ≤ 3 × sum), so an exact 50 % drop fires
 *   usage_drop_50 without floating-point doubt. Neither fires when the 28 d had no active user.
 * - ticket_spike_7d counts tickets (one per (account_id, ticket_id), at its earliest
 *   `ticket.created`) and fires also when the 28 d before had none (5 > 1.5 × 0).
 * - sla_breaches_7d_ge_3: a late first reply counts when the reply is in the last 7 d, whenever
 *   the ticket was created. "Open unreplied past target" is as in Support: created ≤ as_of, open
 *   at as_of, no public agent reply ≤ as_of, due < as_of. The two sets are disjoint.
 * - reopened_7d_ge_2 counts `ticket.reopened` events (a ticket reopened twice counts twice).
 * - A churned account still has its signals evaluated and listed (and in firedSignals); only
 *   its score is forced to 0. An account with no activity ever is dormant.
 * - "Has sent an event": any event type with time ≤ as_of.
 */

type Stamp = { timeMs: number; arrival: number };
type Answer = Stamp & { score: number };
type SubscriptionEvent = Stamp & { mrrCents: number; churns: boolean; downgrade: boolean };
type StatusChange = Stamp & { solved: boolean };
type Ticket = {
  created: (Stamp & { priority: TicketPriority }) | null;
  firstReplyMs: number | null;
  statusChanges: StatusChange[];
};

type AccountState = {
  firstEventMs: number;
  /** Per user, the distinct activity times, ascending. */
  activityByUser: Map<string, number[]>;
  /** The latest activity time forgetBefore dropped (all dropped ones are older than kept ones). */
  forgottenActivityMs: number | null;
  tickets: Map<string, Ticket>;
  reopenedMs: number[];
  nps: Answer[];
  csat: Answer[];
  subscription: SubscriptionEvent[];
  /** The latest subscription event forgetBefore dropped: still sets MRR until a later one. */
  forgottenSubscription: SubscriptionEvent | null;
};

type Evaluation = {
  health: AccountHealth;
  inputs: HealthSignalInputs;
};

export type HealthOptions = {
  weights?: Partial<Record<HealthSignal, number>>;
  slaTargetsMs?: SlaTargets;
  atRiskScoreBelow?: number;
};

const weekMs = 7 * dayMs;
const priorWeeks = 4;
const dormantMs = 14 * dayMs;
const surveyWindowMs = 30 * dayMs;
const downgradeWindowMs = 30 * dayMs;
// Data older than these before the forgetBefore instant can no longer reach any window.
const activityKeptMs = weekMs * (priorWeeks + 1);
const ticketSpikeMin = 5;
const slaBreachesMin = 3;
const reopenedMin = 2;
const npsDetractorMax = 6;
const csatLowMax = 2;

/** Health scores, at-risk accounts and the inputs of every signal, per account. */
export class Health {
  readonly #weights: Readonly<Record<HealthSignal, number>>;
  readonly #slaTargets: SlaTargets;
  readonly #atRiskScoreBelow: number;
  readonly #accounts = new Map<string, AccountState>();
  #arrivals = 0;
  #forgottenBefore = Number.NEGATIVE_INFINITY;

  constructor(options: HealthOptions = {}) {
    this.#weights = { ...defaultHealthSignalWeights, ...options.weights };
    this.#slaTargets = options.slaTargetsMs ?? defaultSlaTargetsMs;
    this.#atRiskScoreBelow = options.atRiskScoreBelow ?? defaultAtRiskScoreBelow;
  }

  apply(event: KpiEvent): void {
    const account = this.#account(event.account_id);
    const stamp: Stamp = { timeMs: event.time, arrival: this.#arrivals++ };
    account.firstEventMs = Math.min(account.firstEventMs, event.time);
    if (activityEventTypes.has(event.type)) {
      if (event.user_id !== null) recordActivity(account, event.user_id, event.time);
      return;
    }
    switch (event.type) {
      case 'subscription.started':
        account.subscription.push({
          ...stamp,
          mrrCents: event.mrr_cents,
          churns: false,
          downgrade: false,
        });
        break;
      case 'subscription.changed':
        account.subscription.push({
          ...stamp,
          mrrCents: event.mrr_cents_after,
          churns: event.mrr_cents_after === 0,
          downgrade: event.mrr_cents_after < event.mrr_cents_before,
        });
        break;
      case 'subscription.cancelled':
        account.subscription.push({ ...stamp, mrrCents: 0, churns: true, downgrade: false });
        break;
      case 'survey.answered':
        if (event.kind === 'nps') account.nps.push({ ...stamp, score: event.score });
        if (event.kind === 'csat') account.csat.push({ ...stamp, score: event.score });
        break;
      case 'ticket.created': {
        const ticket = ticketOf(account, event.ticket_id);
        if (ticket.created === null || isLater(ticket.created, stamp)) {
          ticket.created = { ...stamp, priority: event.priority };
        }
        break;
      }
      case 'ticket.replied':
        if (event.author === 'agent' && event.public) {
          const ticket = ticketOf(account, event.ticket_id);
          if (ticket.firstReplyMs === null || event.time < ticket.firstReplyMs) {
            ticket.firstReplyMs = event.time;
          }
        }
        break;
      case 'ticket.solved':
      case 'ticket.reopened':
        ticketOf(account, event.ticket_id).statusChanges.push({
          ...stamp,
          solved: event.type === 'ticket.solved',
        });
        if (event.type === 'ticket.reopened') account.reopenedMs.push(event.time);
        break;
      default:
        break;
    }
  }

  kpis(asOfMs: number): HealthKpis {
    const evaluations = this.#evaluate(asOfMs);
    const atRisk: AtRiskAccount[] = evaluations
      .filter(({ health }) => !health.churned && health.score < this.#atRiskScoreBelow)
      .map(({ health: { account_id, score, mrr_cents, signals } }) => ({
        account_id,
        score,
        mrr_cents,
        signals,
      }))
      .sort(
        (a, b) =>
          b.mrr_cents - a.mrr_cents ||
          a.score - b.score ||
          compareCodePoints(a.account_id, b.account_id),
      );
    return {
      health_scores: evaluations.map(({ health }) => health),
      at_risk_accounts: atRisk,
      health_signals: evaluations.map(({ inputs }) => inputs),
    };
  }

  /** The signals firing as of an instant, each stamped with it: the record a writer stores. */
  firedSignals(asOfMs: number): FiredHealthSignal[] {
    return this.#evaluate(asOfMs).flatMap(({ health }) =>
      health.signals.map((signal) => ({
        account_id: health.account_id,
        signal,
        weight: this.#weights[signal],
        fired_at: asOfMs,
      })),
    );
  }

  /**
   * Drops what no window ending at or after `asOfMs` can reach (the clock only moves on),
   * keeping the latest activity and subscription event. Tickets are kept: one left unreplied
   * stays past its target however old it is.
   */
  forgetBefore(asOfMs: number): void {
    this.#forgottenBefore = Math.max(this.#forgottenBefore, asOfMs);
    const horizon = this.#forgottenBefore;
    for (const account of this.#accounts.values()) {
      forgetActivity(account, horizon - activityKeptMs);
      account.reopenedMs = account.reopenedMs.filter((timeMs) => timeMs > horizon - weekMs);
      account.nps = account.nps.filter((answer) => answer.timeMs > horizon - surveyWindowMs);
      account.csat = account.csat.filter((answer) => answer.timeMs > horizon - surveyWindowMs);
      forgetSubscription(account, horizon - downgradeWindowMs);
    }
  }

  #evaluate(asOfMs: number): Evaluation[] {
    const ids = [...this.#accounts.keys()].sort(compareCodePoints);
    const evaluations: Evaluation[] = [];
    for (const accountId of ids) {
      const account = this.#accounts.get(accountId);
      if (account === undefined || account.firstEventMs > asOfMs) continue;
      const inputs = this.#inputs(accountId, account, asOfMs);
      const signals = firingSignals(inputs.raw);
      const subscription = latestSubscription(account, asOfMs);
      const churned = subscription?.churns ?? false;
      const penalty = signals.reduce((sum, signal) => sum + this.#weights[signal], 0);
      evaluations.push({
        health: {
          account_id: accountId,
          score: churned ? 0 : Math.max(0, 100 - penalty),
          churned,
          mrr_cents: subscription?.mrrCents ?? 0,
          signals,
        },
        inputs: inputs.reported,
      });
    }
    return evaluations;
  }

  #inputs(
    accountId: string,
    account: AccountState,
    asOfMs: number,
  ): { raw: RawInputs; reported: HealthSignalInputs } {
    const activeUsers7d = distinctUsersIn(account, asOfMs - weekMs, asOfMs);
    const weekly = [1, 2, 3, 4].map((k) =>
      distinctUsersIn(account, asOfMs - (k + 1) * weekMs, asOfMs - k * weekMs),
    ) as [number, number, number, number];
    const activePrior = weekly.reduce((sum, users) => sum + users, 0);
    const activeMean = activePrior / priorWeeks;
    const lastActivityMs = latestActivityAsOf(account, asOfMs);
    const tickets = ticketCounts(account, asOfMs, this.#slaTargets);
    const raw: RawInputs = {
      activeUsers7d,
      activeUsersPrior28d: activePrior,
      lastActivityMs,
      asOfMs,
      ...tickets,
      reopened7d: account.reopenedMs.filter((t) => inRollingWindow(t, asOfMs, weekMs)).length,
      latestNps: latestAnswer(account.nps, asOfMs, surveyWindowMs)?.score ?? null,
      latestCsat: latestAnswer(account.csat, asOfMs, surveyWindowMs)?.score ?? null,
      downgrades30d: account.subscription.filter(
        (change) => change.downgrade && inRollingWindow(change.timeMs, asOfMs, downgradeWindowMs),
      ).length,
    };
    return {
      raw,
      reported: {
        account_id: accountId,
        active_users_7d: activeUsers7d,
        active_users_weekly_prior_28d: weekly,
        active_users_weekly_mean_prior_28d: activeMean,
        usage_drop_percent:
          activePrior === 0 ? null : ((activeMean - activeUsers7d) / activeMean) * 100,
        seconds_since_last_activity:
          lastActivityMs === null ? null : (asOfMs - lastActivityMs) / 1000,
        tickets_created_7d: tickets.ticketsCreated7d,
        tickets_created_weekly_mean_prior_28d: tickets.ticketsCreatedPrior28d / priorWeeks,
        late_first_replies_7d: tickets.lateFirstReplies7d,
        open_unreplied_past_target: tickets.openUnrepliedPastTarget,
        sla_breaches_7d: tickets.lateFirstReplies7d + tickets.openUnrepliedPastTarget,
        reopened_7d: raw.reopened7d,
        latest_nps_score_30d: raw.latestNps,
        latest_csat_score_30d: raw.latestCsat,
        downgrades_30d: raw.downgrades30d,
      },
    };
  }

  #account(accountId: string): AccountState {
    let account = this.#accounts.get(accountId);
    if (!account) {
      account = {
        firstEventMs: Number.POSITIVE_INFINITY,
        activityByUser: new Map(),
        forgottenActivityMs: null,
        tickets: new Map(),
        reopenedMs: [],
        nps: [],
        csat: [],
        subscription: [],
        forgottenSubscription: null,
      };
      this.#accounts.set(accountId, account);
    }
    return account;
  }
}

type TicketCounts = {
  ticketsCreated7d: number;
  ticketsCreatedPrior28d: number;
  lateFirstReplies7d: number;
  openUnrepliedPastTarget: number;
};

type RawInputs = TicketCounts & {
  activeUsers7d: number;
  activeUsersPrior28d: number;
  lastActivityMs: number | null;
  asOfMs: number;
  reopened7d: number;
  latestNps: number | null;
  latestCsat: number | null;
  downgrades30d: number;
};

/** The signals that fire for these inputs, in KPIS.md's order. */
const firingSignals = (inputs: RawInputs): HealthSignal[] => {
  const recent = inputs.activeUsers7d;
  const prior = inputs.activeUsersPrior28d;
  const fires: Record<HealthSignal, boolean> = {
    // recent ≤ (prior / 4) / 2, and 3/4 of the mean for 25 %: integer forms, no rounding.
    usage_drop_50: prior > 0 && 8 * recent <= prior,
    usage_drop_25: prior > 0 && 8 * recent > prior && 16 * recent <= 3 * prior,
    dormant_14d:
      inputs.lastActivityMs === null || inputs.asOfMs - inputs.lastActivityMs >= dormantMs,
    // > 1.5 × (prior / 4)  ⇔  8 × recent > 3 × prior.
    ticket_spike_7d:
      inputs.ticketsCreated7d >= ticketSpikeMin &&
      8 * inputs.ticketsCreated7d > 3 * inputs.ticketsCreatedPrior28d,
    sla_breaches_7d_ge_3:
      inputs.lateFirstReplies7d + inputs.openUnrepliedPastTarget >= slaBreachesMin,
    reopened_7d_ge_2: inputs.reopened7d >= reopenedMin,
    nps_detractor_latest_30d: inputs.latestNps !== null && inputs.latestNps <= npsDetractorMax,
    csat_low_latest_30d: inputs.latestCsat !== null && inputs.latestCsat <= csatLowMax,
    downgrade_30d: inputs.downgrades30d > 0,
  };
  return healthSignalNames.filter((signal) => fires[signal]);
};

const isLater = (a: Stamp, b: Stamp): boolean =>
  a.timeMs > b.timeMs || (a.timeMs === b.timeMs && a.arrival > b.arrival);

/** The latest item with time in (fromMs, asOfMs], by time, ties to the later arrival. */
const latestIn = <T extends Stamp>(
  items: readonly T[],
  fromMs: number,
  asOfMs: number,
): T | null => {
  let latest: T | null = null;
  for (const item of items) {
    if (item.timeMs <= fromMs || item.timeMs > asOfMs) continue;
    if (latest === null || isLater(item, latest)) latest = item;
  }
  return latest;
};

const latestAnswer = (answers: readonly Answer[], asOfMs: number, windowMs: number) =>
  latestIn(answers, asOfMs - windowMs, asOfMs);

/** The latest subscription event at or before as_of, kept or forgotten (late ones may be older). */
const latestSubscription = (account: AccountState, asOfMs: number): SubscriptionEvent | null => {
  const kept = latestIn(account.subscription, Number.NEGATIVE_INFINITY, asOfMs);
  const forgotten = account.forgottenSubscription;
  if (forgotten === null || forgotten.timeMs > asOfMs) return kept;
  return kept === null || isLater(forgotten, kept) ? forgotten : kept;
};

/** Index of the first time > `afterMs` in ascending `times`. */
const firstAfter = (times: readonly number[], afterMs: number): number => {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((times[middle] ?? Number.POSITIVE_INFINITY) > afterMs) high = middle;
    else low = middle + 1;
  }
  return low;
};

const recordActivity = (account: AccountState, userId: string, timeMs: number): void => {
  let times = account.activityByUser.get(userId);
  if (!times) {
    times = [];
    account.activityByUser.set(userId, times);
  }
  const index = firstAfter(times, timeMs);
  if (times[index - 1] === timeMs) return;
  times.splice(index, 0, timeMs);
};

/** Distinct users with activity in (fromMs, toMs]. */
const distinctUsersIn = (account: AccountState, fromMs: number, toMs: number): number => {
  let users = 0;
  for (const times of account.activityByUser.values()) {
    const time = times[firstAfter(times, fromMs)];
    if (time !== undefined && time <= toMs) users++;
  }
  return users;
};

const latestActivityAsOf = (account: AccountState, asOfMs: number): number | null => {
  let latest = account.forgottenActivityMs;
  for (const times of account.activityByUser.values()) {
    const time = times[firstAfter(times, asOfMs) - 1];
    if (time !== undefined && (latest === null || time > latest)) latest = time;
  }
  return latest;
};

const ticketOf = (account: AccountState, ticketId: string): Ticket => {
  let ticket = account.tickets.get(ticketId);
  if (!ticket) {
    ticket = { created: null, firstReplyMs: null, statusChanges: [] };
    account.tickets.set(ticketId, ticket);
  }
  return ticket;
};

/** Open unless the latest solve/reopen at or before as_of is a solve. */
const isOpen = (ticket: Ticket, asOfMs: number): boolean =>
  !(latestIn(ticket.statusChanges, Number.NEGATIVE_INFINITY, asOfMs)?.solved ?? false);

const ticketCounts = (account: AccountState, asOfMs: number, targets: SlaTargets): TicketCounts => {
  const counts: TicketCounts = {
    ticketsCreated7d: 0,
    ticketsCreatedPrior28d: 0,
    lateFirstReplies7d: 0,
    openUnrepliedPastTarget: 0,
  };
  for (const ticket of account.tickets.values()) {
    const created = ticket.created;
    if (created === null || created.timeMs > asOfMs) continue;
    if (inRollingWindow(created.timeMs, asOfMs, weekMs)) counts.ticketsCreated7d++;
    else if (inRollingWindow(created.timeMs, asOfMs - weekMs, priorWeeks * weekMs)) {
      counts.ticketsCreatedPrior28d++;
    }
    const replyMs = ticket.firstReplyMs;
    if (replyMs !== null && replyMs <= asOfMs) {
      const late = !repliedOnTime(created.timeMs, replyMs, created.priority, targets);
      if (late && inRollingWindow(replyMs, asOfMs, weekMs)) counts.lateFirstReplies7d++;
    } else if (
      firstReplyDueMs(created.timeMs, created.priority, targets) < asOfMs &&
      isOpen(ticket, asOfMs)
    ) {
      counts.openUnrepliedPastTarget++;
    }
  }
  return counts;
};

const forgetActivity = (account: AccountState, keepAfterMs: number): void => {
  for (const [user, times] of account.activityByUser) {
    const keepFrom = firstAfter(times, keepAfterMs);
    if (keepFrom === 0) continue;
    const dropped = times[keepFrom - 1] ?? Number.NEGATIVE_INFINITY;
    account.forgottenActivityMs = Math.max(account.forgottenActivityMs ?? dropped, dropped);
    if (keepFrom === times.length) account.activityByUser.delete(user);
    else times.splice(0, keepFrom);
  }
};

const forgetSubscription = (account: AccountState, keepAfterMs: number): void => {
  const kept: SubscriptionEvent[] = [];
  for (const change of account.subscription) {
    if (change.timeMs > keepAfterMs) kept.push(change);
    else if (
      account.forgottenSubscription === null ||
      isLater(change, account.forgottenSubscription)
    ) {
      account.forgottenSubscription = change;
    }
  }
  account.subscription = kept;
};

/** Code point order: the byte order of the UTF-8 strings, as ClickHouse sorts them. */
const compareCodePoints = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
};
