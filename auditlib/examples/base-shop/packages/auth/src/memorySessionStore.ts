import { isExpired, type SessionRecord, type SessionStore } from "./sessionStore";

/** Sessions in a Map inside the current isolate. Development and tests only. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  async get(sessionId: string): Promise<SessionRecord | null> {
    const record = this.sessions.get(sessionId);
    if (!record) return null;
    if (isExpired(record)) {
      this.sessions.delete(sessionId);
      return null;
    }
    return record;
  }

  async set(record: SessionRecord): Promise<void> {
    this.sessions.set(record.sessionId, record);
  }

  async delete(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  async listByCustomer(customerId: string): Promise<SessionRecord[]> {
    const now = Date.now();
    return [...this.sessions.values()].filter(
      (record) => record.customerId === customerId && !isExpired(record, now),
    );
  }
}
