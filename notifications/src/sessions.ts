// The operators' sessions in Redis, so that every instance of notifications knows
// them: one key per session, holding the session (the operator's name and the hash of
// the token it was opened with) as JSON, expiring with the session.
// The key is named by a hash of the session id, so what Redis holds cannot be used
// as a cookie.
import { createHash, randomBytes } from "node:crypto";
import type { Session, Sessions } from "./operator.js";
import type { RedisClient } from "./redis.js";

export type SessionClient = Pick<RedisClient, "set" | "get" | "del">;

export class RedisSessions implements Sessions {
  constructor(
    private readonly redis: SessionClient,
    /** How long a session lasts, in seconds. */
    private readonly ttlSeconds: number,
    private readonly prefix = "dashboard:session:",
  ) {}

  async start(session: Session): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    await this.redis.set(this.key(id), JSON.stringify({ name: session.name, token: session.token }), { EX: this.ttlSeconds });
    return id;
  }

  async get(id: string): Promise<Session | undefined> {
    const stored = await this.redis.get(this.key(id));
    if (stored === null) return undefined;
    try {
      const session = JSON.parse(stored) as Partial<Session>;
      return typeof session.name === "string" && typeof session.token === "string" ? { name: session.name, token: session.token } : undefined;
    } catch {
      return undefined; // not a session of this version: none
    }
  }

  async end(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /** The Redis key of session `id`. */
  key(id: string): string {
    return this.prefix + createHash("sha256").update(id).digest("hex");
  }
}
