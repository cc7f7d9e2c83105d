import { addLine, setLineQty, type CartState, type CartStore } from "../cartStore";
import { shouldLogLatency } from "../latency";

/**
 * Carts on Durable Objects.
 *
 * Every cart id maps to its own object (idFromName), so a cart's reads and
 * writes are serialised in one place and never race, while different carts
 * run on different objects. The client half runs in the Pages function; the
 * object half is exported from the same module so wrangler can bind it as
 * CART_DO (class_name = "CartDurableObject").
 *
 * Expiry lives in the object: each write stores a deadline and schedules an
 * alarm, and the alarm deletes the cart's storage once the deadline passes.
 * No sweeper job is needed, and idle objects cost nothing.
 */

/**
 * Wire format between client and object. Every op that writes carries the
 * TTL, so the object never needs the shop's configuration.
 */
type CartOp =
  | { op: "get" }
  | { op: "set"; cart: CartState; ttlSeconds: number }
  | { op: "delete" }
  | { op: "incr"; sku: string; qty: number; size?: string; ttlSeconds: number }
  | { op: "setQty"; key: string; qty: number; ttlSeconds: number };

/** What every op answers; null means no cart (never created, deleted or expired). */
interface CartResponse {
  cart: CartState | null;
}

const OP_URL = "https://cart.internal/op";

/** A non-2xx answer from the object, with the op that caused it. */
export class CartStoreRequestError extends Error {
  constructor(
    readonly op: string,
    readonly status: number,
    message: string,
  ) {
    super(`Cart DO ${op} failed (${status}): ${message}`);
    this.name = "CartStoreRequestError";
  }

  get retryable(): boolean {
    return this.status >= 500;
  }
}

/**
 * Client used by createCartStore when CART_DO is bound. Holds no state of its
 * own; each call is one round trip to the cart's object.
 */
export class CloudflareDurableCartStore implements CartStore {
  constructor(
    private readonly namespace: DurableObjectNamespace,
    private readonly ttlSeconds: number,
  ) {}

  /** Same id, same object, anywhere in the world. */
  private stub(id: string): DurableObjectStub {
    return this.namespace.get(this.namespace.idFromName(id));
  }

  /**
   * One round trip. Slow calls are logged (sampled) to tell a slow object from a slow page.
   */
  private async request(id: string, body: CartOp): Promise<CartResponse> {
    const start = Date.now();
    const res = await this.stub(id).fetch(OP_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const duration = Date.now() - start;

    if (duration > 200 && shouldLogLatency()) {
      console.warn(`Cart DO latency ${duration}ms for op=${body.op}`);
    }

    if (!res.ok) {
      throw new CartStoreRequestError(body.op, res.status, await res.text());
    }
    return (await res.json()) as CartResponse;
  }

  async createCart(): Promise<string> {
    const id = crypto.randomUUID();
    await this.request(id, { op: "set", cart: {}, ttlSeconds: this.ttlSeconds });
    return id;
  }

  async getCart(id: string): Promise<CartState> {
    const { cart } = await this.request(id, { op: "get" });
    return cart ?? {};
  }

  async setCart(id: string, cart: CartState): Promise<void> {
    await this.request(id, { op: "set", cart, ttlSeconds: this.ttlSeconds });
  }

  async deleteCart(id: string): Promise<void> {
    await this.request(id, { op: "delete" });
  }

  async incrementQty(id: string, sku: string, qty: number, size?: string): Promise<CartState> {
    const { cart } = await this.request(id, {
      op: "incr",
      sku,
      qty,
      size,
      ttlSeconds: this.ttlSeconds,
    });
    return cart ?? {};
  }

  async setQty(id: string, key: string, qty: number): Promise<CartState | null> {
    const { cart } = await this.request(id, {
      op: "setQty",
      key,
      qty,
      ttlSeconds: this.ttlSeconds,
    });
    return cart;
  }

  async removeItem(id: string, key: string): Promise<CartState | null> {
    return this.setQty(id, key, 0);
  }
}

interface StoredCart {
  cart: CartState;
  /** Epoch milliseconds after which the cart is gone. */
  expiresAt: number;
  /** Epoch milliseconds of the last write, for support questions. */
  updatedAt: number;
}

const STORAGE_KEY = "cart";

/** Guard against scripted carts growing without bound. */
const MAX_CART_LINES = 100;

/** JSON response helper; the client always parses JSON, even on errors. */
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Narrow an untrusted body to a known op before touching storage. */
function isCartOp(value: unknown): value is CartOp {
  if (typeof value !== "object" || value === null) return false;
  const op = (value as { op?: unknown }).op;
  return op === "get" || op === "set" || op === "delete" || op === "incr" || op === "setQty";
}

/** Per-cart state with TTL. */
export class CartDurableObject {
  /** Whether `current` reflects storage; false until the first load. */
  private loaded = false;
  /** Cached copy of the stored cart, so reads cost no storage call. */
  private current: StoredCart | null = null;

