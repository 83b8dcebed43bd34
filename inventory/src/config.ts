// inventory's settings, from the environment (defaults in docs/configuration.md).
import { appApiToken, appHost, appPort, daprSettings, envList, envNumber } from "@dapr-orders/service-kit";

export const config = {
  port: appPort(3002),
  /** HOST: the address to listen on; every interface when unset. */
  host: appHost(),
  /** Where the sidecar listens, and its API token (DAPR_API_TOKEN) that the Dapr client sends. */
  dapr: daprSettings(),
  /** APP_API_TOKEN: what the sidecar sends with its calls; when set, reserve, release, restock and clear take requests from the sidecar only. */
  appToken: appApiToken(),
  /** The Dapr state store holding stock and reservations. */
  stateStore: "inventory-state",
  /** Items that restock fills and that the inventory lists. */
  items: envList("INVENTORY_ITEMS", ["orange", "apple", "pear", "kiwi"]),
  restockQuantity: envNumber("RESTOCK_QUANTITY", 100),
  /** Attempts at a reservation or release when concurrent writers conflict. */
  maxAttempts: envNumber("STOCK_MAX_ATTEMPTS", 20),
};
