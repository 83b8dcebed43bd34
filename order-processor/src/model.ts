// The shapes that travel between the API, the workflow, its activities and the
// other services. Field names are the wire format (snake_case where SPEC says so).

export interface Order {
  /** The workflow instance id: one order, one workflow. */
  id: string;
  customer: string;
  item: string;
  total: number;
}

/** What inventory, payments and shipping answer, and what the workflow ends with. */
export interface OrderResult {
  id: string;
  success: boolean;
  message: string;
}

/** The payload of the external event "approval". */
export interface Approval {
  approver: string;
  approved: boolean;
}

/** Published to topic "notifications"; the dashboard shows these. */
export interface Notification {
  order_id: string;
  message: string;
}

export const approvalEvent = "approval";
export const workflowName = "orderProcessingWorkflow";
