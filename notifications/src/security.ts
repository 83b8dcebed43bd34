// Response headers that keep the page safe to show anything an order contains: the
// browser runs only this app's own script files (no inline script or style, no
// eval, no plugins), connects only back to this app, and the page cannot be framed.
import type { Middleware } from "koa";

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const securityHeaders: Middleware = async (ctx, next) => {
  ctx.set({
    "Content-Security-Policy": contentSecurityPolicy,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
  });
  await next();
};
