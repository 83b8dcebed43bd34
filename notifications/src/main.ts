// notifications: receives the order events from Dapr pub/sub and shows them live
// in the browser (the page in public/, updated over Socket.IO).
import { fileURLToPath } from "node:url";
import { createApp, createLogger, Router, serve } from "@dapr-orders/service-kit";
import { config } from "./config.js";
import { Hub } from "./hub.js";
import { notificationRoutes } from "./routes.js";
import { publicFiles } from "./static.js";

const logger = createLogger("notifications");
const hub = new Hub();
const routes = new Router()
  .use(notificationRoutes((event) => hub.publish(event)).routes())
  .use(publicFiles(fileURLToPath(new URL("../../public", import.meta.url))).routes());

const server = serve(createApp({ logger, routes }), { port: config.port, logger, onShutdown: () => hub.close() });
hub.attach(server);
