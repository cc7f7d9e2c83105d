import { addLine, setLineQty, type CartState, type CartStore } from "../cartStore";

interface Entry {
  cart: CartState;
  expiresAt: number;
}

/**
 * Carts in a Map inside the current isolate. Nothing is shared between
 * isolates or survives a restart: for development and tests only.
 */
export class MemoryCartStore implements CartStore {
  private readonly carts = new Map<string, Entry>();

  constructor(private readonly ttlSeconds: number) {}

  private read(id: string): CartState | undefined {
    const entry = this.carts.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.carts.delete(id);
      return undefined;
    }
    return entry.cart;
  }

  private write(id: string, cart: CartState): void {
    this.carts.set(id, { cart, expiresAt: Date.now() + this.ttlSeconds * 1000 });
  }

  async createCart(): Promise<string> {
    const id = crypto.randomUUID();
    this.write(id, {});
    return id;
  }

  async getCart(id: string): Promise<CartState> {
    return this.read(id) ?? {};
  }

  async setCart(id: string, cart: CartState): Promise<void> {
    this.write(id, cart);
  }

  async deleteCart(id: string): Promise<void> {
    this.carts.delete(id);
  }

  async incrementQty(id: string, sku: string, qty: number, size?: string): Promise<CartState> {
    const next = addLine(this.read(id) ?? {}, sku, qty, size);
    this.write(id, next);
    return next;
  }

  async setQty(id: string, key: string, qty: number): Promise<CartState | null> {
    const next = setLineQty(this.read(id) ?? {}, key, qty);
    if (next) this.write(id, next);
    return next;
  }

  async removeItem(id: string, key: string): Promise<CartState | null> {
    return this.setQty(id, key, 0);
  }
}
