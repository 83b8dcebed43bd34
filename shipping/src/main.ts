// shipping: a simulated shipping provider, invoked by order-processor.
import { createApp, createLogger, serve } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { shippingRoutes } from "./routes.js";
import { Shipping } from "./shipping.js";

const logger = createLogger("shipping");
const app = createApp({ logger, routes: shippingRoutes(new Shipping(config.blockedCustomers)) });
serve(app, { port: config.port, logger });
