import {
  dayMs,
  escalationTeams,
  hourMs,
  minuteMs,
  routingTeams,
  supportTeams,
  ticketChannels,
  ticketPriorities,
} from '../catalog.ts';
import type { TicketPriority } from '../events.ts';
import type { Account, User } from '../model.ts';
import type { Weighted } from '../random.ts';
import type { StoryContext } from '../story-context.ts';
import { surveyScore } from './survey.ts';

/** Median time to the first public agent reply: the more urgent, the faster. */
const firstReplyMedianMs: Readonly<Record<TicketPriority, number>> = {
  urgent: 18 * minuteMs,
  high: 75 * minuteMs,
  normal: 3.5 * hourMs,
  low: 9 * hourMs,
};
/** The support team's own first-reply targets; survey answers are worse when one is missed. */
const firstReplyTargetMs: Readonly<Record<TicketPriority, number>> = {
  urgent: hourMs,
  high: 4 * hourMs,
  normal: 8 * hourMs,
  low: 24 * hourMs,
};
const escalationProbability: Readonly<Record<TicketPriority, number>> = {
  urgent: 0.25,
  high: 0.15,
  normal: 0.06,
  low: 0.03,
};
const replySigma = 0.9;
// Some tickets fall through the cracks and wait days for their first reply.
const forgotten = { probability: 0.06, medianDelayMs: 8 * dayMs, sigma: 0.8 };
const teamProbability = 0.7;
const botAcknowledgementProbability = 0.6;
const internalNoteProbability = 0.3;
const requesterChaseProbability = 0.1;
const conversationRounds: readonly Weighted<number>[] = [
  [0, 45],
  [1, 33],
  [2, 15],
  [3, 7],
];
const requesterReplyMedianMs = 3 * hourMs;
const solveMedianMs = 90 * minuteMs;
// Some tickets wait on the customer for good and are never solved.
const leftUnsolvedProbability = 0.05;
const reopen = { probability: 0.09, medianDelayMs: 20 * hourMs, staysOpenProbability: 0.15 };
const csatProbability = 0.35;
const cesProbability = 0.08;

/**
 * A support ticket's life, planned at creation: bot acknowledgement and internal notes before
 * the first public agent reply, requester replies, an escalation now and then, the solve,
 * sometimes a reopening, and satisfaction surveys.
 */
export function playTicket(
  ctx: StoryContext,
  account: Account,
  requester: User,
  createdAt: number,
): void {
  new TicketStory(ctx, account, requester).play(createdAt);
}

class TicketStory {
  private readonly ctx: StoryContext;
  private readonly account: Account;
  private readonly requester: User;
  private readonly ticket: { readonly account_id: string; readonly ticket_id: string };
  private readonly priority: TicketPriority;
  private readonly team: string | undefined;
  private agentId: string;
  private escalated = false;

  constructor(ctx: StoryContext, account: Account, requester: User) {
    const { random } = ctx;
    this.ctx = ctx;
    this.account = account;
    this.requester = requester;
    this.ticket = { account_id: account.id, ticket_id: ctx.newTicketId() };
    this.priority = random.weighted(ticketPriorities);
    this.team = random.chance(teamProbability) ? random.pick(routingTeams) : undefined;
    this.agentId = this.agentOf(this.team ?? random.pick(routingTeams));
  }

  play(createdAt: number): void {
    const { ctx, priority } = this;
    const { random } = ctx;
    ctx.emit(createdAt, {
      ...this.ticket,
      type: 'ticket.created',
      user_id: this.requester.id,
      priority,
      channel: random.weighted(ticketChannels),
      ...(this.team === undefined ? {} : { team: this.team }),
    });

    const firstReplyDelayMs = random.chance(forgotten.probability)
      ? random.logNormal(forgotten.medianDelayMs, forgotten.sigma)
      : random.logNormal(firstReplyMedianMs[priority], replySigma);
    const firstReplyAt = createdAt + ctx.delay(firstReplyDelayMs);
    this.planBeforeFirstReply(createdAt, firstReplyAt, firstReplyDelayMs);
    this.agentReply(firstReplyAt);

    let at = this.planConversation(firstReplyAt);
    if (random.chance(leftUnsolvedProbability)) return;
    at += ctx.delay(random.logNormal(solveMedianMs, 1));
    ctx.emit(at, { ...this.ticket, type: 'ticket.solved' });
    this.answerSurveys(at, firstReplyDelayMs <= firstReplyTargetMs[priority]);

    if (!random.chance(reopen.probability)) return;
    at += ctx.delay(random.logNormal(reopen.medianDelayMs, 1));
    ctx.emit(at, { ...this.ticket, type: 'ticket.reopened' });
    at += ctx.delay(random.between(1_000, 60_000));
    this.requesterReply(at);
    at += this.agentReplyDelay();
    this.agentReply(at);
    if (random.chance(reopen.staysOpenProbability)) return;
    at += ctx.delay(random.logNormal(solveMedianMs, 1));
    ctx.emit(at, { ...this.ticket, type: 'ticket.solved' });
  }

