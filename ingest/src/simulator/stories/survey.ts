import type { SurveyKind } from '../events.ts';
import type { Account, User } from '../model.ts';
import type { Random } from '../random.ts';
import type { StoryContext } from '../story-context.ts';

const scoreRange: Readonly<Record<SurveyKind, readonly [min: number, max: number]>> = {
  csat: [1, 5],
  nps: [0, 10],
  ces: [1, 7],
};

/**
 * A survey score: happier accounts answer higher, and `experience` (-1 bad … +1 good) moves
 * the answer about a fifth of the scale either way.
 */
export function surveyScore(
  random: Random,
  kind: SurveyKind,
  happiness: number,
  experience = 0,
): number {
  const [min, max] = scoreRange[kind];
  const span = max - min;
  const mean = min + span * (0.25 + 0.65 * happiness + 0.2 * experience);
  const score = Math.round(mean + random.normal() * span * 0.18);
  return Math.min(max, Math.max(min, score));
}

/** A user answers the periodic NPS survey. */
export function answerNps(ctx: StoryContext, account: Account, user: User, at: number): void {
  ctx.emit(at, {
    type: 'survey.answered',
    account_id: account.id,
    user_id: user.id,
    kind: 'nps',
    score: surveyScore(ctx.random, 'nps', account.happiness),
  });
}
