// The Koa app every service starts from: JSON errors, a request log, JSON-only
// bodies with a size limit, GET /healthz, then the service's own routes.
import Koa from "koa";
import type Router from "@koa/router";
import bodyParser from "koa-bodyparser";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";

export interface AppOptions {
  logger: Logger;
  routes: Router;
  /** Largest accepted JSON body, in the notation of the `bytes` package. */
  bodyLimit?: string;
}

export function createApp({ logger, routes, bodyLimit = "16kb" }: AppOptions): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by the middleware below, once
  app.use(requestLog(logger));
  app.use(errorsAsJson(logger, bodyLimit));
  app.use(requireJsonBody);
  app.use(bodyParser({ enableTypes: ["json"], extendTypes: { json: jsonTypes }, jsonLimit: bodyLimit, strict: true }));
  app.use(async (ctx, next) => {
    if (ctx.path !== "/healthz") return next();
    ctx.body = { status: "ok" };
  });
  app.use(routes.routes());
  app.use(routes.allowedMethods());
  return app;
}

function errorsAsJson(logger: Logger, bodyLimit: string): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: `no route for ${ctx.method} ${ctx.path}` };
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
        logger.error("request failed", { method: ctx.method, path: ctx.path, err, ...ctx.state.logFields });
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
    if (ctx.path === "/healthz") return;
    logger.info("request", {
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      ms: Math.round(performance.now() - start),
      ...ctx.state.logFields, // routes put e.g. { order_id } here
    });
  };
}

// application/json, and JSON with a suffix such as the CloudEvents that Dapr pub/sub delivers.
const jsonTypes = ["application/json", "+json"];

const requireJsonBody: Koa.Middleware = async (ctx, next) => {
  const headers = ctx.request.headers;
  const hasBody = headers["transfer-encoding"] !== undefined || Number(headers["content-length"] ?? 0) > 0;
  if (hasBody && !ctx.is(jsonTypes)) {
    throw new HttpError(415, "Content-Type must be application/json");
  }
  await next();
};