  /** Bot acknowledgement, internal note, a requester chasing, an early escalation. */
  private planBeforeFirstReply(createdAt: number, firstReplyAt: number, waitMs: number): void {
    const { ctx } = this;
    const { random } = ctx;
    // Strictly between creation and the first reply, at a fraction of the wait.
    const before = (fraction: number) =>
      createdAt + Math.max(1, Math.floor((firstReplyAt - createdAt) * fraction));
    if (random.chance(botAcknowledgementProbability)) {
      const botAt = Math.min(createdAt + ctx.delay(random.between(2_000, 90_000)), before(0.5));
      ctx.emit(botAt, { ...this.ticket, type: 'ticket.replied', author: 'bot', public: true });
    }
    if (random.chance(internalNoteProbability)) {
      ctx.emit(before(random.between(0.2, 0.9)), {
        ...this.ticket,
        type: 'ticket.replied',
        author: 'agent',
        public: false,
        agent_id: this.agentId,
      });
    }
    if (waitMs > 2 * hourMs && random.chance(requesterChaseProbability)) {
      this.requesterReply(before(random.between(0.5, 0.95)));
    }
    if (random.chance(escalationProbability[this.priority] / 2)) {
      this.escalate(before(random.between(0.1, 0.8)));
    }
  }

  /** Rounds of requester reply and agent answer; returns the time of the last message. */
  private planConversation(firstReplyAt: number): number {
    const { ctx } = this;
    const { random } = ctx;
    let at = firstReplyAt;
    const rounds = random.weighted(conversationRounds);
    for (let round = 0; round < rounds; round += 1) {
      at += ctx.delay(random.logNormal(requesterReplyMedianMs, 1.2));
      this.requesterReply(at);
      if (!this.escalated && random.chance(escalationProbability[this.priority] / 2)) {
        at += ctx.delay(random.logNormal(10 * minuteMs, 1));
        this.escalate(at);
      }
      at += this.agentReplyDelay();
      this.agentReply(at);
    }
    return at;
  }

  /** Hands the ticket to an escalation team, whose agent gives the following replies. */
  private escalate(at: number): void {
    const team = this.ctx.random.pick(escalationTeams);
    this.escalated = true;
    this.agentId = this.agentOf(team);
    this.ctx.emit(at, { ...this.ticket, type: 'ticket.escalated', team });
  }

  private agentOf(team: string): string {
    return this.ctx.random.pick(supportTeams[team] ?? []);
  }

  private agentReplyDelay(): number {
    const medianMs = firstReplyMedianMs[this.priority] * 0.7;
    return this.ctx.delay(this.ctx.random.logNormal(medianMs, replySigma));
  }

  private agentReply(at: number): void {
    this.ctx.emit(at, {
      ...this.ticket,
      type: 'ticket.replied',
      author: 'agent',
      public: true,
      agent_id: this.agentId,
    });
  }

  private requesterReply(at: number): void {
    this.ctx.emit(at, {
      ...this.ticket,
      type: 'ticket.replied',
      author: 'requester',
      public: true,
      user_id: this.requester.id,
    });
  }

  private answerSurveys(solvedAt: number, repliedOnTime: boolean): void {
    const { ctx, account } = this;
    const { random } = ctx;
    const experience = repliedOnTime ? 0.3 : -0.8;
    const answer = {
      type: 'survey.answered',
      account_id: account.id,
      user_id: this.requester.id,
      ticket_id: this.ticket.ticket_id,
    } as const;
    if (random.chance(csatProbability)) {
      ctx.emit(solvedAt + ctx.delay(random.logNormal(2 * hourMs, 1)), {
        ...answer,
        kind: 'csat',
        score: surveyScore(random, 'csat', account.happiness, experience),
      });
    }
    if (random.chance(cesProbability)) {
      ctx.emit(solvedAt + ctx.delay(random.logNormal(dayMs / 2, 1)), {
        ...answer,
        kind: 'ces',
        score: surveyScore(random, 'ces', account.happiness, experience),
      });
    }
  }
}
