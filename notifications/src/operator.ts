// The dashboard's operator: who may approve, reject, restock and clear. Whoever has
// the operator token (OPERATOR_TOKEN, or the one notifications makes and prints at
// start) signs in with it on the page, under a name, and gets a session: an HttpOnly,
// SameSite=Strict cookie naming a session kept in Redis (so every instance knows it)
// for a while. The name an approval carries is the session's. An API client sends
// `Authorization: Bearer <operator token>` instead, and acts as OPERATOR_NAME.
//
// Wrong tokens are counted per client address: past the limit, that address is
// refused (429) for the rest of the window, also with the right token.
import { randomBytes } from "node:crypto";
import type { Context, Middleware } from "koa";
import { approverName, HttpError, parseBody, Router, sameSecret, z } from "@dapr-orders/service-kit";

/** The operators' sessions, by the id their cookie holds. */
export interface Sessions {
  /** Starts a session for the operator named `name`; its id. */
  start(name: string): Promise<string>;
  /** The operator of the session, or undefined when there is none (unknown, ended or expired). */
  operator(id: string): Promise<string | undefined>;
  end(id: string): Promise<void>;
}

/** A limit on how often something may happen per key (a client address) in a window of time. */
export interface RateLimit {
  /** Seconds before `key` may try again: 0 while it is within the limit. */
  retryAfter(key: string): Promise<number>;
  /** Counts one more for `key`; the seconds before it may try again when that went over the limit, else 0. */
  take(key: string): Promise<number>;
}

export interface OperatorOptions {
  /** The operator token. */
  token: string;
  /** The operator's name for requests with the token itself (Authorization: Bearer). */
  apiName: string;
  sessions: Sessions;
  /** Counts wrong tokens per client address. */
  failedLogins: RateLimit;
  /** How long a session lasts, in seconds (the cookie's Max-Age). */
  sessionTtlSeconds: number;
}

export const sessionCookie = "operator_session";

/** A new random token: what notifications uses when OPERATOR_TOKEN is not set. */
export const newOperatorToken = () => randomBytes(24).toString("base64url");

const login = z.strictObject({ token: z.string().min(1, "must be the operator token").max(200), name: approverName });

const signInHint = "sign in as the operator (with the login URL notifications printed at start), or send Authorization: Bearer <operator token>";

export class Operator {
  constructor(private readonly options: OperatorOptions) {}

  /** The operator token. */
  get token(): string {
    return this.options.token;
  }

  /** Lets a request through with ctx.state.operator set to the operator's name; 401 (or 429) otherwise. */
  readonly required: Middleware = async (ctx, next) => {
    const name = (await this.fromSession(ctx)) ?? (await this.fromBearer(ctx));
    if (name === undefined) throw new HttpError(401, signInHint);
    ctx.state.operator = name;
    await next();
  };

  /** POST /api/session {token, name}: signs in; GET: who is signed in; DELETE: signs out. */
  routes(): Router {
    const router = new Router({ prefix: "/api/session" });
    router.post("/", async (ctx) => {
      const { token, name } = parseBody(ctx, login);
      await this.check(ctx, token);
      const id = await this.options.sessions.start(name);
      ctx.cookies.set(sessionCookie, id, {
        httpOnly: true,
        sameSite: "strict",
        path: "/",
        maxAge: this.options.sessionTtlSeconds * 1000,
        overwrite: true,
      });
      ctx.body = { operator: name };
    });
    router.get("/", async (ctx) => {
      ctx.body = { operator: (await this.fromSession(ctx)) ?? null };
    });
    router.delete("/", async (ctx) => {
      const id = ctx.cookies.get(sessionCookie);
      if (id !== undefined && id !== "") await this.options.sessions.end(id);
      ctx.cookies.set(sessionCookie, null, { httpOnly: true, sameSite: "strict", path: "/", overwrite: true });
      ctx.body = { operator: null };
    });
    return router;
  }

  private async fromSession(ctx: Context): Promise<string | undefined> {
    const id = ctx.cookies.get(sessionCookie);
    return id === undefined || id === "" ? undefined : this.options.sessions.operator(id);
  }

  private async fromBearer(ctx: Context): Promise<string | undefined> {
    const match = /^Bearer (.+)$/.exec(ctx.get("Authorization"));
    if (match === null) return undefined;
    await this.check(ctx, match[1]!);
    return this.options.apiName;
  }

  /** Throws 429 while the client is over its limit of wrong tokens, and 401 for a wrong one (which counts). */
  private async check(ctx: Context, token: string): Promise<void> {
    const limit = this.options.failedLogins;
    const tooMany = (seconds: number) => {
      ctx.set("Retry-After", String(seconds));
      return new HttpError(429, `too many wrong operator tokens from this address: try again in ${seconds} s`);
    };
    const wait = await limit.retryAfter(ctx.ip);
    if (wait > 0) throw tooMany(wait);
    if (sameSecret(token, this.options.token)) return;
    const waitNow = await limit.take(ctx.ip);
    if (waitNow > 0) throw tooMany(waitNow);
    throw new HttpError(401, "the operator token is wrong");
  }
}
