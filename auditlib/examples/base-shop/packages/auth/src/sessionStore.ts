import { MemorySessionStore } from "./memorySessionStore";
import { RedisSessionStore } from "./redisSessionStore";
import { CloudflareSessionStore } from "./sessionDurableStore";

/** A signed-in customer's session, as kept server-side. */
export interface SessionRecord {
  sessionId: string;
  customerId: string;
  userAgent: string;
  createdAt: number;
  /** Epoch milliseconds; the store drops the session after this. */
  expiresAt: number;
}

export interface SessionStore {
  get(sessionId: string): Promise<SessionRecord | null>;
  set(record: SessionRecord): Promise<void>;
  delete(sessionId: string): Promise<void>;
  /** Every live session of one customer, for "sign out everywhere". */
  listByCustomer(customerId: string): Promise<SessionRecord[]>;
}

export interface SessionStoreEnv {
  SESSION_DO?: DurableObjectNamespace;
}

export interface SessionStoreOptions {
  /** Key prefix for Redis. */
  redisPrefix?: string;
}

export function isExpired(record: SessionRecord, now = Date.now()): boolean {
  return record.expiresAt <= now;
}

/** Seconds left before expiry, never below one so stores accept it as a TTL. */
export function remainingTtlSeconds(record: SessionRecord, now = Date.now()): number {
  return Math.max(1, Math.ceil((record.expiresAt - now) / 1000));
}

/**
 * Picks the session backend: Durable Objects, then Upstash Redis, then an
 * in-process map. Same order and same rules as the cart store.
 */
export function createSessionStore(env: SessionStoreEnv, options: SessionStoreOptions = {}): SessionStore {
  const provider = process.env.SESSION_STORE_PROVIDER;

  if (provider === "memory") {
    return new MemorySessionStore();
  }

  // One object per session, plus one per customer holding the index.
  if ((provider === "cloudflare" || !provider) && env.SESSION_DO) {
    return new CloudflareSessionStore(env.SESSION_DO);
  }

  if ((provider === "redis" || !provider) && process.env.UPSTASH_REDIS_REST_URL && process.env.UPSTASH_REDIS_REST_TOKEN) {
    return new RedisSessionStore({
      url: process.env.UPSTASH_REDIS_REST_URL,
      token: process.env.UPSTASH_REDIS_REST_TOKEN,
      prefix: options.redisPrefix ?? "session",
    });
  }

  if (provider) {
    console.warn(`Session store: ${provider} requested but not configured; using memory`);
  }

  // Sessions held in memory are lost on every isolate recycle and are not
  // shared between isolates: customers get signed out at random under load.
  return new MemorySessionStore();
}

let cached: { env: SessionStoreEnv; store: SessionStore } | undefined;

export function getSessionStore(env: SessionStoreEnv): SessionStore {
  if (!cached || cached.env !== env) {
    cached = { env, store: createSessionStore(env) };
  }
  return cached.store;
}
