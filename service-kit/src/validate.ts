// Request validation with zod schemas: `parseBody(ctx, schema)` gives the typed,
// parsed body, or throws a 400 that names the first field that does not fit
// (`{error: "total must be greater than 0", field: "total"}`). Schemas are strict:
// a field the schema does not know is a 400 too.
import type { Context } from "koa";
import { z } from "zod";
import { badRequest } from "./errors.js";

/** `value` parsed by `schema`, or a 400 naming the first field that does not fit. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { error: messageFor });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  if (path.length === 0) throw badRequest("request body must be a JSON object");
  const field = path.join(".");
  throw badRequest(`${field} ${issue.message}`, field);
}

/** The request's JSON body parsed by `schema`, or a 400 naming the first field that does not fit. */
export function parseBody<S extends z.ZodType>(ctx: Context, schema: S): z.output<S> {
  return parse(schema, (ctx.request as { body?: unknown }).body);
}

// Messages for what every schema can meet; the schemas below give their own for their limits.
function messageFor(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "unrecognized_keys") return "is not a known field";
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return "is required";
    return issue.expected === "object" ? "must be a JSON object" : `must be a ${issue.expected}`;
  }
  return undefined;
}

export type Body = Record<string, unknown>;

/** The parsed JSON body of a request, which must be an object (without a schema: prefer parseBody). */
export function jsonBody(ctx: Context): Body {
  return parse(z.record(z.string(), z.unknown()), (ctx.request as { body?: unknown }).body);
}
