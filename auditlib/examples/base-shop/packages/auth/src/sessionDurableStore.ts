import { shouldLogLatency } from "@base-shop/platform-core/latency";
import { isExpired, type SessionRecord, type SessionStore } from "./sessionStore";

/**
 * Sessions on Durable Objects.
 *
 * One class, two kinds of instance:
 * - `session:<sessionId>` holds a single session and deletes it at expiry;
 * - `customer:<customerId>` holds the index of that customer's session ids,
 *   so "sign out everywhere" needs no scan.
 * Bound as SESSION_DO (class_name = "SessionDurableObject").
 */

type SessionOp =
  | { op: "get" }
  | { op: "set"; record: SessionRecord }
  | { op: "delete" }
  | { op: "index.add"; sessionId: string; expiresAt: number }
  | { op: "index.remove"; sessionId: string }
  | { op: "index.list" };

interface SessionResponse {
  record?: SessionRecord | null;
  sessionIds?: string[];
}

const OP_URL = "https://session.internal/op";

const sessionName = (sessionId: string) => `session:${sessionId}`;
const customerName = (customerId: string) => `customer:${customerId}`;

/** Client used by createSessionStore when SESSION_DO is bound. */
export class CloudflareSessionStore implements SessionStore {
  constructor(private readonly namespace: DurableObjectNamespace) {}

  /** Instances are addressed by name, so the same name reaches the same object. */
  private stub(name: string): DurableObjectStub {
    return this.namespace.get(this.namespace.idFromName(name));
  }

  /** One round trip; slow ones are logged, sampled by shouldLogLatency. */
  private async request(name: string, body: SessionOp): Promise<SessionResponse> {
    const start = Date.now();
    const res = await this.stub(name).fetch(OP_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const duration = Date.now() - start;

    if (duration > 200 && shouldLogLatency()) {
      console.warn(`Session DO latency ${duration}ms for op=${body.op}`);
    }

    if (!res.ok) {
      throw new Error(`Session DO ${body.op} failed with ${res.status}`);
    }
    return (await res.json()) as SessionResponse;
  }

  async get(sessionId: string): Promise<SessionRecord | null> {
    const { record } = await this.request(sessionName(sessionId), { op: "get" });
    return record ?? null;
  }

  async set(record: SessionRecord): Promise<void> {
    // Session first: an index entry pointing at nothing is harmless (it is
    // pruned), a session missing from the index would survive sign-out.
    await this.request(sessionName(record.sessionId), { op: "set", record });
    await this.request(customerName(record.customerId), {
      op: "index.add",
      sessionId: record.sessionId,
      expiresAt: record.expiresAt,
    });
  }

  async delete(sessionId: string): Promise<void> {
    const { record } = await this.request(sessionName(sessionId), { op: "delete" });
    if (record) {
      await this.request(customerName(record.customerId), { op: "index.remove", sessionId });
    }
  }

  async listByCustomer(customerId: string): Promise<SessionRecord[]> {
    const { sessionIds = [] } = await this.request(customerName(customerId), { op: "index.list" });
    // Ids whose session already expired come back as null and are skipped.
    const records = await Promise.all(sessionIds.map((id) => this.get(id)));
    return records.filter((record): record is SessionRecord => record !== null);
  }
}

/** Storage key in `session:` instances. */
const SESSION_KEY = "session";
/** Storage key in `customer:` instances. */
const INDEX_KEY = "index";

/** Session id -> expiry (epoch milliseconds). */
type CustomerIndex = Record<string, number>;

/** JSON response helper; the client parses every answer as JSON. */
function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Narrow an untrusted body to a known op before touching storage. */
function isSessionOp(value: unknown): value is SessionOp {
  if (typeof value !== "object" || value === null) return false;
  const op = (value as { op?: unknown }).op;
  return (
    op === "get" ||
    op === "set" ||
    op === "delete" ||
    op === "index.add" ||
    op === "index.remove" ||
    op === "index.list"
  );
}

/** When the index next needs pruning, or null if it is empty. */
function earliestExpiry(index: CustomerIndex): number | null {
  const times = Object.values(index);
  return times.length > 0 ? Math.min(...times) : null;
}

/** Per-session state with customer index. */
export class SessionDurableObject {
  constructor(
    private readonly state: DurableObjectState,
    _env: unknown,
  ) {}

  /**
   * Ops arrive as POST bodies from CloudflareSessionStore; which ops make sense
   * depends on the instance's name, which the client chose.
   */
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") {
      return json({ error: "method not allowed" }, 405);
    }
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return json({ error: "invalid json" }, 400);
    }
    if (!isSessionOp(body)) {
      return json({ error: "unknown op" }, 400);
    }

    switch (body.op) {
      case "get":
        return json({ record: await this.readSession() });
      case "set":
        await this.state.storage.put(SESSION_KEY, body.record);
        await this.state.storage.setAlarm(body.record.expiresAt);
        return json({ record: body.record });
      case "delete": {
        const record = await this.readSession();
        await this.state.storage.deleteAll();
        await this.state.storage.deleteAlarm();
        return json({ record });
      }
      case "index.add": {
        const index = await this.readIndex();
        index[body.sessionId] = body.expiresAt;
        await this.writeIndex(index);
        return json({ sessionIds: Object.keys(index) });
      }
      case "index.remove": {
        const index = await this.readIndex();
        delete index[body.sessionId];
        await this.writeIndex(index);
        return json({ sessionIds: Object.keys(index) });
      }
      case "index.list": {
        const index = this.pruned(await this.readIndex());
        await this.writeIndex(index);
        return json({ sessionIds: Object.keys(index) });
      }
      default:
        return json({ error: "unknown op" }, 400);
    }
  }

  /**
   * Session instances: drop the session once expired. Index instances: prune
   * expired ids and wake again at the next expiry.
   */
  async alarm(): Promise<void> {
    const session = await this.state.storage.get<SessionRecord>(SESSION_KEY);
    if (session) {
      if (isExpired(session)) {
        await this.state.storage.deleteAll();
      } else {
        await this.state.storage.setAlarm(session.expiresAt);
      }
      return;
    }
    const index = await this.state.storage.get<CustomerIndex>(INDEX_KEY);
    if (index) {
      await this.writeIndex(this.pruned(index));
    }
  }

  /** The stored session, or null if absent or expired. */
  private async readSession(): Promise<SessionRecord | null> {
    const record = (await this.state.storage.get<SessionRecord>(SESSION_KEY)) ?? null;
    if (record && isExpired(record)) {
      // The alarm has not fired yet; never hand out an expired session.
      await this.state.storage.deleteAll();
      return null;
    }
    return record;
  }

  /** The customer's index; empty for a new customer. */
  private async readIndex(): Promise<CustomerIndex> {
    return (await this.state.storage.get<CustomerIndex>(INDEX_KEY)) ?? {};
  }

  /** A copy of the index without expired sessions. */
  private pruned(index: CustomerIndex): CustomerIndex {
    const now = Date.now();
    return Object.fromEntries(Object.entries(index).filter(([, expiresAt]) => expiresAt > now));
  }

  /** Persist the index and wake at its earliest expiry; an empty one frees storage. */
  private async writeIndex(index: CustomerIndex): Promise<void> {
    const next = earliestExpiry(index);
    if (next === null) {
      await this.state.storage.deleteAll();
      await this.state.storage.deleteAlarm();
      return;
    }
    await this.state.storage.put(INDEX_KEY, index);
    await this.state.storage.setAlarm(next);
  }
}
