// shipping: a simulated shipping provider, invoked by order-processor; its records
// are in the Dapr state store "records-state".
import { createApp, createLogger, daprStateStore, serve, Sidecar } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { shippingRoutes } from "./routes.js";
import { Shipping } from "./shipping.js";

const logger = createLogger("shipping");
const shipping = new Shipping(daprStateStore(new Sidecar(config.dapr), config.stateStore), {
  ...config,
  onConflict: (key, attempt) => logger.debug("concurrent update, retrying", { key, attempt }),
});

serve(createApp({ logger, routes: shippingRoutes(shipping, config.appToken) }), { port: config.port, host: config.host, logger });
