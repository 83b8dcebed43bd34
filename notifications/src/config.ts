// notifications' settings, from the environment (defaults in brackets in README).
import { envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: envNumber("PORT", 3001),
};
