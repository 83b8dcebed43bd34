// An OpenAPI 3.1 document built from the zod schemas that validate the requests
// (and describe the answers): what a route says it takes is what it checks. Each
// service lists its routes as `Operations`; openApiDocument() turns them into the
// document it serves at GET /openapi.json (serveOpenApi).
import type Router from "@koa/router";
import { z } from "zod";

type Method = "get" | "post" | "put" | "patch" | "delete";

export interface Answer {
  description: string;
  /** The JSON body's schema; none: no body described. */
  schema?: z.ZodType;
  /** application/json when a schema is given, unless said otherwise. */
  contentType?: string;
  /** Response headers by name, each a string. */
  headers?: Record<string, string>;
  /** OpenAPI links: operations (by operationId) that take a value of this answer, e.g. { getOrder: { id: "$response.body#/instance_id" } }. */
  links?: Record<string, Record<string, string>>;
}

export interface Operation {
  /** A name for links to refer to. */
  operationId?: string;
  summary: string;
  /** The JSON body it takes. */
  body?: z.ZodType;
  /** Path parameters (the `{name}` parts of the path), each a string schema. */
  path?: Record<string, z.ZodType>;
  /** Request headers it reads, each an optional string schema. */
  headers?: Record<string, z.ZodType>;
  /** Names of the security schemes (any one of them) it requires. */
  security?: string[];
  responses: Record<number, Answer>;
}

export type Operations = Record<string, Partial<Record<Method, Operation>>>;

export interface SecurityScheme {
  type: "http" | "apiKey";
  scheme?: string;
  in?: "header" | "cookie";
  name?: string;
  description: string;
}

/** The schema as JSON Schema (2020-12, which OpenAPI 3.1 uses), without its $schema. */
function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** The error body every route answers a refusal with (createApp's errors). */
export const errorBody = z.looseObject({ error: z.string(), field: z.string().optional() });

export function openApiDocument(info: { title: string; version: string; description: string }, operations: Operations, securitySchemes: Record<string, SecurityScheme> = {}): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(operations)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      paths[path]![method] = {
        ...(op.operationId === undefined ? {} : { operationId: op.operationId }),
        summary: op.summary,
        parameters: [
          ...Object.entries(op.path ?? {}).map(([name, schema]) => ({ name, in: "path", required: true, schema: jsonSchema(schema, "input") })),
          ...Object.entries(op.headers ?? {}).map(([name, schema]) => ({ name, in: "header", required: false, schema: jsonSchema(schema, "input") })),
        ],
        ...(op.body === undefined ? {} : { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body, "input") } } } }),
        ...(op.security === undefined ? {} : { security: op.security.map((name) => ({ [name]: [] })) }),
        responses: Object.fromEntries(
          Object.entries(withCommonAnswers(op)).map(([status, answer]) => [
            status,
            {
              description: answer.description,
              ...(answer.links === undefined
                ? {}
                : { links: Object.fromEntries(Object.entries(answer.links).map(([operationId, parameters]) => [operationId, { operationId, parameters }])) }),
              ...(answer.headers === undefined
                ? {}
                : { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) }),
              ...(answer.schema === undefined && answer.contentType === undefined
                ? {}
                : { content: { [answer.contentType ?? "application/json"]: { schema: answer.schema === undefined ? {} : jsonSchema(answer.schema, "output") } } }),
            },
          ]),
        ),
      };
    }
  }
  return { openapi: "3.1.0", info, paths, components: { securitySchemes } };
}

/**
 * What createApp answers for any route: 400 (a Host it does not serve, or a body that
 * is not valid JSON), and for a route that takes a body, 413 and 415.
 */
function withCommonAnswers(op: Operation): Record<number, Answer> {
  const refused = (description: string): Answer => ({ description, schema: errorBody });
  const common: Record<number, Answer> = { 400: refused("the request does not fit: the error says why (and names the field)") };
  if (op.body !== undefined) {
    common[413] = refused("the body is too large");
    common[415] = refused("the body is not application/json");
  }
  return { ...common, ...op.responses };
}

/** GET /openapi.json: the document. */
export function serveOpenApi(router: Router, document: object): void {
  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });
}
