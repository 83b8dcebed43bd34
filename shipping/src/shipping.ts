// A simulated shipping provider. It schedules one shipment per order (asking again
// returns the first answer) and fails for customers no courier delivers to.
// Records live in memory: a restart forgets them.

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

export class Shipping {
  private readonly shipments = new Map<string, ShipmentResult>();
  private readonly blocked: Set<string>;

  constructor(blockedCustomers: string[]) {
    this.blocked = new Set(blockedCustomers.map((c) => c.toLowerCase()));
  }

  schedule(request: ShipmentRequest): ShipmentResult {
    const known = this.shipments.get(request.id);
    if (known !== undefined) return known;
    const result = this.blocked.has(request.customer.toLowerCase())
      ? { id: request.id, success: false, message: `No courier delivers to ${request.customer}` }
      : { id: request.id, success: true, message: `Shipment of ${request.item} to ${request.customer} scheduled` };
    this.shipments.set(request.id, result);
    return result;
  }
}
