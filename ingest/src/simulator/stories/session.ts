import { hourMs, landingPaths, minuteMs, pagePaths } from '../catalog.ts';
import type { Account, User } from '../model.ts';
import type { Weighted } from '../random.ts';
import type { StoryContext } from '../story-context.ts';

const bounceProbability = { activated: 0.25, notActivated: 0.4 };
const meanExtraPages = 5;
const pageGapMedianMs = 35_000;
const featureUseProbability = 0.4;
const ctaShowProbability = 0.12;
// Some feature use happens outside a browser session (API calls, scheduled jobs).
const sessionlessFeatureProbability = 0.05;

/** A user's visit: page views (one only: a bounce), feature use and CTAs, sharing a session id. */
export function playSession(ctx: StoryContext, account: Account, user: User, start: number): void {
  const { random } = ctx;
  const sessionId = ctx.newSessionId();
  const bounces = random.chance(
    user.activatedAt <= start ? bounceProbability.activated : bounceProbability.notActivated,
  );
  const pageCount = bounces ? 1 : 2 + Math.floor(random.exponential(meanExtraPages));
  const base = { account_id: account.id, user_id: user.id };

  let at = start;
  for (let page = 0; page < pageCount; page += 1) {
    if (page > 0) at += ctx.delay(random.logNormal(pageGapMedianMs, 1));
    const path = concretePath(ctx, page === 0 ? landingPaths : pagePaths);
    ctx.emit(at, { ...base, type: 'page.viewed', session_id: sessionId, path });
    if (!bounces && user.adoptedFeatures.length > 0 && random.chance(featureUseProbability)) {
      ctx.emit(at + ctx.delay(random.between(2_000, 20_000)), {
        ...base,
        type: 'feature.used',
        feature: random.pick(user.adoptedFeatures),
        session_id: sessionId,
      });
    }
    if (random.chance(ctaShowProbability)) showCta(ctx, account, user, at, path);
  }

  if (user.adoptedFeatures.length > 0 && random.chance(sessionlessFeatureProbability)) {
    ctx.emit(at + ctx.delay(random.between(10 * minuteMs, 3 * hourMs)), {
      ...base,
      type: 'feature.used',
      feature: random.pick(user.adoptedFeatures),
    });
  }
}

function concretePath(ctx: StoryContext, paths: readonly Weighted<string>[]): string {
  return ctx.random.weighted(paths).replace('{id}', String(ctx.random.integer(1, 40)));
}

/** A call to action on the page just viewed, chosen to fit the account and the page. */
function showCta(ctx: StoryContext, account: Account, user: User, at: number, path: string): void {
  const { random } = ctx;
  const candidates: (readonly [cta: string, clickRate: number])[] = [];
  const plan = account.subscription?.plan;
  if (plan === 'free' || plan === 'trial') candidates.push(['upgrade_banner', 0.05]);
  if (plan === 'trial') candidates.push(['book_demo', 0.03]);
  if (path === '/team' || path === '/dashboard') candidates.push(['invite_teammates', 0.1]);
  if (path === '/dashboard' && !user.adoptedFeatures.includes('reports')) {
    candidates.push(['try_reports', 0.14]);
  }
  if (path === '/billing' && plan !== 'free' && plan !== 'trial') {
    candidates.push(['annual_billing', 0.08]);
  }
  if (candidates.length === 0) return;
  const [cta, clickRate] = random.pick(candidates);
  const base = { account_id: account.id, user_id: user.id, cta };
  const shownAt = at + ctx.delay(random.between(300, 1_500));
  ctx.emit(shownAt, { ...base, type: 'cta.shown' });
  if (random.chance(clickRate)) {
    ctx.emit(shownAt + ctx.delay(random.logNormal(5_000, 0.8)), { ...base, type: 'cta.clicked' });
  }
}
