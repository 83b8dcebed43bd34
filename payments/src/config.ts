// payments' settings, from the environment (defaults in brackets in README).
import { appPort, daprSettings, envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3003),
  dapr: daprSettings(),
  /** The Dapr state store holding one record per order (shared with shipping, keys prefixed by app id). */
  stateStore: "records-state",
  /** Payments of a total above this are declined: the way to show a declined payment. */
  cardLimit: envNumber("PAYMENT_CARD_LIMIT", 5000),
  /** Attempts at writing a record when another replica wrote it in between. */
  maxAttempts: 10,
};
