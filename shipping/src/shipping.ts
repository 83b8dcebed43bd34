// A simulated shipping provider. It schedules one shipment per order and fails for
// customers no courier delivers to. Its records live in a Dapr state store, one per
// order ("shipment-<order id>"), written by compare-and-set: asking again gives the
// first answer, across restarts and replicas.
//
// A cancel undoes an order's shipment once. For an order with no shipment it
// writes a "cancelled" record: a ship call that arrives afterwards (a slow first
// call, after the workflow gave up on it) is refused and ships nothing.
//
// Each record carries an append-only ledger, `effects`: {kind: "ship"} when a
// shipment is scheduled, {kind: "cancel"} when one is cancelled, appended in the
// same compare-and-set that changes the status, so an audit can count them.
//
// Every write gives the record its time to live again (recordTtlSeconds): it expires
// that long after the order's last change to it (service-kit's config.ts says why
// that outlives every retry of the order).
//
// The decision is the pure function below; the Shipping class only reads, decides
// and writes.
import { compareAndSet, PerKeyQueue, type Decision, type RetryOptions, type StateStore } from "@dapr-orders/service-kit";

export interface ShipmentRequest {
  id: string;
  customer: string;
  item: string;
}

export interface ShipmentResult {
  id: string;
  success: boolean;
  message: string;
}

export interface CancelResult extends ShipmentResult {
  /** Whether a shipment of the order was cancelled (by this call or an earlier one): false when there was none to cancel. */
  undone: boolean;
}

export interface ShipmentEffect {
  kind: "ship" | "cancel";
}

/**
 * A shipment as stored; `message` is the ship call's answer, given again when asked
 * again. A "cancelled" record of an order never shipped may lack customer and item.
 */
export interface ShipmentRecord {
  id: string;
  status: "scheduled" | "failed" | "cancelled";
  customer?: string;
  item?: string;
  message: string;
  /** Every shipment and cancellation, oldest first (missing on records of an older shape: none). */
  effects?: ShipmentEffect[];
}

/** What GET /api/v1/shipments/:id shows. */
export type ShipmentView = ShipmentRecord & { effects: ShipmentEffect[] };

/** What a cancel knows of the order: its id, and what the body said of it. */
export interface CancelRequest {
  id: string;
  customer?: string;
  item?: string;
}

const cancelledMessage = "Shipment cancelled: nothing ships";

export function decideShipment(
  record: ShipmentRecord | undefined,
  request: ShipmentRequest,
  blocked: ReadonlySet<string>,
): Decision<ShipmentRecord, ShipmentResult> {
  const { id, customer, item } = request;
  if (record?.status === "cancelled") return { answer: { id, success: false, message: cancelledMessage } };
  if (record !== undefined) return { answer: { id, success: record.status === "scheduled", message: record.message } };
  const failed = blocked.has(customer.toLowerCase());
  const message = failed ? `No courier delivers to ${customer}` : `Shipment of ${item} to ${customer} scheduled`;
  return {
    write: { id, status: failed ? "failed" : "scheduled", customer, item, message, effects: failed ? [] : [{ kind: "ship" }] },
    answer: { id, success: !failed, message },
  };
}

export function decideCancel(record: ShipmentRecord | undefined, request: CancelRequest): Decision<ShipmentRecord, CancelResult> {
  const { id } = request;
  switch (record?.status) {
    case undefined: {
      const { customer, item } = request;
      return {
        write: { id, status: "cancelled", ...(customer === undefined ? {} : { customer }), ...(item === undefined ? {} : { item }), message: cancelledMessage, effects: [] },
        answer: { id, success: true, message: "Nothing to cancel: no shipment for this order, and none will be made", undone: false },
      };
    }
    case "scheduled":
      return {
        write: { ...record, status: "cancelled", effects: [...(record.effects ?? []), { kind: "cancel" }] },
        answer: { id, success: true, message: `Shipment of ${record.item} to ${record.customer} cancelled`, undone: true },
      };
    case "failed":
      return { answer: { id, success: true, message: "Nothing to cancel: the shipment failed", undone: false } };
    case "cancelled":
      return { answer: { id, success: true, message: "Already cancelled", undone: (record.effects ?? []).some((e) => e.kind === "cancel") } };
  }
}

export interface ShippingOptions extends RetryOptions {
  /** Customers no courier delivers to, in any case. */
  blockedCustomers: string[];
  /** Each record expires this long after its last write; undefined: kept for good. */
  recordTtlSeconds?: number | undefined;
}

const shipmentKey = (id: string) => `shipment-${id}`;

export class Shipping {
  private readonly blocked: Set<string>;
  // Calls for one order run one after another in this process; across replicas the
  // compare-and-set of the write is what keeps one shipment per order.
  private readonly queue = new PerKeyQueue();

  constructor(
    private readonly store: StateStore,
    private readonly options: ShippingOptions,
  ) {
    this.blocked = new Set(options.blockedCustomers.map((c) => c.toLowerCase()));
  }

  private get writes() {
    return { ...this.options, ttlSeconds: this.options.recordTtlSeconds };
  }

  /** Schedules the order's shipment once: asking again gives the first answer. */
  schedule(request: ShipmentRequest): Promise<ShipmentResult> {
    const key = shipmentKey(request.id);
    return this.queue.run(key, () =>
      compareAndSet<ShipmentRecord, ShipmentResult>(this.store, key, (record) => decideShipment(record, request, this.blocked), this.writes),
    );
  }

  /** Cancels the order's shipment once; for an order with no shipment, makes sure none comes later. */
  cancel(request: CancelRequest): Promise<CancelResult> {
    const key = shipmentKey(request.id);
    return this.queue.run(key, () => compareAndSet<ShipmentRecord, CancelResult>(this.store, key, (record) => decideCancel(record, request), this.writes));
  }

  async find(id: string): Promise<ShipmentView | undefined> {
    const { value } = await this.store.get<ShipmentRecord>(shipmentKey(id));
    return value === undefined ? undefined : { ...value, effects: value.effects ?? [] };
  }
}
