// The dashboard's operator: who may approve, reject, restock and clear. Whoever has
// the operator token (OPERATOR_TOKEN, or the one notifications makes and prints at
// start) signs in with it on the page, under a name, and gets a session: an HttpOnly,
// SameSite=Strict cookie naming a session kept in Redis (so every instance knows it)
// for a while. The name an approval carries is the session's. A session holds a hash
// of the token that opened it: once the token is changed (a leaked one replaced),
// every session opened with the old one is over. With a secure cookie (behind TLS),
// the cookie is Secure and named with the __Host- prefix. An API client sends
// `Authorization: Bearer <operator token>` instead, and acts as OPERATOR_NAME.
//
// Every try of a token is counted per client address before the token is checked (so
// parallel guesses cannot all be checked before any is counted), and a right one is
// given back: past the limit of wrong ones, that address is refused (429) for the rest
// of the window, also with the right token.
import { createHash, randomBytes } from "node:crypto";
import type { Context, Middleware } from "koa";
import { approverName, HttpError, parseBody, Router, sameSecret, z } from "@dapr-orders/service-kit";

/** A session: the operator's name, and the hash of the token it was opened with (tokenHash). */
export interface Session {
  name: string;
  token: string;
}

/** The operators' sessions, by the id their cookie holds. */
export interface Sessions {
  /** Starts a session; its id. */
  start(session: Session): Promise<string>;
  /** The session, or undefined when there is none (unknown, ended or expired). */
  get(id: string): Promise<Session | undefined>;
  end(id: string): Promise<void>;
}

/** What a session keeps of the token it was opened with. */
export const tokenHash = (token: string) => createHash("sha256").update(`operator-session:${token}`).digest("hex");

/** A limit on how often something may happen per key (a client address) in a window of time. */
export interface RateLimit {
  /** Seconds before `key` may try again: 0 while it is within the limit. */
  retryAfter(key: string): Promise<number>;
  /** Counts one more for `key`; the seconds before it may try again when that went over the limit, else 0. */
  take(key: string): Promise<number>;
  /** Takes back one that was counted for `key`. */
  giveBack(key: string): Promise<void>;
}

/** No limit: for a limit that is turned off (0). */
export const noLimit: RateLimit = { retryAfter: async () => 0, take: async () => 0, giveBack: async () => {} };

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
  /** A Secure cookie with the __Host- prefix, for a dashboard served over HTTPS (SECURE_COOKIE). */
  secureCookie?: boolean;
}

export const sessionCookie = "operator_session";
/** The cookie's name with SECURE_COOKIE: a browser keeps it for HTTPS, this host and path / only. */
export const secureSessionCookie = `__Host-${sessionCookie}`;

/** The shortest OPERATOR_TOKEN that notifications starts with. */
export const minTokenLength = 24;

/** A new random token: what notifications uses when OPERATOR_TOKEN is not set. */
export const newOperatorToken = () => randomBytes(24).toString("base64url");

export const login = z.strictObject({ token: z.string().min(1, "must be the operator token").max(200), name: approverName });

const signInHint = "sign in as the operator (with the login URL notifications printed at start), or send Authorization: Bearer <operator token>";

export class Operator {
  private readonly cookie: string;
  private readonly tokenHash: string;

  constructor(private readonly options: OperatorOptions) {
    this.cookie = options.secureCookie === true ? secureSessionCookie : sessionCookie;
    this.tokenHash = tokenHash(options.token);
  }

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
      const id = await this.options.sessions.start({ name, token: this.tokenHash });
      this.setCookie(ctx, id, this.options.sessionTtlSeconds * 1000);
      ctx.body = { operator: name };
    });
    router.get("/", async (ctx) => {
      ctx.body = { operator: (await this.fromSession(ctx)) ?? null };
    });
    router.delete("/", async (ctx) => {
      const id = ctx.cookies.get(this.cookie);
      if (id !== undefined && id !== "") await this.options.sessions.end(id);
      this.setCookie(ctx, null);
      ctx.body = { operator: null };
    });
    return router;
  }

  private setCookie(ctx: Context, id: string | null, maxAge?: number): void {
    const secure = this.options.secureCookie === true;
    // TLS ends in front of the app: tell the cookie library the connection is secure.
    if (secure) (ctx.cookies as { secure: boolean }).secure = true;
    ctx.cookies.set(this.cookie, id, { httpOnly: true, sameSite: "strict", path: "/", secure, overwrite: true, ...(maxAge === undefined ? {} : { maxAge }) });
  }

  /** The operator's name of the request's session, if it has one, opened with the current token. */
  private async fromSession(ctx: Context): Promise<string | undefined> {
    const id = ctx.cookies.get(this.cookie);
    if (id === undefined || id === "") return undefined;
    const session = await this.options.sessions.get(id);
    return session !== undefined && session.token === this.tokenHash ? session.name : undefined;
  }

  private async fromBearer(ctx: Context): Promise<string | undefined> {
    const match = /^Bearer (.+)$/.exec(ctx.get("Authorization"));
    if (match === null) return undefined;
    await this.check(ctx, match[1]!);
    return this.options.apiName;
  }

  /**
   * Throws 429 while the client is over its limit of wrong tokens, and 401 for a wrong
   * one. Every try is counted first; a right one is given back.
   */
  private async check(ctx: Context, token: string): Promise<void> {
    const limit = this.options.failedLogins;
    const wait = await limit.take(ctx.ip);
    if (wait > 0) {
      ctx.set("Retry-After", String(wait));
      throw new HttpError(429, `too many wrong operator tokens from this address: try again in ${wait} s`);
    }
    if (!sameSecret(token, this.options.token)) throw new HttpError(401, "the operator token is wrong");
    await limit.giveBack(ctx.ip);
  }
}
