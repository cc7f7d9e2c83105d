import { CloudflareDurableCartStore } from "./cartStore/cloudflareDurableStore";
import { MemoryCartStore } from "./cartStore/memoryStore";
import { RedisCartStore } from "./cartStore/redisStore";

/** One line in a cart, keyed by SKU and optional size. */
export interface CartLine {
  sku: string;
  qty: number;
  size?: string;
  addedAt: number;
}

/** Line key -> line. Keys come from `lineKey`. */
export type CartState = Record<string, CartLine>;

export interface CartStore {
  createCart(): Promise<string>;
  getCart(id: string): Promise<CartState>;
  setCart(id: string, cart: CartState): Promise<void>;
  deleteCart(id: string): Promise<void>;
  incrementQty(id: string, sku: string, qty: number, size?: string): Promise<CartState>;
  setQty(id: string, key: string, qty: number): Promise<CartState | null>;
  removeItem(id: string, key: string): Promise<CartState | null>;
}

export interface CartStoreEnv {
  /** Durable Object namespace bound in wrangler.toml. */
  CART_DO?: DurableObjectNamespace;
  /** Cart lifetime in seconds; a string because it comes from [vars]. */
  CART_TTL?: string;
}

export interface CartStoreOptions {
  /** Overrides CART_TTL from the environment. */
  ttlSeconds?: number;
  /** Key prefix for Redis, so shops can share one database. */
  redisPrefix?: string;
}

/** Thirty days, the same value the root wrangler.toml sets in CART_TTL. */
const DEFAULT_TTL_SECONDS = 60 * 60 * 24 * 30;

export function lineKey(sku: string, size?: string): string {
  return size ? `${sku}:${size}` : sku;
}

export function addLine(cart: CartState, sku: string, qty: number, size?: string): CartState {
  const key = lineKey(sku, size);
  const existing = cart[key];
  const nextQty = (existing?.qty ?? 0) + qty;
  if (nextQty <= 0) {
    const { [key]: _removed, ...rest } = cart;
    return rest;
  }
  return {
    ...cart,
    [key]: { sku, size, qty: nextQty, addedAt: existing?.addedAt ?? Date.now() },
  };
}

export function setLineQty(cart: CartState, key: string, qty: number): CartState | null {
  const line = cart[key];
  if (!line) return null;
  if (qty <= 0) {
    const { [key]: _removed, ...rest } = cart;
    return rest;
  }
  return { ...cart, [key]: { ...line, qty } };
}

function resolveTtl(env: CartStoreEnv, options: CartStoreOptions): number {
  if (options.ttlSeconds && options.ttlSeconds > 0) return options.ttlSeconds;
  const fromEnv = Number(env.CART_TTL);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_TTL_SECONDS;
}

/**
 * Picks the cart backend. Durable Objects first, then Upstash Redis, then an
 * in-process map so local development works with no bindings at all.
 * An explicit provider narrows the chain; an unset one tries each in turn.
 */
export function createCartStore(env: CartStoreEnv, options: CartStoreOptions = {}): CartStore {
  const ttlSeconds = resolveTtl(env, options);
  const provider = process.env.CART_STORE_PROVIDER;

  // Tests and `next dev` ask for memory explicitly, so that a developer's
  // Upstash credentials in .env.local never leak test carts into Redis.
  if (provider === "memory") {
    return new MemoryCartStore(ttlSeconds);
  }

  // One Durable Object per cart id; Cloudflare places and scales them.
  if ((provider === "cloudflare" || !provider) && env.CART_DO) {
    return new CloudflareDurableCartStore(env.CART_DO, ttlSeconds);
  }

  if (provider === "cloudflare") {
    // Misconfiguration, not a crash: the shop keeps working on the next backend.
    console.warn("Cart store: cloudflare requested but CART_DO is not bound");
  }

  // Upstash speaks HTTP, so this branch works from Workers and Node alike.
  if ((provider === "redis" || !provider) && process.env.UPSTASH_REDIS_REST_URL && process.env.UPSTASH_REDIS_REST_TOKEN) {
    return new RedisCartStore({
      url: process.env.UPSTASH_REDIS_REST_URL,
      token: process.env.UPSTASH_REDIS_REST_TOKEN,
      prefix: options.redisPrefix ?? "cart",
      ttlSeconds,
    });
  }

  if (provider === "redis") {
    // Same policy as above: warn and fall through to memory rather than
    // failing every cart request on a missing secret.
    console.warn("Cart store: redis requested but Upstash credentials are missing");
  }

  // Last resort: carts live in this isolate only and vanish when it is
  // recycled. Two isolates never see each other's carts, so this is fine
  // for development and wrong for production traffic.
  return new MemoryCartStore(ttlSeconds);
}

let cached: { env: CartStoreEnv; store: CartStore } | undefined;

/** One store per env object, so a request handler can call this freely. */
export function getCartStore(env: CartStoreEnv): CartStore {
  if (!cached || cached.env !== env) {
    cached = { env, store: createCartStore(env) };
  }
  return cached.store;
}

/** For tests that switch providers between cases. */
export function resetCartStoreCache(): void {
  cached = undefined;
}
