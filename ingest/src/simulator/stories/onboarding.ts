import { dayMs, hourMs, minuteMs } from '../catalog.ts';
import type { SignupPlan } from '../events.ts';
import type { Account, User } from '../model.ts';
import type { StoryContext } from '../story-context.ts';
import { surveyScore } from './survey.ts';

/** The onboarding steps between signup and activation, with how many users get through each. */
const funnelStages = [
  { step: 'profile_completed', continueProbability: 0.82, medianDelayMs: 6 * minuteMs, sigma: 1 },
  {
    step: 'first_project_created',
    continueProbability: 0.7,
    medianDelayMs: 2 * hourMs,
    sigma: 1.2,
  },
  { step: 'teammate_invited', continueProbability: 0.62, medianDelayMs: 18 * hourMs, sigma: 1 },
] as const;
const activation = { probability: 0.8, medianDelayMs: 5 * hourMs, sigma: 1.2 };
// A few users reach first value only weeks later: outside the funnel's 14 days, still in TTFV.
const lateActivation = { probability: 0.05, factor: 25 };
// Users sometimes move on without the product recording a step, or record a step twice.
const skippedStepProbability = 0.05;
const repeatedStepProbability = 0.03;
// A step name outside the configured funnel, which the funnel must ignore.
const productTour = { step: 'product_tour_viewed', probability: 0.08 };
const inviteAcceptedProbability = 0.6;
const cesSurveyProbability = 0.2;

/** From signup through the onboarding steps to activation, with drop-off at every step. */
export function playOnboarding(
  ctx: StoryContext,
  account: Account,
  user: User,
  plan: SignupPlan,
  signedUpAt: number,
): void {
  const { random } = ctx;
  const base = { account_id: account.id, user_id: user.id };
  ctx.emit(signedUpAt, { ...base, type: 'user.signed_up', plan });
  if (random.chance(0.5)) {
    const shownAt = signedUpAt + ctx.delay(random.between(1_000, 5_000));
    ctx.emit(shownAt, { ...base, type: 'cta.shown', cta: 'complete_profile' });
    if (random.chance(0.3)) {
      ctx.emit(shownAt + ctx.delay(random.logNormal(8_000, 0.6)), {
        ...base,
        type: 'cta.clicked',
        cta: 'complete_profile',
      });
    }
  }
  if (random.chance(productTour.probability)) {
    ctx.emit(signedUpAt + ctx.delay(random.logNormal(3 * minuteMs, 1)), {
      ...base,
      type: 'onboarding.step_completed',
      step: productTour.step,
    });
  }

  let at = signedUpAt;
  for (const stage of funnelStages) {
    if (!random.chance(stage.continueProbability)) return;
    at += ctx.delay(random.logNormal(stage.medianDelayMs, stage.sigma));
    if (random.chance(skippedStepProbability)) continue;
    ctx.emit(at, { ...base, type: 'onboarding.step_completed', step: stage.step });
    if (random.chance(repeatedStepProbability)) {
      ctx.emit(at + ctx.delay(random.logNormal(dayMs, 1)), {
        ...base,
        type: 'onboarding.step_completed',
        step: stage.step,
      });
    }
    if (stage.step === 'teammate_invited' && random.chance(inviteAcceptedProbability)) {
      ctx.schedule(at + ctx.delay(random.logNormal(3 * hourMs, 1.2)), (acceptedAt) => {
        if (account.subscription !== undefined) ctx.signUpUser(account, acceptedAt);
      });
    }
  }

  if (!random.chance(activation.probability)) return;
  const lateFactor = random.chance(lateActivation.probability) ? lateActivation.factor : 1;
  at += ctx.delay(random.logNormal(activation.medianDelayMs * lateFactor, activation.sigma));
  ctx.emit(at, { ...base, type: 'user.activated' });
  user.activatedAt = at;
  if (random.chance(cesSurveyProbability)) {
    ctx.emit(at + ctx.delay(random.logNormal(hourMs, 1)), {
      ...base,
      type: 'survey.answered',
      kind: 'ces',
      score: surveyScore(random, 'ces', account.happiness),
    });
  }
}
