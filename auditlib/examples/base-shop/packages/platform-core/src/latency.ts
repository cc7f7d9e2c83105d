/**
 * Sampling for slow-call warnings.
 *
 * LATENCY_LOG_SAMPLE_RATE is a number between 0 and 1 (default 1). Busy shops
 * lower it so a slow minute does not flood the Pages function logs.
 */

const DEFAULT_SAMPLE_RATE = 1;

function sampleRate(): number {
  const raw = typeof process !== "undefined" ? process.env.LATENCY_LOG_SAMPLE_RATE : undefined;
  if (raw === undefined || raw === "") return DEFAULT_SAMPLE_RATE;
  const rate = Number(raw);
  if (!Number.isFinite(rate)) return DEFAULT_SAMPLE_RATE;
  return Math.min(1, Math.max(0, rate));
}

export function shouldLogLatency(): boolean {
  const rate = sampleRate();
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return Math.random() < rate;
}
