import type { EventBody } from './events.ts';
import type { Account, User } from './model.ts';
import type { Random } from './random.ts';

/**
 * What a story (a session, an onboarding, a ticket's life…) needs from the world. Stories plan
 * their events ahead in behaviour time; `delay` turns that into real time, so a world running
 * N× faster compresses every story without changing any of them.
 */
export interface StoryContext {
  readonly random: Random;
  /** The real duration (ms, at least 1) of a behaviour duration at the world's speed. */
  delay(behaviourMs: number): number;
  /** Queues an event for the instant `at` (epoch ms, not before the world's clock). */
  emit(at: number, body: EventBody): void;
  /** Runs `action` when the world's clock reaches `at`, for stories that depend on state then. */
  schedule(at: number, action: (at: number) => void): void;
  newSessionId(): string;
  newTicketId(): string;
  /** A new user of the account signs up at `at` and starts onboarding. */
  signUpUser(account: Account, at: number): User;
}
