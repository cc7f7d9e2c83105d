import { addLine, setLineQty, type CartState, type CartStore } from "../cartStore";

/**
 * Legacy cart storage on Workers KV, from before carts moved to Durable
 * Objects. KV is eventually consistent, so a cart written in one region can
 * read stale in another for up to a minute. Kept for reading old carts during
 * the migration; createCartStore no longer returns it.
 */
export interface KvCartEnv {
  CART_KV: KVNamespace;
  CART_TTL?: string;
}

const KEY_PREFIX = "cart:";

export class KvCartStore implements CartStore {
  private readonly kv: KVNamespace;
  private readonly ttlSeconds: number;

  constructor(env: KvCartEnv, fallbackTtlSeconds: number) {
    this.kv = env.CART_KV;
    const fromEnv = Number(env.CART_TTL);
    this.ttlSeconds = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : fallbackTtlSeconds;
  }

  private async write(id: string, cart: CartState): Promise<void> {
    await this.kv.put(KEY_PREFIX + id, JSON.stringify(cart), {
      expirationTtl: this.ttlSeconds,
    });
  }

  async createCart(): Promise<string> {
    const id = crypto.randomUUID();
    await this.write(id, {});
    return id;
  }

  async getCart(id: string): Promise<CartState> {
    return (await this.kv.get<CartState>(KEY_PREFIX + id, "json")) ?? {};
  }

  async setCart(id: string, cart: CartState): Promise<void> {
    await this.write(id, cart);
  }

  async deleteCart(id: string): Promise<void> {
    await this.kv.delete(KEY_PREFIX + id);
  }

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
