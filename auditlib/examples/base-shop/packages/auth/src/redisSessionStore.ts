import { Redis } from "@upstash/redis";
import { isExpired, remainingTtlSeconds, type SessionRecord, type SessionStore } from "./sessionStore";

export interface RedisSessionStoreConfig {
  url: string;
  token: string;
  prefix: string;
}

/**
 * Sessions as JSON values with a TTL, plus a set per customer listing that
 * customer's session ids. Stale ids in the set are pruned on read.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: Redis;

  constructor(private readonly config: RedisSessionStoreConfig) {
    this.redis = new Redis({ url: config.url, token: config.token });
  }

  private sessionKey(sessionId: string): string {
    return `${this.config.prefix}:${sessionId}`;
  }

  private customerKey(customerId: string): string {
    return `${this.config.prefix}:customer:${customerId}`;
  }

  async get(sessionId: string): Promise<SessionRecord | null> {
    return this.redis.get<SessionRecord>(this.sessionKey(sessionId));
  }

  async set(record: SessionRecord): Promise<void> {
    const tx = this.redis.multi();
    tx.set(this.sessionKey(record.sessionId), record, { ex: remainingTtlSeconds(record) });
    tx.sadd(this.customerKey(record.customerId), record.sessionId);
    await tx.exec();
  }

  async delete(sessionId: string): Promise<void> {
    const record = await this.get(sessionId);
    const tx = this.redis.multi();
    tx.del(this.sessionKey(sessionId));
    if (record) tx.srem(this.customerKey(record.customerId), sessionId);
    await tx.exec();
  }

  async listByCustomer(customerId: string): Promise<SessionRecord[]> {
    const ids = await this.redis.smembers(this.customerKey(customerId));
    const live: SessionRecord[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record && !isExpired(record)) {
        live.push(record);
      } else {
        await this.redis.srem(this.customerKey(customerId), id);
      }
    }
    return live;
  }
}
