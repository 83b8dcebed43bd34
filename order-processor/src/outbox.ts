// An order's notifications on their way out. They are numbered 1, 2, 3... in the order
// the order says them (seq), and held until they are published. An outbox is plain
// data: the workflow keeps one, hands it to each activity with its input, and takes
// back the one the activity answers with. The activity adds what its steps say and
// publishes all that it holds as one message; a message that could not be published
// stays held and goes out with the next one. So an order's notifications are
// published in seq order, each at least once, none dropped, and a notification
// published again is the same one (its order_id and seq, its content).
//
// Pure and deterministic: the workflow uses it.
import type { Note, Notification, Order } from "./model.js";

export interface Outbox {
  /** The seq of the next notification the order says. */
  nextSeq: number;
  /** Said and not published yet, by seq. */
  held: Notification[];
}

/** The outbox of an order that has said nothing yet. */
export const emptyOutbox: Outbox = { nextSeq: 1, held: [] };

/** The outbox with `notes` numbered on from its next seq, and held. */
export function withNotes(outbox: Outbox, order: Order, notes: Note[]): Outbox {
  const { customer, item, total } = order;
  const said = notes.map((note, i) => ({ order_id: order.id, seq: outbox.nextSeq + i, ...note, order: { customer, item, total } }));
  return { nextSeq: outbox.nextSeq + notes.length, held: [...outbox.held, ...said] };
}

/** The outbox once what it held is published. */
export const emptied = (outbox: Outbox): Outbox => ({ nextSeq: outbox.nextSeq, held: [] });
