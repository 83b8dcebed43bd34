// The edge to Dapr Workflow for the HTTP API: start an order's workflow, read its
// state, raise its approval event. api.ts depends on the OrderWorkflows interface only.
import { WorkflowRuntimeStatus, type DaprWorkflowClient } from "@dapr/dapr";
import { withTraceparent, type Logger } from "@dapr-orders/service-kit";
import { approvalEvent, awaitingApprovalStatus, workflowName, type Approval, type Order, type OrderInput, type OrderResult } from "./model.js";

/** GET /orders/:id answers with this. */
export interface OrderView {
  id: string;
  details: Order;
  /** The workflow's runtime status by name: "RUNNING", "COMPLETED", "FAILED"... */
  status: string;
  /** True while the order waits for a person's approval (only then does it take one). */
  awaiting_approval: boolean;
  created_time: string;
  last_updated_time: string;
  order_result?: OrderResult;
  failure_details?: { message: string; error_type: string };
}

export interface OrderWorkflows {
  /** Starts the order's workflow; throws WorkflowExists if one with its id exists. */
  start(input: OrderInput): Promise<void>;
  get(id: string): Promise<OrderView | undefined>;
  approve(id: string, approval: Approval): Promise<void>;
}

export class WorkflowExists extends Error {
  constructor(id: string) {
    super(`a workflow with id ${id} exists`);
    this.name = "WorkflowExists";
  }
}

/** What toOrderView reads of the SDK's WorkflowState. */
export interface WorkflowStateLike {
  instanceId: string;
  runtimeStatus: WorkflowRuntimeStatus;
  createdAt: Date;
  lastUpdatedAt: Date;
  serializedInput?: string;
  serializedOutput?: string;
  customStatus?: string;
  workflowFailureDetails?: { getErrorMessage(): string; getErrorType(): string };
}

type FailureDetails = NonNullable<WorkflowStateLike["workflowFailureDetails"]>;

/** What a client sees of a failure it may not see the text of. */
export const withheldFailureMessage = "the order failed: its details are in order-processor's log";

/**
 * Whether a failure's text may be shown: only a plain Error, which is what the
 * workflow throws on purpose (a failed shipment, with shipping's answer). Any other
 * type comes from the workflow runtime or a bug, and may carry internal details.
 */
export function isPublicFailure(failure: FailureDetails): boolean {
  return failure.getErrorType() === "Error";
}

export function toOrderView(state: WorkflowStateLike): OrderView {
  const failure = state.workflowFailureDetails;
  const input = JSON.parse(state.serializedInput ?? "null") as OrderInput | null;
  return {
    id: state.instanceId,
    details: input?.order as Order,
    status: WorkflowRuntimeStatus[state.runtimeStatus] ?? `UNKNOWN(${state.runtimeStatus})`,
    awaiting_approval: state.customStatus === awaitingApprovalStatus,
    created_time: state.createdAt.toISOString(),
    last_updated_time: state.lastUpdatedAt.toISOString(),
    ...(state.serializedOutput ? { order_result: JSON.parse(state.serializedOutput) as OrderResult } : {}),
    ...(failure ? { failure_details: publicFailureDetails(failure) } : {}),
  };
}

function publicFailureDetails(failure: FailureDetails): { message: string; error_type: string } {
  const message = isPublicFailure(failure) ? failure.getErrorMessage() : withheldFailureMessage;
  return { message, error_type: failure.getErrorType() };
}

export function daprOrderWorkflows(client: DaprWorkflowClient, logger: Logger): OrderWorkflows {
  return {
    async start(input) {
      try {
        // The trace context goes as gRPC metadata too: the workflow's spans join the order's trace.
        await withTraceparent(input.traceparent, () => client.scheduleNewWorkflow(workflowName, input, input.order.id));
      } catch (err) {
        if (/already exists/i.test(String(err))) throw new WorkflowExists(input.order.id);
        throw err;
      }
    },
    async get(id) {
      const state = await retryingTransient(() => client.getWorkflowState(id, true));
      if (state === undefined) return undefined;
      const failure = state.workflowFailureDetails;
      if (failure && !isPublicFailure(failure)) {
        logger.warn("the order failed with an internal error: its clients see a generic message", {
          order_id: id,
          error_type: failure.getErrorType(),
          err: failure.getErrorMessage(),
        });
      }
      return toOrderView(state);
    },
    async approve(id, approval) {
      await client.raiseEvent(id, approvalEvent, approval);
    },
  };
}

/**
 * Dapr may answer a read of a workflow's state with a "transient store read failure"
 * while the workflow is being written, and says to try again: so do, a few times.
 */
export async function retryingTransient<T>(read: () => Promise<T>, attempts = 5, delayMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !String(err).includes("transient")) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
