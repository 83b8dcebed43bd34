// Keeping records in a Dapr state store: the one edge that inventory, payments and
// shipping share. Domain code works on the small StateStore interface below; in
// production it is the Dapr state API (daprStateStore), in unit tests memory with
// the same rules (MemoryStateStore, exported from service-kit/testing).
//
// Every write is a compare-and-set on one key: with the ETag read just before, or
// with none to create a key that does not exist yet. Dapr's Redis store has no
// multi-key transaction that is atomic with ETags (its `Multi` runs one check per
// key, and a failed check does not undo the others), so one decision must always
// fit in one key. The rules of Dapr's Redis store (components-contrib 1.18,
// state/redis): a write with an ETag fails when the key is at another version and
// succeeds when the key does not exist; a write with "first-write" concurrency and
// no ETag succeeds only when the key does not exist yet; a delete without an ETag
// always deletes; versions start again at 1 after a delete.
import { jsonOf, type Sidecar, type SidecarAnswer } from "./sidecar.js";

export interface Versioned<T> {
  /** undefined when the key does not exist. */
  value: T | undefined;
  etag: string | undefined;
}

export interface StateStore {
  /** The key's value and version; throws (StateReadError) when the store could not read it. */
  get<T>(key: string): Promise<Versioned<T>>;
  /** Several keys in one round trip, in the order asked; throws when any one could not be read. */
  getBulk<T>(keys: string[]): Promise<Versioned<T>[]>;
  /**
   * Compare-and-set. With an etag: write only if the key is still at that version.
   * Without: write only if the key does not exist. Else throw EtagMismatch.
   */
  set<T>(key: string, value: T, etag: string | undefined): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A read the store could not answer: for a key, the sidecar gave an error instead
 * of a value (Dapr's bulk read answers 200 with an `error` per key), or no answer
 * at all. Never taken for "the key does not exist".
 */
export class StateReadError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`reading ${key} failed: ${reason}`);
    this.name = "StateReadError";
  }
}

export class EtagMismatch extends Error {
  constructor(readonly key: string) {
    super(`${key} was changed by another writer`);
    this.name = "EtagMismatch";
  }
}

export interface RetryOptions {
  /** Attempts in all when other writers keep winning the race; then EtagMismatch is thrown. */
  maxAttempts: number;
  /** Called before each new attempt, with the attempt that lost (for logs and backoff). */
  onConflict?: (key: string, attempt: number) => Promise<void> | void;
}

/** What a decision on a key's current value wants: a value to write (or none), and the answer to give. */
export interface Decision<T, R> {
  write?: T;
  answer: R;
}

/**
 * Reads `key`, lets `decide` choose what to write and answer, writes with the ETag
 * just read, and starts over when another writer changed the key in between.
 */
export async function compareAndSet<T, R>(
  store: StateStore,
  key: string,
  decide: (current: T | undefined) => Decision<T, R>,
  retry: RetryOptions,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const { value, etag } = await store.get<T>(key);
    const { write, answer } = decide(value);
    if (write === undefined) return answer;
    try {
      await store.set(key, write, etag);
      return answer;
    } catch (err) {
      if (!(err instanceof EtagMismatch) || attempt >= retry.maxAttempts) throw err;
      await retry.onConflict?.(key, attempt);
    }
  }
}

/**
 * Runs tasks for one key one after another within this process (a promise chain per
 * key); tasks for different keys run side by side. Across processes or replicas
 * this guarantees nothing: there the compare-and-set of each write keeps records
 * right, and this only spares the store conflicts that one process can see coming.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests: the queue does not grow for good). */
  get size(): number {
    return this.tails.size;
  }
}

interface BulkItem {
  key: string;
  data?: unknown;
  etag?: string;
  /** Set when the store failed to read this key. */
  error?: string;
}

// Dapr's "first-write" concurrency: with an ETag, write only at that version; without, only a new key.
const firstWrite = { concurrency: "first-write", consistency: "strong" };

