export { default as Router } from "@koa/router";
export { createApp, type AppOptions } from "./app.js";
export { appPort, daprSettings, envList, envNumber, envString, type DaprSettings } from "./config.js";
export { createDaprClient, invoke, InvocationError, sdkLogger } from "./dapr.js";
export { badRequest, conflict, HttpError, notFound } from "./errors.js";
export { captureConsole, createLogger, type LogFields, type Logger } from "./logger.js";
export { serve, type ServeOptions } from "./server.js";
export {
  compareAndSet,
  daprStateStore,
  EtagMismatch,
  PerKeyQueue,
  type Decision,
  type RetryOptions,
  type StateStore,
  type Versioned,
} from "./state.js";
export { boolean, jsonBody, jsonObject, nonEmptyString, positiveNumber, type Body } from "./validate.js";
