// payments' settings, from the environment (defaults in docs/configuration.md).
import { appApiToken, appHost, appPort, daprSettings, envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3003),
  /** HOST: the address to listen on; every interface when unset. */
  host: appHost(),
  /** Where the sidecar listens, and its API token (DAPR_API_TOKEN) that the Dapr client sends. */
  dapr: daprSettings(),
  /** APP_API_TOKEN: what the sidecar sends with its calls; when set, every route takes requests from the sidecar only. */
  appToken: appApiToken(),
  /** The Dapr state store holding one record per order (shared with shipping, keys prefixed by app id). */
  stateStore: "records-state",
  /** Payments of a total above this are declined: the way to show a declined payment. */
  cardLimit: envNumber("PAYMENT_CARD_LIMIT", 5000),
  /** Attempts at writing a record when another replica wrote it in between. */
  maxAttempts: 10,
};
