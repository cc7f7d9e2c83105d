import { Redis } from "@upstash/redis";
import { windowStart, type RateLimitStore, type WindowCount } from "./rateLimiter";

/** KV refuses expirationTtl below 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

/** Counters in Workers KV, one key per window. Counts are approximate across locations. */
export class KvRateLimitStore implements RateLimitStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly prefix: string,
  ) {}

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const start = windowStart(Date.now(), windowSeconds);
    const storageKey = `${this.prefix}:${key}:${start}`;
    const count = Number((await this.kv.get(storageKey)) ?? "0") + 1;
    await this.kv.put(storageKey, String(count), {
      expirationTtl: Math.max(KV_MIN_TTL_SECONDS, windowSeconds),
    });
    return { count, resetAt: start + windowSeconds * 1000 };
  }

  async reset(key: string): Promise<void> {
    const listed = await this.kv.list({ prefix: `${this.prefix}:${key}:` });
    await Promise.all(listed.keys.map(({ name }) => this.kv.delete(name)));
  }
}

export interface RedisRateLimitStoreConfig {
  url: string;
  token: string;
  prefix: string;
}

/** Counters in Upstash Redis with INCR and a window-long expiry. Exact counts. */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: Redis;

  constructor(private readonly config: RedisRateLimitStoreConfig) {
    this.redis = new Redis({ url: config.url, token: config.token });
  }

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const start = windowStart(Date.now(), windowSeconds);
    const storageKey = `${this.config.prefix}:${key}:${start}`;
    const tx = this.redis.multi();
    tx.incr(storageKey);
    tx.expire(storageKey, windowSeconds);
    const [count] = await tx.exec<[number, number]>();
    return { count, resetAt: start + windowSeconds * 1000 };
  }

  async reset(key: string): Promise<void> {
    // A key has at most two live windows, so KEYS on this narrow pattern is cheap.
    const keys = await this.redis.keys(`${this.config.prefix}:${key}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
  }
}

/** Counters in a Map inside this isolate. Development and tests only. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly counters = new Map<string, WindowCount>();

  constructor(private readonly prefix: string) {}

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const now = Date.now();
    const storageKey = `${this.prefix}:${key}`;
    const current = this.counters.get(storageKey);
    if (!current || current.resetAt <= now) {
      const fresh = { count: 1, resetAt: windowStart(now, windowSeconds) + windowSeconds * 1000 };
      this.counters.set(storageKey, fresh);
      return fresh;
    }
    current.count += 1;
    return current;
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(`${this.prefix}:${key}`);
  }
}
