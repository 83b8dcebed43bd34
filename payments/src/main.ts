// payments: a simulated payment provider, invoked by order-processor; its records
// are in the Dapr state store "records-state".
import { createApp, createLogger, daprStateStore, serve, Sidecar } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { Payments } from "./payments.js";
import { paymentRoutes } from "./routes.js";

const logger = createLogger("payments");
const payments = new Payments(daprStateStore(new Sidecar(config.dapr), config.stateStore), {
  ...config,
  onConflict: (key, attempt) => logger.debug("concurrent update, retrying", { key, attempt }),
});

serve(createApp({ logger, routes: paymentRoutes(payments, config.appToken) }), { port: config.port, host: config.host, logger });
