// The dashboard's API as an OpenAPI document (GET /openapi.json), from the schemas
// that check its requests (api.ts, operator.ts).
import { errorBody, openApiDocument, orderId, z, type Operations } from "@dapr-orders/service-kit";
import { decision, newOrder, nothing } from "./api.js";
import { login, sessionCookie } from "./operator.js";

const refusal = (description: string) => ({ description, schema: errorBody });
const retryLater = (description: string) => ({ ...refusal(description), headers: { "Retry-After": "seconds to wait" } });
// Inventory's items: a name and a quantity at least.
const items = z.object({ items: z.array(z.looseObject({ name: z.string(), quantity: z.number() })) });
const operatorOnly = ["operatorSession", "operatorToken"];
const notOperator = refusal("not signed in as the operator, and no right Authorization: Bearer <operator token>");
const tooManyTokens = retryLater("too many wrong operator tokens from this address");
const failed = refusal("the app this goes to failed or could not be reached");

export const dashboardOperations: Operations = {
  "/api/tracing": {
    get: { summary: "Where the page links an order's trace", responses: { 200: { description: "the Zipkin UI's address, or null", schema: z.object({ zipkin_url: z.string().nullable() }) } } },
  },
  "/api/orders": {
    post: {
      summary: "Place an order (passed on to order-processor)",
      body: newOrder,
      headers: { "Idempotency-Key": z.string().max(200) },
      responses: {
        202: { description: "the order's workflow started", schema: z.object({ instance_id: orderId }), links: { approveOrder: { id: "$response.body#/instance_id" } } },
        409: refusal("this Idempotency-Key was used for another order"),
        429: retryLater("too many orders from this address in this window"),
        502: failed,
        503: retryLater("order-processor cannot take the order now"),
      },
    },
  },
  "/api/orders/{id}/approve": {
    post: {
      operationId: "approveOrder",
      summary: "Approve or reject an order waiting for approval, as the signed-in operator",
      path: { id: z.string() },
      body: decision,
      security: operatorOnly,
      responses: {
        200: { description: "the decision was passed on", schema: z.object({ id: z.string(), approver: z.string(), approved: z.boolean() }) },
        401: notOperator,
        404: refusal("no such order"),
        409: refusal("the order is not waiting for approval"),
        429: tooManyTokens,
        502: failed,
      },
    },
  },
  "/api/inventory": {
    get: { summary: "The stock", responses: { 200: { description: "each item's quantity", schema: items }, 502: failed } },
    delete: {
      summary: "Clear the stock",
      security: operatorOnly,
      responses: { 200: { description: "cleared", schema: items }, 401: notOperator, 429: tooManyTokens, 502: failed },
    },
  },
  "/api/inventory/restock": {
    post: {
      summary: "Restock every item",
      body: nothing,
      security: operatorOnly,
      responses: { 200: { description: "the stock after", schema: items }, 401: notOperator, 429: tooManyTokens, 502: failed },
    },
  },
  "/api/session": {
    post: {
      summary: "Sign in as the operator: sets the session cookie",
      body: login,
      responses: { 200: { description: "signed in", schema: z.object({ operator: z.string() }) }, 401: refusal("the operator token is wrong"), 429: tooManyTokens },
    },
    get: { summary: "Who is signed in", responses: { 200: { description: "the operator's name, or null", schema: z.object({ operator: z.string().nullable() }) } } },
    delete: { summary: "Sign out", responses: { 200: { description: "signed out", schema: z.object({ operator: z.null() }) } } },
  },
  "/healthz": { get: { summary: "Whether the app answers", responses: { 200: { description: "it does", schema: z.object({ status: z.literal("ok") }) } } } },
};

export const dashboardApi = openApiDocument(
  { title: "notifications (the dashboard)", version: "1.0.0", description: "The dashboard's actions: place orders, read the stock, and as the operator approve, reject, restock and clear" },
  dashboardOperations,
  {
    operatorSession: { type: "apiKey", in: "cookie", name: sessionCookie, description: "the session cookie POST /api/session sets (__Host-operator_session with SECURE_COOKIE)" },
    operatorToken: { type: "http", scheme: "bearer", description: "the operator token itself (OPERATOR_TOKEN)" },
  },
);
