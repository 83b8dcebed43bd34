// The bench's settings, from the environment (defaults in docs/performance.md).
import { envNumber } from "@dapr-orders/service-kit";

export const config = {
  /** Closed-loop client counts, one level each. */
  clients: [4, 16, 48],
  /** Client counts of the hot-item levels (every order for the same item). */
  hotClients: [16, 48],
  /** Seconds of load before each level's measured window. */
  warmupSeconds: envNumber("BENCH_WARMUP_SECONDS", 3),
  /** Seconds of each level's measured window. */
  levelSeconds: envNumber("BENCH_LEVEL_SECONDS", 20),
  /** An order not terminal this long after its POST counts as an error. */
  orderTimeoutSeconds: 20,
  /** Orders posted at once in the burst. */
  burst: envNumber("BENCH_BURST", 500),
  /** The burst's orders must all be terminal this long after the first POST. */
  burstTerminalSeconds: 60,
  /** The level at which notification latency is measured, and the targets checked. */
  notificationLevel: 16,
  notificationIntervalMs: 100,
  /** The whole bench stops with an error after this long (the stacks' stop comes after). */
  budgetSeconds: envNumber("BENCH_BUDGET_SECONDS", 330),
  /** Units per item after a restock of the real stack: more than any run orders. */
  restockQuantity: 100_000,
};
