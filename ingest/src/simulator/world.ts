import { storyKinds, storyRatesPerDay, type StoryKind } from './arrivals.ts';
import { dayMs, features, hourMs, regions, type PlanName } from './catalog.ts';
import { EventQueue } from './event-queue.ts';
import type { EventBody, RawEvent } from './events.ts';
import { sessionWeight, signupPlanOf, type Account, type Trajectory, type User } from './model.ts';
import { Random, type Weighted } from './random.ts';
import type { StoryContext } from './story-context.ts';
import { playOnboarding } from './stories/onboarding.ts';
import { playSession } from './stories/session.ts';
import { startSubscription, trialLengthMs } from './stories/subscription.ts';
import { answerNps } from './stories/survey.ts';
import { playTicket } from './stories/ticket.ts';
import { formatEventTime, type TimeStyle } from './time-format.ts';

export interface WorldOptions {
  readonly seed: number;
  readonly accounts: number;
  /** The world's first instant (epoch ms): established accounts' subscriptions start here. */
  readonly start: number;
  /**
   * The instant the world is built to be looked at (epoch ms, >= start): new accounts arrive
   * before it, and declines, dormancy and ticket incidents are placed so they show there.
   */
  readonly plannedEnd: number;
}

type Action =
  | { readonly kind: 'emit'; readonly body: EventBody }
  | { readonly kind: 'run'; readonly run: (at: number) => void };

/** How story starts are timed: by the world's own rates, or by the caller (live pacing). */
type Pacing = 'natural' | 'paced';

const establishedAccountShare = 0.7;
const establishedPlans: readonly Weighted<PlanName>[] = [
  ['free', 28],
  ['trial', 15],
  ['starter', 27],
  ['growth', 20],
  ['business', 10],
];
const newAccountPlans: readonly Weighted<PlanName>[] = [
  ['free', 45],
  ['trial', 45],
  ['starter', 10],
];
const establishedUsers: Readonly<Record<PlanName, readonly [min: number, max: number]>> = {
  free: [1, 3],
  trial: [2, 5],
  starter: [2, 8],
  growth: [5, 16],
  business: [12, 35],
};
const incidentProbability = 0.25;
const pacedRatesReuseMs = 1_000;
// Share of events whose `time` is written with the account's UTC offset, or as epoch ms.
const offsetTimeShare = 0.12;
const epochTimeShare = 0.03;

/**
 * The simulated SaaS world: accounts, users and a time-ordered queue of planned events and
 * story steps. Pure and deterministic: no clock of its own, time only moves in `runUntil`.
 */
export class World implements StoryContext {
  readonly random: Random;
  private readonly accounts: readonly Account[];
  private readonly accountsById = new Map<string, Account>();
  private readonly queue = new EventQueue<Action>();
  private readonly idTag: string;
  private clock: number;
  private speed = 1;
  private pacing: Pacing = 'natural';
  private emittedCount = 0;
  // Times of events planned while live and not yet counted as due; see plannedEventsDueBy.
  private readonly livePlanTimes = new EventQueue<undefined>();
  private liveEventsDue = 0;
  private sessionsStarted = 0;
  private ticketsCreated = 0;
  private pacedRates:
    { at: number; candidates: Weighted<readonly [Account, StoryKind]>[] } | undefined;

  constructor(options: WorldOptions) {
    this.random = new Random(options.seed);
    this.clock = options.start;
    this.idTag = `${options.seed}-${options.start.toString(36)}`;
    const accounts: Account[] = [];
    const establishedCount = Math.round(options.accounts * establishedAccountShare);
    for (let index = 0; index < options.accounts; index += 1) {
      accounts.push(this.createAccount(index, index < establishedCount, options));
    }
    this.accounts = accounts;
    // Planned after the accounts' first subscriptions, which run first at the same instant.
    this.schedule(options.start, (at) => {
      this.scheduleArrivals(at);
    });
  }

  /**
   * How many events planned since going live are due by `until` (emitted or not): what live
   * pacing measures its rate by. `until` must not decrease from call to call.
   */
  plannedEventsDueBy(until: number): number {
    while ((this.livePlanTimes.peekTime() ?? Infinity) <= until) {
      this.livePlanTimes.pop();
      this.liveEventsDue += 1;
    }
    return this.liveEventsDue;
  }

