// inventory: stock in the Dapr state store "inventory-state".
import { createApp, createLogger, daprStateStore, serve, Sidecar } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { inventoryRoutes } from "./routes.js";
import { Stock } from "./stock.js";

const logger = createLogger("inventory");
const stock = new Stock(daprStateStore(new Sidecar(config.dapr), config.stateStore), {
  ...config,
  onConflict: async (key, attempt) => {
    logger.debug("concurrent update, retrying", { key, attempt });
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
  },
});

serve(createApp({ logger, routes: inventoryRoutes(stock, config.appToken) }), { port: config.port, host: config.host, logger });
