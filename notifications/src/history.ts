// The recent order events, kept in a Redis Stream so that a page that connects
// (or reconnects) gets what it has not seen, and so that every instance of
// notifications sees the same history. Each event's id is its stream entry id
// ("<ms>-<seq>", increasing): a page sends the last id it has and gets what came after.
//
// A notification can be delivered more than once (it may be published twice, and
// Dapr delivers again what was not acknowledged): (order_id, seq) is its identity.
// Each order has a small hash in Redis, seq -> stream id, of what it has kept. One
// Lua script (atomic in Redis) looks the seq up, and only when it is new appends the
// event to the stream and marks it: a crash cannot separate the two.
import type { Notification } from "./notification.js";
import type { RedisClient } from "./redis.js";

/** A notification as kept: with its stream id and when notifications received it (ISO 8601). */
export interface StoredEvent extends Notification {
  id: string;
  time: string;
}

export interface EventHistory {
  /** Keeps the notification and returns it as kept; undefined for a repeat (its (order_id, seq) is kept already). */
  record(notification: Notification, time: string): Promise<StoredEvent | undefined>;
  /** The events after `lastId` (all that are kept when undefined), oldest first: at most the newest `length`. */
  after(lastId: string | undefined): Promise<StoredEvent[]>;
}

/** What the history needs of a node-redis client. */
export type StreamClient = Pick<RedisClient, "eval" | "xRevRange">;

/** A stream entry id, as a page sends it back: anything else is treated as "no id". */
export const isEventId = (value: unknown): value is string => typeof value === "string" && /^\d{1,20}-\d{1,20}$/.test(value);

/**
 * KEYS: the order's hash of kept seqs, the stream. ARGV: seq, the hash's lifetime in
 * seconds, the stream's length, the event as JSON. Answers {1, the new entry's id},
 * or {0, the id of the entry kept first} for a repeat.
 *
 * The lookup comes first and the mark last: a command that fails in a script stops
 * it without undoing what it already wrote, so a failing XADD leaves nothing behind,
 * and the mark (on a hash that the lookup found usable) does not fail after it.
 */
export const recordScript = `
local kept = redis.call('HGET', KEYS[1], ARGV[1])
if kept then return {0, kept} end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'event', ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], id)
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {1, id}
`;

export interface HistoryOptions {
  /** How many events the stream keeps: older ones are trimmed as new ones come (MAXLEN ~). */
  length: number;
  /** How long an order's kept seqs are remembered after its latest new notification, in seconds. */
  seenTtlSeconds: number;
  key?: string;
}

export class RedisEventHistory implements EventHistory {
  private readonly length: number;
  private readonly seenTtlSeconds: number;
  private readonly key: string;

  constructor(
    private readonly redis: StreamClient,
    { length, seenTtlSeconds, key = "dashboard:events" }: HistoryOptions,
  ) {
    this.length = length;
    this.seenTtlSeconds = seenTtlSeconds;
    this.key = key;
  }

  /** The Redis key of the order's kept seqs. */
  seenKey(orderId: string): string {
    return `${this.key}:seen:${orderId}`;
  }

  async record(notification: Notification, time: string): Promise<StoredEvent | undefined> {
    const fields = { ...notification, time };
    const [isNew, id] = (await this.redis.eval(recordScript, {
      keys: [this.seenKey(notification.order_id), this.key],
      arguments: [String(notification.seq), String(this.seenTtlSeconds), String(this.length), JSON.stringify(fields)],
    })) as [number, string];
    return isNew === 1 ? { id, ...fields } : undefined;
  }

  async after(lastId: string | undefined): Promise<StoredEvent[]> {
    // Newest first from the end down to just after lastId, at most `length` of them.
    const start = lastId === undefined ? "-" : `(${lastId}`;
    const entries = await this.redis.xRevRange(this.key, "+", start, { COUNT: this.length });
    return (entries ?? []).reverse().flatMap(({ id, message: fields }) => {
      // An entry that is not an event of this format (an older version's) is left out.
      if (typeof fields.event !== "string") return [];
      return [{ id, ...(JSON.parse(fields.event) as Omit<StoredEvent, "id">) }];
    });
  }
}
