// Notifications that Dapr could not deliver come back on the dead-letter topic
// (dapr-components/subscription.yaml): one that notifications refused (400), or one
// that still failed after the retries of dapr-components/notifications-resiliency.yaml.
// Each is kept in a short Redis list, newest first, for an operator to read
// (`redis-cli LRANGE dashboard:dead-letters 0 -1`); the route also logs it.
import type { RedisClient } from "./redis.js";

export interface DeadLetter {
  /** When notifications received it, ISO 8601. */
  time: string;
  /** The order it names, when it names one. */
  order_id?: string;
  /** The CloudEvent's id, which daprd's log lines name. */
  event_id?: string;
  /** What was published. */
  data: unknown;
}

export interface DeadLetters {
  add(letter: DeadLetter): Promise<void>;
}

export type ListClient = Pick<RedisClient, "lPush" | "lTrim">;

export class RedisDeadLetters implements DeadLetters {
  constructor(
    private readonly redis: ListClient,
    /** How many are kept: the newest. */
    private readonly length: number,
    readonly key = "dashboard:dead-letters",
  ) {}

  async add(letter: DeadLetter): Promise<void> {
    await this.redis.lPush(this.key, JSON.stringify(letter));
    await this.redis.lTrim(this.key, 0, this.length - 1);
  }
}
