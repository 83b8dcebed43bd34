// A simulated payment provider. It charges each order at most once (asking again
// returns the first answer), declines totals over the card limit, and refunds.
// Records live in memory: a restart forgets them (a real provider would not).

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

interface PaymentRecord {
  request: PaymentRequest;
  result: PaymentResult;
  refunded: boolean;
}

export class Payments {
  private readonly records = new Map<string, PaymentRecord>();

  constructor(private readonly cardLimit: number) {}

  charge(request: PaymentRequest): PaymentResult {
    const known = this.records.get(request.id);
    if (known !== undefined) return known.result;
    const result =
      request.total > this.cardLimit
        ? { id: request.id, success: false, message: `Payment declined: ${request.total} is over the card limit of ${this.cardLimit}` }
        : { id: request.id, success: true, message: `Charged ${request.total} to ${request.customer}` };
    this.records.set(request.id, { request, result, refunded: false });
    return result;
  }

  /** Refunds a successful payment once; undefined when there is no payment for the order. */
  refund(id: string): PaymentResult | undefined {
    const record = this.records.get(id);
    if (record === undefined) return undefined;
    if (!record.result.success) return { id, success: false, message: "Nothing to refund: the payment was declined" };
    if (record.refunded) return { id, success: true, message: "Already refunded" };
    record.refunded = true;
    return { id, success: true, message: `Refunded ${record.request.total} to ${record.request.customer}` };
  }
}
