// The Koa app every service starts from: a check of the Host header (against DNS
// rebinding), security headers, JSON errors, a request log (with the trace id of the
// traceparent that the sidecar sends), JSON-only bodies with a size limit, GET
// /healthz, GET /metrics (Prometheus, metrics.ts), then the service's own routes.
import { isIP } from "node:net";
import Koa from "koa";
import type Router from "@koa/router";
import bodyParser from "koa-bodyparser";
import helmet from "koa-helmet";
import { webSettings, type WebSettings } from "./config.js";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import { metricsPath, serveMetrics } from "./metrics.js";
import { traceFields } from "./trace.js";

export interface AppOptions {
  logger: Logger;
  routes: Router;
  /** Largest accepted JSON body, in the notation of the `bytes` package. */
  bodyLimit?: string;
  /**
   * The Content-Security-Policy of every answer: by default that of a JSON API,
   * "default-src 'none'; frame-ancestors 'none'" (a browser loads nothing from an
   * answer, nor frames it). false: none, for an app that serves pages and sets its own.
   */
  contentSecurityPolicy?: false;
  /** Allowed hosts and trusted proxies: from the environment (ALLOWED_HOSTS, TRUSTED_PROXY_HOPS) by default. */
  web?: WebSettings;
}

export function createApp({ logger, routes, bodyLimit = "16kb", contentSecurityPolicy, web = webSettings() }: AppOptions): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by the middleware below, once
  // ctx.ip: the socket's peer, or behind trusted proxies the address the nearest one appended to X-Forwarded-For.
  app.proxy = web.trustedProxyHops > 0;
  app.maxIpsCount = web.trustedProxyHops;
  app.use(securityHeaders(contentSecurityPolicy !== false));
  app.use(allowedHostOnly(web.allowedHosts));
  app.use(requestLog(logger));
  app.use(errorsAsJson(logger, bodyLimit));
  app.use(requireJsonBody);
  app.use(bodyParser({ enableTypes: ["json"], extendTypes: { json: jsonTypes }, jsonLimit: bodyLimit, strict: true }));
  app.use(async (ctx, next) => {
    if (ctx.path !== "/healthz") return next();
    ctx.body = { status: "ok" };
  });
  app.use(serveMetrics);
  app.use(routes.routes());
  app.use(routes.allowedMethods());
  return app;
}

/**
 * Whether a request's Host header may be answered: an IP address (v4, or v6 in
 * brackets), any port, or a name of `allowed` ("*" allows every name). A missing Host
 * (no browser sends none) is let through. A page that DNS rebinding brought to this
 * app's address still sends its own site's name: it is refused.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  if (host === undefined || host === "") return true;
  const name = /^\[([^\]]+)\](?::\d+)?$/.exec(host)?.[1] ?? host.replace(/:\d+$/, "");
  if (isIP(name) !== 0) return true;
  return allowed.includes("*") || allowed.includes(name.toLowerCase());
}

/**
 * The client's address as createApp's ctx.ip has it, for requests that do not go
 * through Koa (Socket.IO's handshake): the socket's peer, or behind `hops` trusted
 * proxies the address the nearest one appended to X-Forwarded-For.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const chain = header.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (hops === 0 || chain.length === 0) return peer ?? "";
  return chain.slice(-hops)[0]!;
}

function allowedHostOnly(allowed: readonly string[]): Koa.Middleware {
  return async (ctx, next) => {
    if (!hostAllowed(ctx.req.headers.host, allowed)) {
      ctx.status = 400;
      ctx.body = { error: "the Host header names a host this app does not serve (ALLOWED_HOSTS lists those it does)" };
      return;
    }
    await next();
  };
}

function errorsAsJson(logger: Logger, bodyLimit: string): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: `no route for ${ctx.method} ${ctx.path}` };
      } else if (ctx.status === 405 || ctx.status === 501) {
        // The router's answer to a method a path does not take (501 for one it does not know, such as TRACE).
        ctx.status = 405;
        ctx.body = { error: `${ctx.method} is not allowed on ${ctx.path}` };
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: err.message, ...err.details };
        return;
      }
      const status = (err as { status?: number }).status;
      if (status === 413) {
        ctx.status = 413;
        ctx.body = { error: `request body is larger than ${bodyLimit}` };
      } else if (status === 400) {
        ctx.status = 400; // raised by the body parser
        ctx.body = { error: "request body is not valid JSON" };
      } else {
        logger.error("request failed", { method: ctx.method, path: ctx.path, ...traceFields(ctx.get("traceparent")), err, ...ctx.state.logFields });
        ctx.status = 500;
        ctx.body = { error: "internal error" };
      }
    }
  };
}

function requestLog(logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const start = performance.now();
    await next();
    if (ctx.path === "/healthz" || ctx.path === metricsPath) return; // probes and scrapes: every few seconds
    // Reads that went well are the bulk of the traffic (clients poll their orders): debug lines.
    const quiet = ctx.method === "GET" && ctx.status < 400;
    logger[quiet ? "debug" : "info"]("request", {
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round(performance.now() - start),
      ...traceFields(ctx.get("traceparent")), // the trace a sidecar passed on, if any
      ...ctx.state.logFields, // routes put e.g. { order_id } here
    });
  };
}

/**
 * helmet's headers (nosniff, no referrer, same-origin resource and opener policies,
 * no framing...), with a CSP for JSON answers, or none. No Strict-Transport-Security:
 * the apps speak plain HTTP, and TLS, where there is any, ends in front of them.
 */
function securityHeaders(withCsp: boolean): Koa.Middleware {
  return helmet({
    contentSecurityPolicy: withCsp ? { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } : false,
    strictTransportSecurity: false,
  });
}

// application/json, and JSON with a suffix such as the CloudEvents that Dapr pub/sub delivers.
const jsonTypes = ["application/json", "+json"];
const isJson = (type: string) => type === "application/json" || /^application\/[\w.-]+\+json$/.test(type);

// Methods that always carry a body. A POST must say it is JSON even when it has none:
// a cross-site HTML form can post (an empty body too), but never as application/json.
const bodyMethods = new Set(["POST", "PUT", "PATCH"]);

const requireJsonBody: Koa.Middleware = async (ctx, next) => {
  const headers = ctx.request.headers;
  const hasBody = headers["transfer-encoding"] !== undefined || Number(headers["content-length"] ?? 0) > 0;
  if ((hasBody || bodyMethods.has(ctx.method)) && !isJson(ctx.request.type.trim().toLowerCase())) {
    throw new HttpError(415, "Content-Type must be application/json");
  }
  await next();
};
