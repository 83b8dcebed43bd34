import { expect } from "chai";
import { HttpError, maxOrderTotal, notificationTypes } from "@dapr-orders/service-kit";
import { parseNotification } from "../src/notification.js";

const valid = {
  order_id: "4f6c1d2e-0000-4000-8000-000000000001",
  seq: 1,
  type: "placed",
  message: "Processing order for joni. Item: kiwi, Total: 121.5",
  order: { customer: "joni", item: "kiwi", total: 121.5 },
};

/** The field that the 400 for `data` names. */
function refusedField(data: unknown): string {
  try {
    parseNotification(data);
  } catch (err) {
    if (err instanceof HttpError && err.status === 400) return String(err.details.field);
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(data)}`);
}

describe("notification format", () => {
  it("takes a notification of the contract's format as it is", () => {
    expect(parseNotification(valid)).to.deep.equal(valid);
    const waiting = { ...valid, seq: 3, type: "awaitingApproval", message: "Waiting for approval: …", deadline: "2025-05-02T10:00:00.000Z" };
    expect(parseNotification(waiting)).to.deep.equal(waiting);
    const approved = { ...valid, seq: 4, type: "approved", message: "Order was approved by kendall.", approver: "kendall" };
    expect(parseNotification(approved)).to.deep.equal(approved);
  });

  it("keeps only the contract's fields, and any text as it is", () => {
    const message = "  <b>Processing</b> order  ";
    expect(parseNotification({ ...valid, message, extra: 1 })).to.deep.equal({ ...valid, message });
  });

  it("knows every type of the contract", () => {
    expect(notificationTypes).to.have.length(15);
    for (const type of notificationTypes) {
      const extra = type === "awaitingApproval" ? { deadline: "2025-05-02T10:00:00Z" } : type === "approved" || type === "rejected" ? { approver: "kendall" } : {};
      expect(parseNotification({ ...valid, type, ...extra }).type).to.equal(type);
    }
  });

  const refused: [string, unknown, string][] = [
    ["not an object", [valid], "notification"],
    ["no order_id", { ...valid, order_id: undefined }, "order_id"],
    ["an empty order_id", { ...valid, order_id: " " }, "order_id"],
    ["no seq", { ...valid, seq: undefined }, "seq"],
    ["seq 0", { ...valid, seq: 0 }, "seq"],
    ["a fractional seq", { ...valid, seq: 1.5 }, "seq"],
    ["seq as text", { ...valid, seq: "1" }, "seq"],
    ["no type", { ...valid, type: undefined }, "type"],
    ["an unknown type", { ...valid, type: "other" }, "type"],
    ["no message", { ...valid, message: undefined }, "message"],
    ["a message that is not text", { ...valid, message: 7 }, "message"],
    ["no order", { ...valid, order: undefined }, "order"],
    ["an order without customer", { ...valid, order: { ...valid.order, customer: "" } }, "order.customer"],
    ["an order without item", { ...valid, order: { ...valid.order, item: undefined } }, "order.item"],
    ["a total that is not a number", { ...valid, order: { ...valid.order, total: "12" } }, "order.total"],
    ["a total of 0", { ...valid, order: { ...valid.order, total: 0 } }, "order.total"],
    ["a total over what an order may have (the order's own limit)", { ...valid, order: { ...valid.order, total: maxOrderTotal + 1 } }, "order.total"],
    ["awaitingApproval without deadline", { ...valid, type: "awaitingApproval" }, "deadline"],
    ["a deadline that is not ISO 8601", { ...valid, type: "awaitingApproval", deadline: "tomorrow" }, "deadline"],
    ["an impossible deadline", { ...valid, type: "awaitingApproval", deadline: "2025-13-40T10:00:00Z" }, "deadline"],
    ["approved without approver", { ...valid, type: "approved" }, "approver"],
    ["rejected with an empty approver", { ...valid, type: "rejected", approver: "" }, "approver"],
    ["an approver that is not text", { ...valid, approver: 3 }, "approver"],
  ];
  for (const [what, data, field] of refused) {
    it(`refuses ${what}, naming ${field}`, () => {
      expect(refusedField(data)).to.equal(field);
    });
  }
});
