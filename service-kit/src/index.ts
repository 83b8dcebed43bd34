export { default as Router } from "@koa/router";
export { clientAddress, createApp, hostAllowed, type AppOptions } from "./app.js";
export { appTokenHeader, appTokenRequired, sameSecret } from "./app-token.js";
export {
  appApiToken,
  appHost,
  appPort,
  appSettings,
  daprSettings,
  defaultAllowedHosts,
  defaultRecordTtlSeconds,
  env,
  envList,
  envNumber,
  envString,
  insecureVariable,
  isLoopback,
  readSettings,
  recordTtlSeconds,
  webSettings,
  type AppSettings,
  type DaprSettings,
  type WebSettings,
} from "./config.js";
export { invoke, InvocationError, publishEvent, sdkLogger, workflowOptions } from "./dapr.js";
export { jsonOf, Sidecar, type SidecarAnswer, type SidecarRequest } from "./sidecar.js";
export { badRequest, conflict, HttpError, notFound } from "./errors.js";
export { captureConsole, createLogger, type LogFields, type Logger } from "./logger.js";
export { counter, gauge, histogram, metricsPath, metricsRegistry, type Counter, type Gauge, type Histogram } from "./metrics.js";
export {
  failureTypes,
  notificationSchema,
  notificationTypes,
  type FailureType,
  type Note,
  type Notification,
  type NotificationType,
} from "./notification.js";
export {
  longestWaitSeconds,
  stepAnswerSchema,
  undoAnswerSchema,
  workflowWaits,
  type StepAnswer,
  type UndoAnswer,
  type WorkflowWaits,
} from "./contracts.js";
export { serve, type ServeOptions } from "./server.js";
export { errorBody, openApiDocument, serveOpenApi, type Answer, type Operation, type Operations, type SecurityScheme } from "./openapi.js";
export {
  compareAndSet,
  daprStateStore,
  EtagMismatch,
  PerKeyQueue,
  StateReadError,
  type CompareAndSetOptions,
  type Decision,
  type RetryOptions,
  type StateStore,
  type Versioned,
  type WriteOptions,
} from "./state.js";
export {
  approverName,
  customerName,
  isOrderId,
  itemName,
  maxOrderTotal,
  orderId,
  orderIdPattern,
  orderSchema,
  orderTotal,
  trimmedText,
  type OrderRequest,
} from "./schemas.js";
export { jsonBody, parse, parseBody, type Body } from "./validate.js";
export { newTraceparent, traceFields, traceIdOf, traceparentInterceptor, validTraceparent, withTraceparent } from "./trace.js";
export { z } from "zod";
