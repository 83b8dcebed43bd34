// The edge to Dapr Workflow for the HTTP API: start an order's workflow, read its
// state, raise its approval event. api.ts depends on the OrderWorkflows interface only.
//
// Reads and approvals go through the sidecar's workflow HTTP API: a status read is
// the call made most (clients poll their orders), and over HTTP it costs this app a
// fraction of what the SDK's gRPC client does. The start goes through the SDK's
// client (gRPC), because only there does the sidecar take the order's trace context
// into the workflow (as metadata, see withTraceparent); over HTTP it starts a new trace.
import type { DaprWorkflowClient } from "@dapr/dapr";
import { jsonOf, withTraceparent, type Logger, type Sidecar, type SidecarAnswer } from "@dapr-orders/service-kit";
import { approvalEvent, awaitingApprovalStatus, compensatingStatus, ShippingFailed, workflowName, type Approval, type Order, type OrderInput, type OrderResult } from "./model.js";

/** GET /orders/:id answers with this. */
export interface OrderView {
  id: string;
  /** Missing for a moment just after the start, until the workflow begins to run. */
  details?: Order;
  /** The workflow's runtime status by name: "RUNNING", "COMPLETED", "FAILED"... */
  status: string;
  /** True while the order waits for a person's approval (only then does it take one). */
  awaiting_approval: boolean;
  /** True while the order undoes what it did (release, refund, cancel the shipment): until every undo is done, however long its app is away. */
  compensating: boolean;
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

/** A non-2xx answer of the sidecar's workflow API (other than what the call expects). */
export class WorkflowApiError extends Error {
  constructor(
    what: string,
    readonly status: number,
    body: string,
  ) {
    super(`${what}: the sidecar answered ${status}: ${body}`);
    this.name = "WorkflowApiError";
  }
}

/** The gRPC status code ALREADY_EXISTS, with which the sidecar refuses to start a workflow whose id is taken by an active one. */
export const grpcAlreadyExists = 6;

const isAlreadyExists = (err: unknown) => typeof err === "object" && err !== null && (err as { code?: unknown }).code === grpcAlreadyExists;

/** The sidecar's answer to GET /v1.0/workflows/dapr/<id>: what toOrderView reads of it. */
export interface WorkflowState {
  instanceID: string;
  /** By name: "RUNNING", "COMPLETED"... */
  runtimeStatus: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** dapr.workflow.input, .output, .custom_status, .failure.error_type, .failure.error_message (each as text, when there is one); none at all just after the start. */
  properties?: Record<string, string | undefined>;
}

interface FailureDetails {
  message: string;
  type: string;
}

/** What a client sees of a failure it may not see the text of. */
export const withheldFailureMessage = "the order failed: its details are in order-processor's log";

/**
 * Whether a failure's text may be shown: only ShippingFailed, which is what the
 * workflow throws on purpose (a failed shipment, with shipping's answer). Any other
 * type comes from the workflow runtime or a bug, and may carry internal details.
 */
export const isPublicFailure = (failure: FailureDetails) => failure.type === ShippingFailed.name;

function failureOf({ properties = {} }: WorkflowState): FailureDetails | undefined {
  const type = properties["dapr.workflow.failure.error_type"];
  return type === undefined ? undefined : { type, message: properties["dapr.workflow.failure.error_message"] ?? "" };
}

export function toOrderView(state: WorkflowState): OrderView {
  const { properties = {} } = state;
  const failure = failureOf(state);
  const input = JSON.parse(properties["dapr.workflow.input"] ?? "null") as OrderInput | null;
  const output = properties["dapr.workflow.output"];
  return {
    id: state.instanceID,
    ...(input ? { details: input.order } : {}),
    status: state.runtimeStatus,
    awaiting_approval: properties["dapr.workflow.custom_status"] === awaitingApprovalStatus,
    compensating: properties["dapr.workflow.custom_status"] === compensatingStatus,
    created_time: new Date(state.createdAt).toISOString(),
    last_updated_time: new Date(state.lastUpdatedAt).toISOString(),
    ...(output ? { order_result: JSON.parse(output) as OrderResult } : {}),
    ...(failure ? { failure_details: { message: isPublicFailure(failure) ? failure.message : withheldFailureMessage, error_type: failure.type } } : {}),
  };
}

export function daprOrderWorkflows(client: DaprWorkflowClient, sidecar: Sidecar, logger: Logger): OrderWorkflows {
  const api = "/v1.0/workflows/dapr";
  const failed = (what: string, answer: SidecarAnswer) => new WorkflowApiError(what, answer.status, answer.body);
  return {
    async start(input) {
      try {
        // A start time (now) makes the sidecar answer once the workflow is stored and
        // scheduled; without one it waits until the workflow has begun to run, which
        // under a burst of orders means waiting for the orders ahead of it.
        const now = new Date();
        await withTraceparent(input.traceparent, () => client.scheduleNewWorkflow(workflowName, input, input.order.id, now));
      } catch (err) {
        if (isAlreadyExists(err)) throw new WorkflowExists(input.order.id);
        throw err;
      }
    },
    async get(id) {
      const answer = await retryingServerErrors(async () => {
        const got = await sidecar.call("GET", `${api}/${encodeURIComponent(id)}`);
        if (got.status !== 200 && got.status !== 404) throw failed(`reading the workflow of order ${id} failed`, got);
        return got;
      });
      if (answer.status === 404) return undefined;
      const state = jsonOf<WorkflowState>(answer);
      const failure = failureOf(state);
      if (failure && !isPublicFailure(failure)) {
        logger.warn("the order failed with an internal error: its clients see a generic message", { order_id: id, error_type: failure.type, err: failure.message });
      }
      return toOrderView(state);
    },
    async approve(id, approval) {
      const answer = await sidecar.call("POST", `${api}/${encodeURIComponent(id)}/raiseEvent/${approvalEvent}`, { body: approval });
      if (answer.status !== 202) throw failed(`raising the approval of order ${id} failed`, answer);
    },
  };
}

/**
 * Dapr may answer a read of a workflow's state with a 500 ("transient store read
 * failure") while the workflow is being written, and says to try again. A read
 * changes nothing: so try any 5xx again, a few times.
 */
export async function retryingServerErrors<T>(read: () => Promise<T>, attempts = 5, delayMs = 100): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !(err instanceof WorkflowApiError && err.status >= 500)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
