// The recent order events, kept in a Redis Stream so that a page that connects
// (or reconnects) gets what it has not seen, and so that every instance of
// notifications sees the same history. Each event's id is its stream entry id
// ("<ms>-<seq>", increasing): a page sends the last id it has and gets what came after.
import type { RedisClient } from "./redis.js";

/** An order's notification as it arrived from the workflow. */
export interface OrderEvent {
  order_id: string;
  message: string;
  /** When notifications received it, ISO 8601. */
  time: string;
}

/** An event kept in the history, with its id there. */
export interface StoredEvent extends OrderEvent {
  id: string;
}

export interface EventHistory {
  /** Keeps the event and returns it with its id. */
  append(event: OrderEvent): Promise<StoredEvent>;
  /** The events after `lastId` (all that are kept when undefined), oldest first: at most the newest `length`. */
  after(lastId: string | undefined): Promise<StoredEvent[]>;
}

/** What the history needs of a node-redis client. */
export type StreamClient = Pick<RedisClient, "xAdd" | "xRevRange">;

/** A stream entry id, as a page sends it back: anything else is treated as "no id". */
export const isEventId = (value: unknown): value is string => typeof value === "string" && /^\d{1,20}-\d{1,20}$/.test(value);

export class RedisEventHistory implements EventHistory {
  constructor(
    private readonly redis: StreamClient,
    /** How many events are kept: older ones are trimmed as new ones come (MAXLEN ~). */
    private readonly length: number,
    private readonly key = "dashboard:events",
  ) {}

  async append(event: OrderEvent): Promise<StoredEvent> {
    const fields = { order_id: event.order_id, message: event.message, time: event.time };
    const id = await this.redis.xAdd(this.key, "*", fields, {
      TRIM: { strategy: "MAXLEN", strategyModifier: "~", threshold: this.length },
    });
    return { id, ...fields };
  }

  async after(lastId: string | undefined): Promise<StoredEvent[]> {
    // Newest first from the end down to just after lastId, at most `length` of them.
    const start = lastId === undefined ? "-" : `(${lastId}`;
    const entries = await this.redis.xRevRange(this.key, "+", start, { COUNT: this.length });
    return (entries ?? []).reverse().map(({ id, message: fields }) => ({
      id,
      order_id: String(fields.order_id),
      message: String(fields.message),
      time: String(fields.time),
    }));
  }
}