/** The StateStore on the Dapr state API of the app's sidecar, store `storeName`. */
export function daprStateStore(sidecar: Sidecar, storeName: string): StateStore {
  const base = `/v1.0/state/${encodeURIComponent(storeName)}`;
  const failure = (what: string, answer: SidecarAnswer) => new Error(`${what} failed: the sidecar answered ${answer.status}: ${answer.body}`);
  const call = async (what: string, method: string, path: string, body: unknown): Promise<SidecarAnswer> => {
    try {
      return await sidecar.call(method, path, { body });
    } catch (err) {
      throw new Error(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const getBulk = async <T>(keys: string[]): Promise<Versioned<T>[]> => {
    const what = `reading ${keys.join(", ")} from ${storeName}`;
    const answer = await call(what, "POST", `${base}/bulk`, { keys });
    if (answer.status !== 200) throw failure(what, answer);
    const items = jsonOf<BulkItem[] | undefined>(answer);
    if (!Array.isArray(items)) throw failure(what, answer);
    const byKey = new Map(items.map((item) => [item.key, item]));
    return keys.map((key) => {
      const item = byKey.get(key);
      if (item === undefined) throw new StateReadError(key, `the sidecar's answer from ${storeName} left it out`);
      if (item.error !== undefined && item.error !== "") throw new StateReadError(key, `${storeName} answered: ${item.error}`);
      const found = item.data !== undefined && item.data !== null && item.data !== "";
      return { value: found ? (item.data as T) : undefined, etag: found ? item.etag : undefined };
    });
  };

  const store: StateStore = {
    getBulk,

    async get<T>(key: string): Promise<Versioned<T>> {
      const [item] = await getBulk<T>([key]);
      return item!;
    },

    async set<T>(key: string, value: T, etag: string | undefined): Promise<void> {
      const what = `saving ${key} to ${storeName}`;
      const answer = await call(what, "POST", base, [{ key, value, etag, options: firstWrite }]);
      if (answer.ok) return;
      if (answer.status === 409) throw new EtagMismatch(key);
      // Redis refuses to create a key that exists with a plain error (500), not a 409:
      // whether that was the reason, the key itself tells.
      if (etag === undefined && (await store.get(key)).value !== undefined) throw new EtagMismatch(key);
      throw failure(what, answer);
    },

    async delete(key: string): Promise<void> {
      const what = `deleting ${key} from ${storeName}`;
      const answer = await call(what, "DELETE", `${base}/${encodeURIComponent(key)}`, undefined);
      if (!answer.ok) throw failure(what, answer);
    },
  };
  return store;
}

/** A store call, as MemoryStateStore's hooks see it; `n` counts calls from 1. */
export interface StoreCall {
  n: number;
  op: "get" | "getBulk" | "set" | "delete";
  keys: string[];
}

/**
 * A StateStore in memory with the rules of Dapr's Redis store (see the top of this
 * file), for unit tests. `before` runs at the start of every call and `after` once a
 * call took effect, before it answers: a test can throw there to simulate a crash
 * (before: the call never happened; after: it happened but its answer was lost), or
 * write to simulate another writer.
 */
export class MemoryStateStore implements StateStore {
  // Values are kept as JSON, as Dapr stores them.
  private readonly entries = new Map<string, { json: string; version: number }>();
  calls = 0;
  before?: (call: StoreCall) => Promise<void> | void;
  after?: (call: StoreCall) => Promise<void> | void;

  async get<T>(key: string): Promise<Versioned<T>> {
    return (await this.call("get", [key], () => [this.read<T>(key)]))[0]!;
  }

  getBulk<T>(keys: string[]): Promise<Versioned<T>[]> {
    return this.call("getBulk", keys, () => keys.map((key) => this.read<T>(key)));
  }

  set<T>(key: string, value: T, etag: string | undefined): Promise<void> {
    return this.call("set", [key], () => {
      const current = this.entries.get(key);
      if (current !== undefined && String(current.version) !== etag) throw new EtagMismatch(key);
      this.entries.set(key, { json: JSON.stringify(value), version: (current?.version ?? 0) + 1 });
    });
  }

  delete(key: string): Promise<void> {
    return this.call("delete", [key], () => void this.entries.delete(key));
  }

  /** The value of `key` as stored, without counting a call. */
  peek<T>(key: string): T | undefined {
    return this.read<T>(key).value;
  }

  private read<T>(key: string): Versioned<T> {
    const entry = this.entries.get(key);
    return entry === undefined ? { value: undefined, etag: undefined } : { value: JSON.parse(entry.json) as T, etag: String(entry.version) };
  }

  private async call<R>(op: StoreCall["op"], keys: string[], effect: () => R): Promise<R> {
    const call = { n: ++this.calls, op, keys };
    await this.before?.(call);
    await Promise.resolve(); // a real store answers later: let other callers run
    const result = effect();
    await this.after?.(call);
    return result;
  }
}