  constructor(
    private readonly state: DurableObjectState,
    _env: unknown,
  ) {}

  /**
   * Ops arrive as POST bodies from CloudflareDurableCartStore. A GET answers
   * whether the cart exists, for support tooling.
   */
  async fetch(request: Request): Promise<Response> {
    if (request.method === "GET") {
      const stored = await this.load();
      return json({
        exists: stored !== null,
        expiresAt: stored?.expiresAt ?? null,
        updatedAt: stored?.updatedAt ?? null,
      });
    }
    if (request.method !== "POST") {
      return json({ error: "method not allowed" }, 405);
    }

    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json({ error: "invalid json" }, 400);
    }
    if (!isCartOp(body)) {
      return json({ error: "unknown op" }, 400);
    }

    switch (body.op) {
      case "get":
        return json({ cart: await this.read() });
      case "set":
        await this.write(body.cart, body.ttlSeconds);
        return json({ cart: body.cart });
      case "delete":
        await this.clear();
        return json({ cart: null });
      case "incr": {
        const next = addLine((await this.read()) ?? {}, body.sku, body.qty, body.size);
        if (Object.keys(next).length > MAX_CART_LINES) {
          return json({ error: "cart is full" }, 413);
        }
        await this.write(next, body.ttlSeconds);
        return json({ cart: next });
      }
      case "setQty": {
        const next = setLineQty((await this.read()) ?? {}, body.key, body.qty);
        if (next) await this.write(next, body.ttlSeconds);
        return json({ cart: next });
      }
      default:
        return json({ error: "unknown op" }, 400);
    }
  }

  /** Fires when the cart's TTL runs out, unless a later write pushed it back. */
  async alarm(): Promise<void> {
    const stored = await this.load();
    if (!stored) return;
    if (stored.expiresAt <= Date.now()) {
      await this.clear();
      return;
    }
    // A write moved the deadline after this alarm was scheduled.
    await this.state.storage.setAlarm(stored.expiresAt);
  }

  /** Reads storage once per object lifetime; later calls use the cache. */
  private async load(): Promise<StoredCart | null> {
    if (!this.loaded) {
      this.current = (await this.state.storage.get<StoredCart>(STORAGE_KEY)) ?? null;
      this.loaded = true;
    }
    return this.current;
  }

  /** The live cart, or null if there is none or it has expired. */
  private async read(): Promise<CartState | null> {
    const stored = await this.load();
    if (!stored) return null;
    // The alarm may not have run yet; never serve an expired cart.
    if (stored.expiresAt <= Date.now()) {
      await this.clear();
      return null;
    }
    return stored.cart;
  }

  private async write(cart: CartState, ttlSeconds: number): Promise<void> {
    const expiresAt = Date.now() + ttlSeconds * 1000;
    this.current = { cart, expiresAt, updatedAt: Date.now() };
    this.loaded = true;
    await this.state.storage.put(STORAGE_KEY, this.current);

    // Only move the alarm earlier; alarm() reschedules itself when the
    // deadline moved later, which saves a storage write per cart update.
    const scheduled = await this.state.storage.getAlarm();
    if (scheduled === null || scheduled > expiresAt) {
      await this.state.storage.setAlarm(expiresAt);
    }
  }

  /** Drops the cart and its alarm; the object itself is reclaimed when idle. */
  private async clear(): Promise<void> {
    this.current = null;
    this.loaded = true;
    await this.state.storage.deleteAlarm();
    await this.state.storage.deleteAll();
  }
}