  /** Moves the clock to `time`, running every story step due, and returns the events due. */
  runUntil(time: number): RawEvent[] {
    const due: RawEvent[] = [];
    while ((this.queue.peekTime() ?? Infinity) <= time) {
      const entry = this.queue.pop();
      if (entry === undefined) break;
      this.clock = entry.at;
      if (entry.item.kind === 'emit') due.push(this.toRawEvent(entry.at, entry.item.body));
      else entry.item.run(entry.at);
    }
    this.clock = Math.max(this.clock, time);
    return due;
  }

  /**
   * Switches to live behaviour: every planned delay from now on is `speed` times shorter, and
   * new stories start only through {@link startPacedStory}.
   */
  goLive(speed: number): void {
    this.speed = speed;
    this.pacing = 'paced';
  }

  /**
   * Starts one story at `at`, its kind and account drawn in proportion to the natural rates.
   * False when no account can start any story (all cancelled or dormant).
   */
  startPacedStory(at: number): boolean {
    const candidates = this.pacedStoryRates(at);
    if (candidates.length === 0) return false;
    const [account, kind] = this.random.weighted(candidates);
    this.startStory(kind, account, at);
    return true;
  }

  delay(behaviourMs: number): number {
    return Math.max(1, Math.round(behaviourMs / this.speed));
  }

  emit(at: number, body: EventBody): void {
    this.enqueue(at, { kind: 'emit', body });
    if (this.pacing === 'paced') this.livePlanTimes.push(at, undefined);
  }

  schedule(at: number, action: (at: number) => void): void {
    this.enqueue(at, { kind: 'run', run: action });
  }

  newSessionId(): string {
    this.sessionsStarted += 1;
    return `se-${this.idTag}-${this.sessionsStarted}`;
  }

  newTicketId(): string {
    this.ticketsCreated += 1;
    return `tk-${this.idTag}-${this.ticketsCreated}`;
  }

  signUpUser(account: Account, at: number): User {
    const user = this.addUser(account, false);
    const plan = account.subscription === undefined ? 'free' : signupPlanOf(account.subscription);
    playOnboarding(this, account, user, plan, at);
    playSession(this, account, user, at + this.delay(this.random.between(2_000, 30_000)));
    return user;
  }

  private enqueue(at: number, action: Action): void {
    if (!Number.isSafeInteger(at)) throw new Error(`cannot plan at ${at}: not a whole millisecond`);
    if (at < this.clock) {
      throw new Error(`cannot plan at ${at}: the world's clock is already at ${this.clock}`);
    }
    this.queue.push(at, action);
  }

  private toRawEvent(at: number, body: EventBody): RawEvent {
    this.emittedCount += 1;
    const account = this.accountsById.get(body.account_id);
    const styleDraw = this.random.next();
    const style: TimeStyle =
      styleDraw < epochTimeShare
        ? { kind: 'epoch_ms' }
        : styleDraw < epochTimeShare + offsetTimeShare && account !== undefined
          ? { kind: 'offset', offsetMinutes: account.region.utcOffsetMinutes }
          : { kind: 'utc' };
    return {
      id: `ev-${this.idTag}-${this.emittedCount}`,
      time: formatEventTime(at, style),
      ...body,
    };
  }

  /** Starts the natural story arrivals of the hour from `hourStart`, then of the next hour. */
  private scheduleArrivals(hourStart: number): void {
    if (this.pacing !== 'natural') return;
    const middle = hourStart + hourMs / 2;
    for (const account of this.accounts) {
      const rates = storyRatesPerDay(account, middle);
      for (const kind of storyKinds) {
        const starts = this.random.poisson(rates[kind] / 24);
        for (let story = 0; story < starts; story += 1) {
          this.schedule(hourStart + Math.floor(this.random.next() * hourMs), (at) => {
            if (this.pacing === 'natural') this.startStory(kind, account, at);
          });
        }
      }
    }
    this.schedule(hourStart + hourMs, (next) => {
      this.scheduleArrivals(next);
    });
  }

  private startStory(kind: StoryKind, account: Account, at: number): void {
    if (account.subscription === undefined) return;
    switch (kind) {
      case 'session': {
        const user = this.pickUser(account, at);
        if (user !== undefined) playSession(this, account, user, at);
        return;
      }
      case 'signup':
        this.signUpUser(account, at);
        return;
      case 'ticket': {
        const requester = this.pickUser(account, at);
        if (requester !== undefined) playTicket(this, account, requester, at);
        return;
      }
      case 'nps': {
        if (account.users.length > 0) answerNps(this, account, this.random.pick(account.users), at);
        return;
      }
    }
  }

