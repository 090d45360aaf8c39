// The events the simulator emits, typed per DESIGN.md's event contract.

export type SignupPlan = 'free' | 'trial' | 'paid';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketChannel = 'email' | 'chat' | 'phone' | 'web';
export type ReplyAuthor = 'agent' | 'requester' | 'bot';
export type SurveyKind = 'csat' | 'nps' | 'ces';

interface AccountScoped {
  account_id: string;
}
interface UserScoped extends AccountScoped {
  user_id: string;
}

/** An event without its envelope `id` and `time`, as a story schedules it. */
export type EventBody =
  | (UserScoped & { type: 'user.signed_up'; plan: SignupPlan })
  | (UserScoped & { type: 'user.activated' })
  | (UserScoped & { type: 'page.viewed'; session_id: string; path: string })
  | (UserScoped & { type: 'feature.used'; feature: string; session_id?: string })
  | (UserScoped & { type: 'onboarding.step_completed'; step: string })
  | (UserScoped & { type: 'cta.shown' | 'cta.clicked'; cta: string })
  | (AccountScoped & { type: 'subscription.started'; plan: string; mrr_cents: number })
  | (AccountScoped & {
      type: 'subscription.changed';
      from_plan: string;
      to_plan: string;
      mrr_cents_before: number;
      mrr_cents_after: number;
    })
  | (AccountScoped & { type: 'subscription.cancelled'; mrr_cents_lost: number; reason?: string })
  | (AccountScoped & {
      type: 'ticket.created';
      user_id: string;
      ticket_id: string;
      priority: TicketPriority;
      channel: TicketChannel;
      team?: string;
    })
  | (AccountScoped & {
      type: 'ticket.replied';
      user_id?: string;
      ticket_id: string;
      author: ReplyAuthor;
      public: boolean;
      agent_id?: string;
    })
  | (AccountScoped & { type: 'ticket.escalated'; ticket_id: string; team?: string })
  | (AccountScoped & { type: 'ticket.solved' | 'ticket.reopened'; ticket_id: string })
  | (AccountScoped & {
      type: 'survey.answered';
      user_id?: string;
      kind: SurveyKind;
      score: number;
      ticket_id?: string;
    });

export type EventType = EventBody['type'];

/**
 * One event as sent to the collector: a JSON object per the contract. `time` is an RFC 3339
 * string (UTC or with an offset) or epoch milliseconds.
 */
export type RawEvent = EventBody & { id: string; time: string | number };
