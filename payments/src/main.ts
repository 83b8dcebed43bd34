// payments: a simulated payment provider, invoked by order-processor.
import { createApp, createLogger, serve } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { Payments } from "./payments.js";
import { paymentRoutes } from "./routes.js";

const logger = createLogger("payments");
const app = createApp({ logger, routes: paymentRoutes(new Payments(config.cardLimit)) });
serve(app, { port: config.port, logger });
