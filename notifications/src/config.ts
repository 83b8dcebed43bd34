// notifications' settings, from the environment (defaults in brackets in README).
import { appPort, daprSettings, envNumber, envString } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3001),
  dapr: daprSettings(),
  /** host:port of the Redis that keeps the event history and links several instances (the sidecars' REDIS_HOST). */
  redisHost: envString("REDIS_HOST", "localhost:6379"),
  /** How many recent events the history keeps, and sends to a page that (re)connects. */
  historyLength: envNumber("HISTORY_LENGTH", 1000),
  /** The apps that the dashboard's actions go to, by Dapr app id. */
  apps: { orders: "order-processor", inventory: "inventory" },
};
