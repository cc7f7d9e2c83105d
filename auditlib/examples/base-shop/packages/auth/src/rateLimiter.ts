import { KvRateLimitStore, MemoryRateLimitStore, RedisRateLimitStore } from "./rateLimitStores";

/**
 * Login rate limiting.
 *
 * Fixed windows counted per key. A key combines what is being protected (the
 * account being signed into) with who is asking (a hash of the client IP), so
 * one noisy network cannot lock a customer out from everywhere else.
 */

/** Result of counting one attempt. */
export interface WindowCount {
  /** Attempts in the current window, including this one. */
  count: number;
  /** Epoch milliseconds when the window resets. */
  resetAt: number;
}

export interface RateLimitStore {
  /** Counts one attempt for `key` in a window of `windowSeconds`. */
  hit(key: string, windowSeconds: number): Promise<WindowCount>;
  /** Forgets `key`, e.g. after a successful sign-in. */
  reset(key: string): Promise<void>;
}

export interface RateLimitEnv {
  /** KV namespace bound in the root wrangler.toml. */
  LOGIN_RATE_LIMIT_KV?: KVNamespace;
}

export interface RateLimitStoreOptions {
  /** Key prefix shared by every store, so one KV namespace can serve several limits. */
  prefix?: string;
}

export interface RateLimitPolicy {
  /** Attempts allowed per window. */
  limit: number;
  /** Window length in seconds. KV cannot expire keys sooner than 60 seconds. */
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until the caller may try again; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Five attempts per account and network every fifteen minutes. */
export const LOGIN_POLICY: RateLimitPolicy = { limit: 5, windowSeconds: 15 * 60 };

/** Start of the fixed window containing `now`, in epoch milliseconds. */
export function windowStart(now: number, windowSeconds: number): number {
  const size = windowSeconds * 1000;
  return Math.floor(now / size) * size;
}

async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Raw IPs never reach storage; a truncated hash is enough to tell networks apart. */
export async function loginKey(email: string, clientIp: string): Promise<string> {
  const account = email.trim().toLowerCase();
  const network = (await sha256Hex(clientIp)).slice(0, 16);
  return `${account}|${network}`;
}

export function decide(policy: RateLimitPolicy, counted: WindowCount, now = Date.now()): RateLimitDecision {
  const remaining = Math.max(0, policy.limit - counted.count);
  if (counted.count <= policy.limit) {
    return { allowed: true, remaining, retryAfterSeconds: 0 };
  }
  return {
    allowed: false,
    remaining: 0,
    retryAfterSeconds: Math.max(1, Math.ceil((counted.resetAt - now) / 1000)),
  };
}

/**
 * Picks where counters live: KV, then Upstash Redis, then memory. Memory
 * counts per isolate, so an attacker spread over many isolates is barely
 * slowed down; it exists for development.
 */
export function createRateLimitStore(env: RateLimitEnv, options: RateLimitStoreOptions = {}): RateLimitStore {
  const prefix = options.prefix ?? "rl:login";
  const provider = process.env.RATE_LIMIT_STORE_PROVIDER;

  if (provider === "memory") {
    return new MemoryRateLimitStore(prefix);
  }

  // KV is eventually consistent: counts can lag between locations, which
  // makes the limit approximate. Good enough to stop credential stuffing.
  if ((provider === "kv" || !provider) && env.LOGIN_RATE_LIMIT_KV) {
    return new KvRateLimitStore(env.LOGIN_RATE_LIMIT_KV, prefix);
  }

  // Upstash gives exact counts across locations at the cost of an HTTP call.
  if ((provider === "redis" || !provider) && process.env.UPSTASH_REDIS_REST_URL && process.env.UPSTASH_REDIS_REST_TOKEN) {
    return new RedisRateLimitStore({
      url: process.env.UPSTASH_REDIS_REST_URL,
      token: process.env.UPSTASH_REDIS_REST_TOKEN,
      prefix,
    });
  }

  if (provider) {
    console.warn(`Rate limit store: ${provider} requested but not configured; using memory`);
  }

  return new MemoryRateLimitStore(prefix);
}

/** Counts a sign-in attempt and says whether to let it through. */
export async function checkLoginRateLimit(
  store: RateLimitStore,
  email: string,
  clientIp: string,
  policy: RateLimitPolicy = LOGIN_POLICY,
): Promise<RateLimitDecision> {
  const key = await loginKey(email, clientIp);
  return decide(policy, await store.hit(key, policy.windowSeconds));
}

/** Call after a successful sign-in so earlier typos do not count against the customer. */
export async function clearLoginRateLimit(store: RateLimitStore, email: string, clientIp: string): Promise<void> {
  await store.reset(await loginKey(email, clientIp));
}
