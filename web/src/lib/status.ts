export type ConnectionStatus = 'live' | 'stale' | 'disconnected';

export interface StatusInput {
  readonly connected: boolean;
  /** When the wall last took in a snapshot or delta (epoch ms), null before the first one. */
  readonly lastUpdateAt: number | null;
  readonly now: number;
  readonly staleAfterMs: number;
}

export const connectionStatus = ({
  connected,
  lastUpdateAt,
  now,
  staleAfterMs,
}: StatusInput): ConnectionStatus => {
  if (!connected) return 'disconnected';
  if (lastUpdateAt === null || now - lastUpdateAt > staleAfterMs) return 'stale';
  return 'live';
};

/** Whole seconds since the last update, for "last update Xs ago"; null before the first one. */
export const secondsSince = (lastUpdateAt: number | null, now: number): number | null =>
  lastUpdateAt === null ? null : Math.max(0, Math.floor((now - lastUpdateAt) / 1000));
