import type { CollectorAnswer } from '@kpiwall/shared';

/** One periodic status line: totals so far and the rate achieved since the previous line. */
export interface DeliveryReport {
  readonly msg: 'simulator';
  readonly phase: 'backfill' | 'live';
  readonly sent: number;
  readonly rate_per_s: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly retries: number;
  /** Rejection reasons counted since the previous line (empty when none). */
  readonly rejection_reasons: Readonly<Record<string, number>>;
}

/** Counts what the simulator delivered and what the collector answered. */
export class DeliveryStats {
  private sent = 0;
  private accepted = 0;
  private rejected = 0;
  private retries = 0;
  private recentReasons: Record<string, number> = {};
  private intervalStart: number;
  private sentAtIntervalStart = 0;

  constructor(now: number) {
    this.intervalStart = now;
  }

  get sentCount(): number {
    return this.sent;
  }

  recordBatch(size: number, reply: CollectorAnswer): void {
    this.sent += size;
    this.accepted += reply.accepted;
    this.rejected += reply.rejected.length;
    for (const { reason } of reply.rejected) {
      this.recentReasons[reason] = (this.recentReasons[reason] ?? 0) + 1;
    }
  }

  recordRetry(): void {
    this.retries += 1;
  }

  /** The status line for the interval ending at `now`; the next interval starts there. */
  report(now: number, phase: DeliveryReport['phase']): DeliveryReport {
    const seconds = Math.max(0.001, (now - this.intervalStart) / 1000);
    const line: DeliveryReport = {
      msg: 'simulator',
      phase,
      sent: this.sent,
      rate_per_s: Math.round(((this.sent - this.sentAtIntervalStart) / seconds) * 10) / 10,
      accepted: this.accepted,
      rejected: this.rejected,
      retries: this.retries,
      rejection_reasons: this.recentReasons,
    };
    this.intervalStart = now;
    this.sentAtIntervalStart = this.sent;
    this.recentReasons = {};
    return line;
  }
}
