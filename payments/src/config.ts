// payments' settings, from the environment (defaults in brackets in README).
import { appPort, envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3003),
  /** Payments of a total above this are declined: the way to show a declined payment. */
  cardLimit: envNumber("PAYMENT_CARD_LIMIT", 5000),
};
