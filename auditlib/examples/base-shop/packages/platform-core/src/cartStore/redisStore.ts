import { Redis } from "@upstash/redis";
import { addLine, setLineQty, type CartState, type CartStore } from "../cartStore";

export interface RedisCartStoreConfig {
  url: string;
  token: string;
  prefix: string;
  ttlSeconds: number;
}

/** Carts as JSON strings in Upstash Redis, one key per cart, refreshed TTL on write. */
export class RedisCartStore implements CartStore {
  private readonly redis: Redis;

  constructor(private readonly config: RedisCartStoreConfig) {
    this.redis = new Redis({ url: config.url, token: config.token });
  }

  private key(id: string): string {
    return `${this.config.prefix}:${id}`;
  }

  private async write(id: string, cart: CartState): Promise<void> {
    await this.redis.set(this.key(id), cart, { ex: this.config.ttlSeconds });
  }

  async createCart(): Promise<string> {
    const id = crypto.randomUUID();
    await this.write(id, {});
    return id;
  }

  async getCart(id: string): Promise<CartState> {
    return (await this.redis.get<CartState>(this.key(id))) ?? {};
  }

  async setCart(id: string, cart: CartState): Promise<void> {
    await this.write(id, cart);
  }

  async deleteCart(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  // Read-modify-write without a lock: two tabs adding at the same instant can
  // lose one update. Acceptable for a fallback backend.
  async incrementQty(id: string, sku: string, qty: number, size?: string): Promise<CartState> {
    const next = addLine(await this.getCart(id), sku, qty, size);
    await this.write(id, next);
    return next;
  }

  async setQty(id: string, key: string, qty: number): Promise<CartState | null> {
    const next = setLineQty(await this.getCart(id), key, qty);
    if (next) await this.write(id, next);
    return next;
  }

  async removeItem(id: string, key: string): Promise<CartState | null> {
    return this.setQty(id, key, 0);
  }
}
