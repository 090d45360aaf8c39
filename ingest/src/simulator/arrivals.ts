// How often each kind of story starts in an account: the world's natural pace.
import { isInIncident, sessionWeight, usageLevel, type Account } from './model.ts';
import { activityRhythm } from './rhythm.ts';

/** Stories that start at random moments; other stories (subscriptions, invites) are planned. */
export type StoryKind = 'session' | 'signup' | 'ticket' | 'nps';
export const storyKinds: readonly StoryKind[] = ['session', 'signup', 'ticket', 'nps'];

const sessionsPerEngagedUserDay = 0.85;
const signupsPerAccountDay = { free: 0.12, trial: 0.35, paid: 0.15 };
const ticketsPerUserDay = 0.035;
const incidentTicketFactor = 6;
const npsAnswersPerUserDay = 0.012;

/** Expected starts per day of each story kind in an account, at the instant `at`. */
export function storyRatesPerDay(account: Account, at: number): Record<StoryKind, number> {
  const subscription = account.subscription;
  const usage = usageLevel(account, at);
  if (subscription === undefined || usage === 0)
    return { session: 0, signup: 0, ticket: 0, nps: 0 };
  const rhythm = activityRhythm(at, account.region.utcOffsetMinutes);
  let engagedUsers = 0;
  for (const user of account.users) engagedUsers += sessionWeight(user, at);
  const signupRate =
    subscription.plan === 'free' || subscription.plan === 'trial'
      ? signupsPerAccountDay[subscription.plan]
      : signupsPerAccountDay.paid;
  const users = account.users.length;
  return {
    session: engagedUsers * sessionsPerEngagedUserDay * usage * rhythm,
    signup: signupRate * usage * rhythm,
    // Unhappy customers keep writing to support while their usage drops.
    ticket:
      users * ticketsPerUserDay * rhythm * (isInIncident(account, at) ? incidentTicketFactor : 1),
    nps: users * npsAnswersPerUserDay * rhythm,
  };
}
