// The operators' sessions in Redis, so that every instance of notifications knows
// them: one key per session, holding the operator's name, expiring with the session.
// The key is named by a hash of the session id, so what Redis holds cannot be used
// as a cookie.
import { createHash, randomBytes } from "node:crypto";
import type { Sessions } from "./operator.js";
import type { RedisClient } from "./redis.js";

export type SessionClient = Pick<RedisClient, "set" | "get" | "del">;

export class RedisSessions implements Sessions {
  constructor(
    private readonly redis: SessionClient,
    /** How long a session lasts, in seconds. */
    private readonly ttlSeconds: number,
    private readonly prefix = "dashboard:session:",
  ) {}

  async start(name: string): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    await this.redis.set(this.key(id), name, { EX: this.ttlSeconds });
    return id;
  }

  async operator(id: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(id))) ?? undefined;
  }

  async end(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /** The Redis key of session `id`. */
  key(id: string): string {
    return this.prefix + createHash("sha256").update(id).digest("hex");
  }
}
