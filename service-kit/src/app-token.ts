// Routes that only this app's Dapr sidecar may call. With an app API token
// (APP_API_TOKEN), the sidecar sends it with every call it makes to the app, as the
// header `dapr-api-token`; such a route refuses a request without it (401). Mark a
// route by putting the middleware in front of it:
//
//   const sidecarOnly = appTokenRequired(config.appToken);
//   router.post("/reserve", sidecarOnly, async (ctx) => { ... });
//
// or a whole router with `router.use(sidecarOnly)`. Without a token the routes are
// open, as when the sidecar has none.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import { HttpError } from "./errors.js";

export const appTokenHeader = "dapr-api-token";

export function appTokenRequired(token: string | undefined): Middleware {
  if (token === undefined || token === "") return (_ctx, next) => next();
  const expected = digest(token);
  return async (ctx, next) => {
    const given = ctx.get(appTokenHeader);
    if (given === "" || !timingSafeEqual(digest(given), expected)) {
      throw new HttpError(401, "only this app's Dapr sidecar may call this route: the app API token is missing or wrong");
    }
    await next();
  };
}

// Equal-length digests, so the comparison takes the same time whatever was sent.
const digest = (value: string) => createHash("sha256").update(value).digest();
