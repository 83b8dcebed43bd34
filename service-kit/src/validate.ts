// Request body validation: each check returns the typed value or throws a 400
// that names the field, so a route reads `const total = positiveNumber(body, "total")`.
import type { Context } from "koa";
import { badRequest } from "./errors.js";

export type Body = Record<string, unknown>;

/** The parsed JSON body of a request, which must be an object. */
export function jsonBody(ctx: Context): Body {
  return jsonObject((ctx.request as { body?: unknown }).body);
}

export function jsonObject(body: unknown): Body {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("request body must be a JSON object");
  }
  return body as Body;
}

export function nonEmptyString(body: Body, field: string): string {
  const value = body[field];
  if (value === undefined) throw badRequest(`${field} is required`, field);
  if (typeof value !== "string" || value.trim() === "") {
    throw badRequest(`${field} must be a non-empty string`, field);
  }
  return value.trim();
}

export function positiveNumber(body: Body, field: string): number {
  const value = body[field];
  if (value === undefined) throw badRequest(`${field} is required`, field);
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw badRequest(`${field} must be a finite number greater than 0`, field);
  }
  return value;
}

export function boolean(body: Body, field: string): boolean {
  const value = body[field];
  if (value === undefined) throw badRequest(`${field} is required`, field);
  if (typeof value !== "boolean") throw badRequest(`${field} must be true or false`, field);
  return value;
}
