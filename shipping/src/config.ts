// shipping's settings, from the environment (defaults in docs/configuration.md).
import { appApiToken, appHost, appPort, daprSettings, envList } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3004),
  /** HOST: the address to listen on; every interface when unset. */
  host: appHost(),
  /** Where the sidecar listens, and its API token (DAPR_API_TOKEN) that the Dapr client sends. */
  dapr: daprSettings(),
  /** APP_API_TOKEN: what the sidecar sends with its calls; when set, every route takes requests from the sidecar only. */
  appToken: appApiToken(),
  /** The Dapr state store holding one record per order (shared with payments, keys prefixed by app id). */
  stateStore: "records-state",
  /** Customers no courier delivers to: the way to show a shipping failure. */
  blockedCustomers: envList("SHIPPING_BLOCKED_CUSTOMERS", ["nowhere"]),
  /** Attempts at writing a record when another replica wrote it in between. */
  maxAttempts: 10,
};
