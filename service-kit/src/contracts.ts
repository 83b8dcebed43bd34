// The messages between the apps, each one zod schema from which its TypeScript type
// comes, and with which its receiver checks what it gets:
// - the step request: the order (orderSchema, schemas.ts), which order-processor sends
//   to inventory, payments and shipping, and which they check;
// - the step answer {id, success, message}, and the undo answer, which adds `undone`
//   (below): order-processor checks each answer it gets;
// - the notification (notification.ts), which notifications checks.
//
// Asked twice, an app answers the same: the workflow's activities run at least once,
// so a step may be asked again for the same order (a retry after a lost answer, a
// replay after a crash). Reserve, pay and ship take effect once per order id and
// answer a repeat as they answered the first time; release, refund and cancel undo
// once, and their `undone` says whether the order's effect was put back, by this call
// or an earlier one (so a repeat answers as the first call did): false for an order
// with nothing to undo. A cancel for an order that has no shipment leaves a mark that refuses a
// later ship call for it, so a ship call that arrives after its cancel ships nothing.
import { z } from "zod";
import { envNumber } from "./config.js";

/** What inventory, payments and shipping answer a step (reserve, pay, ship); also what the workflow ends with. */
export const stepAnswerSchema = z.object({
  /** The order's id, as asked. */
  id: z.string(),
  /** Whether the step was done: false for a real no (out of stock, declined, no courier). */
  success: z.boolean(),
  message: z.string(),
});

export type StepAnswer = z.infer<typeof stepAnswerSchema>;

/** What they answer an undo (release, refund, cancel shipment). */
export const undoAnswerSchema = stepAnswerSchema.extend({
  /** Whether the order's effect is undone (the unit or the money put back, the shipment cancelled), by this call or an earlier one: false when there was nothing to undo. */
  undone: z.boolean(),
});

export type UndoAnswer = z.infer<typeof undoAnswerSchema>;

/**
 * The waits of the order workflow that other apps must outlast: read by
 * order-processor, which waits, and by notifications, whose memory of an order's
 * notifications (to ignore repeats) must last longer than the workflow can still
 * publish one of them again. One reading, with one set of defaults.
 */
export function workflowWaits(env = process.env) {
  return {
    /** APPROVAL_TIMEOUT_SECONDS: how long an order waits for a person's approval [24 h]. */
    approvalTimeoutSeconds: envNumber("APPROVAL_TIMEOUT_SECONDS", 24 * 60 * 60, env),
    /** STEP_RETRY_MAX_DELAY_SECONDS: the longest wait between two tries of a step [60]. */
    maxRetryDelaySeconds: envNumber("STEP_RETRY_MAX_DELAY_SECONDS", 60, env),
  };
}

export type WorkflowWaits = ReturnType<typeof workflowWaits>;

/**
 * The longest an order's workflow can be quiet between publishing a notification and
 * publishing it again (an activity run again after its answer was lost): a wait for
 * approval, then a retry's delay. A memory of kept notifications shorter than this
 * could let a repeat through.
 */
export const longestWaitSeconds = (waits: WorkflowWaits) => waits.approvalTimeoutSeconds + waits.maxRetryDelaySeconds;
