// notifications: receives the order events from Dapr pub/sub, keeps the recent
// ones in Redis and shows them live in the browser (the page in public/, updated
// over Socket.IO), and takes the page's actions (place an order; and for the
// signed-in operator approve, reject, restock, clear) on to the other apps through
// its Dapr sidecar.
import { fileURLToPath } from "node:url";
import { createAdapter } from "@socket.io/redis-adapter";
import { createApp, createLogger, Router, serve, serveOpenApi, Sidecar } from "@dapr-orders/service-kit";
import { dashboardRoutes } from "./api.js";
import { daprBackend } from "./backend.js";
import { config } from "./config.js";
import { RedisDeadLetters } from "./dead-letters.js";
import { RedisEventHistory } from "./history.js";
import { Hub } from "./hub.js";
import { newOperatorToken, noLimit, Operator } from "./operator.js";
import { dashboardApi } from "./openapi.js";
import { RedisRateLimit } from "./rate-limit.js";
import { closeRedis, connectRedis } from "./redis.js";
import { notificationRoutes } from "./routes.js";
import { securityHeaders } from "./security.js";
import { redisStoreSize, storeSizeGauges } from "./store-size.js";
import { RedisSessions } from "./sessions.js";
import { publicFiles } from "./static.js";

const logger = createLogger("notifications");

// Three connections: the history (its commands fail at once while Redis is away),
// and the adapter's publisher and subscriber (a subscribed connection takes no other commands).
const redis = { password: config.redisPassword, username: config.redisUsername };
const historyRedis = connectRedis(config.redisHost, logger, { ...redis, name: "history", failFast: true });
const adapterPub = connectRedis(config.redisHost, logger, { ...redis, name: "adapter-pub" });
const adapterSub = connectRedis(config.redisHost, logger, { ...redis, name: "adapter-sub", silentPeerMs: 0 });

const history = new RedisEventHistory(historyRedis, { length: config.historyLength, seenTtlSeconds: config.seenTtlSeconds });
const deadLetters = new RedisDeadLetters(historyRedis, config.deadLettersKept);
// A limit of 0 is none.
const limit = (name: string, options: { points: number; durationSeconds: number }) =>
  options.points === 0 ? noLimit : new RedisRateLimit(historyRedis, { name, ...options });
const connections = limit("dashboard:connections", config.connections);
const hub = new Hub({ history, logger, adapter: createAdapter(adapterPub, adapterSub), connections, openConnections: config.openConnections, web: config.web });
const backend = daprBackend(new Sidecar(config.dapr), config.apps);
const storeSize = redisStoreSize(historyRedis);
storeSizeGauges(storeSize);

const operator = new Operator({
  token: config.operatorToken ?? newOperatorToken(),
  apiName: config.operatorName,
  sessions: new RedisSessions(historyRedis, config.sessionTtlSeconds),
  failedLogins: limit("dashboard:login-failures", config.loginFailures),
  sessionTtlSeconds: config.sessionTtlSeconds,
  secureCookie: config.secureCookie,
});

const routes = new Router().use(securityHeaders);
serveOpenApi(routes, dashboardApi);
routes
  .use(notificationRoutes({ history, publish: (event) => hub.publish(event), deadLetters, logger, appToken: config.appToken }).routes())
  .use(operator.routes().routes())
  .use(
    dashboardRoutes({ backend, operatorRequired: operator.required, logger, zipkinUiUrl: config.zipkinUiUrl, orderLimit: limit("dashboard:orders", config.orders), storeSize })
      .routes(),
  )
  .use(publicFiles(fileURLToPath(new URL("../../public", import.meta.url))).routes());

const server = serve(createApp({ logger, routes, web: config.web }), {
  port: config.port,
  host: config.host,
  logger,
  onShutdown: async () => {
    await hub.close();
    await closeRedis(historyRedis, adapterPub, adapterSub);
  },
});
hub.attach(server);
if (config.operatorToken === undefined) {
  // As Jupyter does: the token is in the URL's fragment, which the browser keeps to itself.
  const url = `${config.dashboardUrl}/#token=${operator.token}`;
  logger.info(`To sign in as the operator, open ${url}`, { login_url: url });
}
