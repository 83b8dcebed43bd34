// A simulated payment provider. It charges each order at most once, declines totals
// over the card limit, and refunds. Its records live in a Dapr state store, one per
// order ("payment-<order id>"), so a repeated charge or refund is recognised across
// restarts, and every write is a compare-and-set of that one record: two replicas
// answering the same order at once cannot both charge it (the second write is
// refused and that call reads the record again and answers from it).
//
// A refund of an order with no payment writes a "voided" record: a charge that
// arrives afterwards (a slow first call, after the workflow gave up on it) is
// refused and charges nothing.
//
// Each record carries an append-only ledger, `effects`: a {kind: "charge", amount}
// or {kind: "refund", amount} for each movement of money, appended in the same
// compare-and-set that changes the status, so the ledger and the status never
// disagree and an audit can add up what happened (a double charge would show as
// two charges).
//
// The decisions are the pure functions below; the Payments class only reads,
// decides and writes.
import { compareAndSet, PerKeyQueue, type Decision, type RetryOptions, type StateStore } from "@dapr-orders/service-kit";

export type PaymentStatus = "charged" | "declined" | "refunded" | "voided";

export interface PaymentRequest {
  id: string;
  customer: string;
  total: number;
}

export interface PaymentResult {
  id: string;
  success: boolean;
  message: string;
}

export interface RefundResult extends PaymentResult {
  /** Whether the money is back with the customer (returned now or by an earlier call). */
  undone: boolean;
}

/** A movement of money for an order. */
export interface PaymentEffect {
  kind: "charge" | "refund";
  amount: number;
}

/** A payment as stored; `message` is the charge's answer, given again when asked again. */
export interface PaymentRecord {
  id: string;
  status: PaymentStatus;
  customer?: string;
  total?: number;
  message?: string;
  /** Every charge and refund, oldest first (missing on records of an older shape: none). */
  effects?: PaymentEffect[];
}

/** What GET /api/v1/payments/:id shows. */
export type PaymentView = Omit<PaymentRecord, "message"> & { effects: PaymentEffect[] };

/** The record's ledger with `effect` appended. */
const withEffect = (record: PaymentRecord | undefined, effect: PaymentEffect): PaymentEffect[] => [...(record?.effects ?? []), effect];

export function decideCharge(
  record: PaymentRecord | undefined,
  request: PaymentRequest,
  cardLimit: number,
): Decision<PaymentRecord, PaymentResult> {
  const { id, customer, total } = request;
  switch (record?.status) {
    case undefined: {
      const declined = total > cardLimit;
      const message = declined
        ? `Payment declined: ${total} is over the card limit of ${cardLimit}`
        : `Charged ${total} to ${customer}`;
      return {
        write: { id, status: declined ? "declined" : "charged", customer, total, message, effects: declined ? [] : withEffect(record, { kind: "charge", amount: total }) },
        answer: { id, success: !declined, message },
      };
    }
    case "charged":
    case "declined":
      return { answer: { id, success: record.status === "charged", message: record.message ?? record.status } };
    case "refunded":
      return { answer: { id, success: false, message: "Payment refunded: nothing charged" } };
    case "voided":
      return { answer: { id, success: false, message: "Payment voided: nothing charged" } };
  }
}

export function decideRefund(id: string, record: PaymentRecord | undefined): Decision<PaymentRecord, RefundResult> {
  switch (record?.status) {
    case undefined:
      return {
        write: { id, status: "voided", effects: [] },
        answer: { id, success: true, message: "Nothing to refund: no payment for this order", undone: false },
      };
    case "charged":
      return {
        write: { ...record, status: "refunded", effects: withEffect(record, { kind: "refund", amount: record.total ?? 0 }) },
        answer: { id, success: true, message: `Refunded ${record.total} to ${record.customer}`, undone: true },
      };
    case "refunded":
      return { answer: { id, success: true, message: "Already refunded", undone: true } };
    case "declined":
      return { answer: { id, success: true, message: "Nothing to refund: the payment was declined", undone: false } };
    case "voided":
      return { answer: { id, success: true, message: "Nothing to refund: no payment for this order", undone: false } };
  }
}

export interface PaymentsOptions extends RetryOptions {
  /** Payments of a total above this are declined. */
  cardLimit: number;
}

const paymentKey = (id: string) => `payment-${id}`;

export class Payments {
  // Calls for one order run one after another in this process; across replicas the
  // compare-and-set of each write is what keeps one charge per order.
  private readonly queue = new PerKeyQueue();

  constructor(
    private readonly store: StateStore,
    private readonly options: PaymentsOptions,
  ) {}

  /** Charges the order once: asking again gives the first answer. */
  charge(request: PaymentRequest): Promise<PaymentResult> {
    const key = paymentKey(request.id);
    return this.queue.run(key, () =>
      compareAndSet<PaymentRecord, PaymentResult>(this.store, key, (record) => decideCharge(record, request, this.options.cardLimit), this.options),
    );
  }

  /** Returns the order's money once; for an order with no payment, makes sure none comes later. */
  refund(id: string): Promise<RefundResult> {
    const key = paymentKey(id);
    return this.queue.run(key, () =>
      compareAndSet<PaymentRecord, RefundResult>(this.store, key, (record) => decideRefund(id, record), this.options),
    );
  }

  async find(id: string): Promise<PaymentView | undefined> {
    const { value } = await this.store.get<PaymentRecord>(paymentKey(id));
    if (value === undefined) return undefined;
    const { message: _message, ...view } = value;
    return { ...view, effects: value.effects ?? [] };
  }
}
