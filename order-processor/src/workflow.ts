// The order workflow: the business process, step by step, as in docs/workflow.md. It only
// decides; every side effect is an activity (activities.ts), which OrderSaga
// (saga.ts) calls: it runs the steps, registers each one's undo before it runs,
// retries, undoes, and publishes what the order says (numbered in order, none lost).
// No clock, random or I/O here: the workflow is replayed from its history and must
// decide the same way each time. Its settings come with its input (OrderPolicy).
//
// Below the approval threshold nothing waits between the steps: one activity
// reserves, pays and ships. At or above it, two: reserve; then, once approved, pay
// and ship. Any unsuccessful end after a step was tried undoes, newest first, what
// was tried (cancel the shipment, refund, release), each undo until it is done.
import type { WorkflowContext } from "@dapr/dapr";
import { approvalEvent, awaitingApprovalStatus, ShippingFailed, type Approval, type ForwardStep, type OrderInput, type OrderResult } from "./model.js";
import { notes, outcomeNotes } from "./notes.js";
import { OrderSaga, type Steps } from "./saga.js";

export { retryDelaySeconds } from "./saga.js";

export async function* orderProcessingWorkflow(ctx: WorkflowContext, input: OrderInput): Steps<OrderResult> {
  const { order, policy } = input;
  const saga = new OrderSaga(ctx, input);
  // Each step's undo (notes.ts, undoOf): reserve -> release, pay -> refund, ship -> cancel the shipment.
  const payAndShip: ForwardStep[] = ["processPayment", "shipOrder"];
  const needsApproval = order.total >= policy.approvalThreshold;

  saga.say(notes.placed(order));
  let failure = yield* saga.run(needsApproval ? ["reserveInventory"] : ["reserveInventory", ...payAndShip]);

  if (failure === undefined && needsApproval) {
    const deadline = new Date(ctx.getCurrentUtcDateTime().getTime() + policy.approvalTimeoutSeconds * 1000);
    // The status goes with this turn's actions, before the notification is published:
    // whoever reads the notification finds the order taking a decision.
    ctx.setCustomStatus(awaitingApprovalStatus);
    saga.say(notes.awaitingApproval(order, policy.approvalThreshold, deadline.toISOString()));
    yield* saga.publish();
    const approval = ctx.waitForExternalEvent(approvalEvent);
    const first = yield ctx.whenAny([approval, ctx.createTimer(deadline)]);
    ctx.setCustomStatus("");
    const decision = first === approval ? (approval.getResult() as Approval) : undefined; // undefined: the deadline passed
    const said = decision === undefined ? notes.expired() : decision.approved ? notes.approved(decision.approver) : notes.rejected(decision.approver);
    saga.say(said);
    if (!decision?.approved) return yield* saga.giveUp(said.message);
    failure = yield* saga.run(payAndShip);
  }

  if (failure === undefined) return yield* saga.end({ id: order.id, success: true, message: "Order processed" });
  // The order ends with what the failed step's notification said ("Payment failed: ...").
  const ending = yield* saga.giveUp(outcomeNotes(failure.step, order, failure.answer)[0]!.message);
  if (failure.step === "shipOrder") throw new ShippingFailed(failure.answer.message); // the workflow fails, with the original error (docs/spec.md)
  return ending;
}