  /** Every account's story rates; reused for a second, as they sum over all users. */
  private pacedStoryRates(at: number): Weighted<readonly [Account, StoryKind]>[] {
    if (this.pacedRates !== undefined && Math.abs(at - this.pacedRates.at) < pacedRatesReuseMs) {
      return this.pacedRates.candidates;
    }
    const candidates: Weighted<readonly [Account, StoryKind]>[] = [];
    for (const account of this.accounts) {
      const rates = storyRatesPerDay(account, at);
      for (const kind of storyKinds) {
        if (rates[kind] > 0) candidates.push([[account, kind], rates[kind]]);
      }
    }
    this.pacedRates = { at, candidates };
    return candidates;
  }

  private pickUser(account: Account, at: number): User | undefined {
    if (account.users.length === 0) return undefined;
    return this.random.weighted(account.users.map((user) => [user, sessionWeight(user, at)]));
  }

  private createAccount(index: number, established: boolean, options: WorldOptions): Account {
    const random = this.random;
    const trajectory = established
      ? this.drawTrajectory(options.plannedEnd)
      : this.drawNewTrajectory(options.plannedEnd);
    const unhappy = trajectory.kind === 'declining' || trajectory.kind === 'dormant';
    const incidentFrom = options.plannedEnd - random.between(0.5, 20) * dayMs;
    const account: Account = {
      id: `acct-${String(index + 1).padStart(3, '0')}`,
      region: random.weighted(regions),
      happiness: unhappy ? random.between(0.05, 0.5) : random.between(0.4, 1),
      trajectory,
      incident: random.chance(incidentProbability)
        ? { from: incidentFrom, until: incidentFrom + random.between(1, 3) * dayMs }
        : undefined,
      users: [],
      subscription: undefined,
    };
    this.accountsById.set(account.id, account);

    if (!established) {
      const plan = random.weighted(newAccountPlans);
      const arrival =
        options.start + Math.floor(random.next() * Math.max(0, options.plannedEnd - options.start));
      this.schedule(arrival, (at) => {
        startSubscription(this, account, at, plan, 1);
        this.signUpUser(account, at);
      });
      return account;
    }

    const plan = random.weighted(establishedPlans);
    const [minUsers, maxUsers] = establishedUsers[plan];
    const userCount = random.integer(minUsers, maxUsers);
    for (let user = 0; user < userCount; user += 1) this.addUser(account, true);
    const seats = plan === 'free' || plan === 'trial' ? 0 : userCount + random.integer(0, 3);
    // An established trial started before the world did.
    const trialRemainingMs =
      plan === 'trial' ? random.between(1 * dayMs, trialLengthMs - dayMs) : undefined;
    this.schedule(options.start, (at) => {
      startSubscription(this, account, at, plan, seats, trialRemainingMs);
    });
    return account;
  }

  private drawTrajectory(plannedEnd: number): Trajectory {
    const random = this.random;
    const kind = random.weighted<Trajectory['kind']>([
      ['steady', 62],
      ['growing', 12],
      ['declining', 18],
      ['dormant', 8],
    ]);
    switch (kind) {
      case 'steady':
        return { kind };
      case 'growing':
        return { kind, from: plannedEnd - random.between(10, 25) * dayMs };
      case 'declining':
        return { kind, from: plannedEnd - random.between(8, 20) * dayMs };
      case 'dormant':
        return { kind, from: plannedEnd - random.between(15, 24) * dayMs };
    }
  }

  private drawNewTrajectory(plannedEnd: number): Trajectory {
    return this.random.chance(0.2)
      ? { kind: 'growing', from: plannedEnd - this.random.between(5, 15) * dayMs }
      : { kind: 'steady' };
  }

  private addUser(account: Account, existedBeforeWorld: boolean): User {
    const random = this.random;
    const user: User = {
      id: `${account.id}-u${String(account.users.length + 1).padStart(3, '0')}`,
      engagement: random.logNormal(1, 0.6),
      adoptedFeatures: features
        .filter(([, adoption]) => random.chance(adoption))
        .map(([name]) => name),
      activatedAt: existedBeforeWorld ? -Infinity : Infinity,
    };
    account.users.push(user);
    return user;
  }
}
