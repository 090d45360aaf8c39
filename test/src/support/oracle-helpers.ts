/** ClickHouse DateTime64(3) text in UTC for a query parameter. */
export const clickHouseTime = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** Deterministic Fisher–Yates shuffle (mulberry32): events arrive in any order (DESIGN.md). */
export const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy;
};
