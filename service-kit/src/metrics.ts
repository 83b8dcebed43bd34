// Prometheus metrics. Every app serves GET /metrics (createApp mounts it) in the
// Prometheus text format, from one registry per process: Node.js's own metrics
// (prom-client's defaults: CPU, memory, event loop lag, garbage collection, handles)
// and the app's counters and histograms, which its modules declare once, at module
// level, with counter() and histogram().
//
// Names start with "orders_" and end with their unit ("_total", "_seconds"). Label
// values come from short fixed lists (a step's name, a reason), never from requests
// or order ids: each label value is a time series of its own.
import type Koa from "koa";
import client from "prom-client";

/** The registry that GET /metrics shows. */
export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });

export const metricsPath = "/metrics";

export type Counter<L extends string = string> = client.Counter<L>;
export type Histogram<L extends string = string> = client.Histogram<L>;
export type Gauge<L extends string = string> = client.Gauge<L>;

export function counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new client.Counter({ name, help, labelNames, registers: [metricsRegistry] });
}

/** A value read when GET /metrics is asked for: `collect` sets it (it may throw: the scrape then fails, saying why). */
export function gauge(name: string, help: string, collect: (gauge: Gauge<never>) => Promise<void> | void): Gauge<never> {
  return new client.Gauge({
    name,
    help,
    registers: [metricsRegistry],
    async collect() {
      await collect(this);
    },
  });
}

/** Durations in seconds; the default buckets run from 5 ms to 10 s. */
export function histogram<L extends string = never>(
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
): Histogram<L> {
  return new client.Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] });
}

/** GET /metrics: the registry in the Prometheus text format. */
export const serveMetrics: Koa.Middleware = async (ctx, next) => {
  if (ctx.path !== metricsPath || (ctx.method !== "GET" && ctx.method !== "HEAD")) return next();
  ctx.type = metricsRegistry.contentType;
  ctx.body = await metricsRegistry.metrics();
};
