// Routes that only this app's Dapr sidecar may call. With an app API token
// (APP_API_TOKEN), the sidecar sends it with every call it makes to the app, as the
// header `dapr-api-token`; such a route refuses a request without it (401). Mark a
// route by putting the middleware in front of it:
//
//   const sidecarOnly = appTokenRequired(config.appToken);
//   router.post("/reserve", sidecarOnly, async (ctx) => { ... });
//
// or a whole router with `router.use(sidecarOnly)`. Without a token the routes are
// open: an app runs so only with INSECURE_NO_APP_TOKEN=true, and then on a loopback
// address (config.ts, appApiToken and appHost).
import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import { HttpError } from "./errors.js";

export const appTokenHeader = "dapr-api-token";

export function appTokenRequired(token: string | undefined): Middleware {
  if (token === undefined || token === "") return (_ctx, next) => next();
  return async (ctx, next) => {
    if (!sameSecret(ctx.get(appTokenHeader), token)) {
      throw new HttpError(401, "only this app's Dapr sidecar may call this route: the app API token is missing or wrong");
    }
    await next();
  };
}

/**
 * Whether `given` is the secret `expected`, in a time that does not depend on how much
 * of it is right (both are hashed to equal lengths first). An empty `given` never is.
 */
export function sameSecret(given: string, expected: string): boolean {
  return given !== "" && timingSafeEqual(digest(given), digest(expected));
}

const digest = (value: string) => createHash("sha256").update(value).digest();
