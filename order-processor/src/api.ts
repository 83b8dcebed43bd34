// order-processor's HTTP API: place an order (starts its workflow), read its
// status, approve or reject it.
import { randomUUID } from "node:crypto";
import {
  boolean,
  conflict,
  jsonBody,
  nonEmptyString,
  notFound,
  positiveNumber,
  Router,
} from "@dapr-orders/service-kit";
import type { Order } from "./model.js";
import type { OrderWorkflows } from "./orders.js";

/** Statuses in which an order can still take its approval event. */
const waiting = new Set(["PENDING", "RUNNING", "SUSPENDED"]);

export function orderRoutes(workflows: OrderWorkflows): Router {
  const router = new Router({ prefix: "/orders" });

  router.post("/", async (ctx) => {
    const body = jsonBody(ctx);
    const order: Order = {
      id: randomUUID(),
      customer: nonEmptyString(body, "customer"),
      item: nonEmptyString(body, "item"),
      total: positiveNumber(body, "total"),
    };
    ctx.state.logFields = { order_id: order.id };
    await workflows.start(order);
    ctx.status = 202;
    ctx.set("Location", `/orders/${order.id}`);
    ctx.body = { instance_id: order.id };
  });

  router.get("/:id", async (ctx) => {
    ctx.state.logFields = { order_id: ctx.params.id };
    const view = await workflows.get(ctx.params.id);
    if (view === undefined) throw notFound(`no order ${ctx.params.id}`);
    ctx.body = view;
  });

  router.post("/:id/approve", async (ctx) => {
    const id = ctx.params.id;
    ctx.state.logFields = { order_id: id };
    const body = jsonBody(ctx);
    const approval = { approver: nonEmptyString(body, "approver"), approved: boolean(body, "approved") };
    const view = await workflows.get(id);
    if (view === undefined) throw notFound(`no order ${id}`);
    if (!waiting.has(view.status)) throw conflict(`order ${id} is ${view.status}: it no longer takes an approval`);
    await workflows.approve(id, approval);
    ctx.body = { id, ...approval };
  });

  return router;
}
