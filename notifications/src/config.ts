// notifications' settings, from the environment (defaults in brackets in README).
import { appPort } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3001),
};
