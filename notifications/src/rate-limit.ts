// Rate limits kept in Redis (rate-limiter-flexible), so that every instance of
// notifications counts the same: at most `points` per key in `durationSeconds`,
// counted from the key's first one in the window.
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { RateLimit } from "./operator.js";
import type { RedisClient } from "./redis.js";

export interface RateLimitOptions {
  /** The Redis keys' prefix, which names the limit. */
  name: string;
  points: number;
  durationSeconds: number;
}

export class RedisRateLimit implements RateLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: RedisClient, { name, points, durationSeconds }: RateLimitOptions) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix: name, points, duration: durationSeconds });
  }

  async retryAfter(key: string): Promise<number> {
    const used = await this.limiter.get(key);
    return used !== null && used.remainingPoints <= 0 ? seconds(used) : 0;
  }

  async take(key: string): Promise<number> {
    try {
      await this.limiter.consume(key);
      return 0;
    } catch (err) {
      if (err instanceof RateLimiterRes) return seconds(err); // over the limit
      throw err; // Redis failed
    }
  }

  async giveBack(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }
}

const seconds = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
