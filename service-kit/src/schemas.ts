// The fields of an order as every service reads them, with their limits: one
// definition, so an order that order-processor accepts is one that inventory,
// payments and shipping accept too.
import { z } from "zod";

/** The largest total an order may have. */
export const maxOrderTotal = 1_000_000;

/**
 * An order id: a UUID as order-processor makes them (random, or derived from an
 * Idempotency-Key: 32 lower-case hex digits in groups of 8-4-4-4-12).
 */
export const orderIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A trimmed, non-empty string of at most `max` characters. */
export const trimmedText = (max: number) =>
  z.string().trim().min(1, "must be a non-empty string").max(max, `must be at most ${max} characters`);

export const orderId = z.string().regex(orderIdPattern, "must be an order id (a UUID such as 3f0c1a52-8b7e-4d3a-9c61-0e5b2f4a7d19)");

export const customerName = trimmedText(100);

export const itemName = z.string().regex(/^[a-z0-9-]{1,40}$/, "must be 1 to 40 characters of a-z, 0-9 and -");

export const orderTotal = z
  .number()
  .positive("must be a finite number greater than 0")
  .max(maxOrderTotal, `must be at most ${maxOrderTotal}`);

export const approverName = trimmedText(100);

/** An order as order-processor sends it to inventory, payments and shipping: the request of every step and undo. */
export const orderSchema = z.strictObject({
  id: orderId,
  customer: customerName,
  item: itemName,
  total: orderTotal,
});

export type OrderRequest = z.infer<typeof orderSchema>;

/** Whether `id` is an order id. An id in a path that is not one names no order: a 404, as for any unknown order. */
export const isOrderId = (id: string) => orderIdPattern.test(id);
