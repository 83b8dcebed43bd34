// A simulated shipping provider. It schedules one shipment per order and fails for
// customers no courier delivers to. Its records live in a Dapr state store, one per
// order ("shipment-<order id>"), written by compare-and-set: asking again gives the
// first answer, across restarts and replicas.
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

/** A shipment as stored; `message` is the answer, given again when asked again. */
export interface ShipmentRecord {
  id: string;
  status: "scheduled" | "failed";
  customer: string;
  item: string;
  message: string;
}

export function decideShipment(
  record: ShipmentRecord | undefined,
  request: ShipmentRequest,
  blocked: ReadonlySet<string>,
): Decision<ShipmentRecord, ShipmentResult> {
  const { id, customer, item } = request;
  if (record !== undefined) return { answer: { id, success: record.status === "scheduled", message: record.message } };
  const failed = blocked.has(customer.toLowerCase());
  const message = failed ? `No courier delivers to ${customer}` : `Shipment of ${item} to ${customer} scheduled`;
  return {
    write: { id, status: failed ? "failed" : "scheduled", customer, item, message },
    answer: { id, success: !failed, message },
  };
}

export interface ShippingOptions extends RetryOptions {
  /** Customers no courier delivers to, in any case. */
  blockedCustomers: string[];
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

  /** Schedules the order's shipment once: asking again gives the first answer. */
  schedule(request: ShipmentRequest): Promise<ShipmentResult> {
    const key = shipmentKey(request.id);
    return this.queue.run(key, () =>
      compareAndSet<ShipmentRecord, ShipmentResult>(this.store, key, (record) => decideShipment(record, request, this.blocked), this.options),
    );
  }

  async find(id: string): Promise<ShipmentRecord | undefined> {
    return (await this.store.get<ShipmentRecord>(shipmentKey(id))).value;
  }
}
