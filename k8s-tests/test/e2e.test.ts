// The end-to-end suite (e2e-tests/) against the release, as against any running stack
// (E2E_STACK=external): the apps through their Services from this node (cluster IPs through
// kube-proxy; the dashboard through its node port), the release's Secrets as the tokens, and
// a restart of order-processor as `kubectl rollout restart` of its Deployment.
//
// Left out: the test that counts order-processor's metrics exactly. A counter is per
// process, and with two replicas behind one Service a scrape reads one of them.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { expect } from "chai";
import { appUrls, credentialsEnv, namespace, release, repoRoot, theCluster } from "./kube.js";

const mochaBin = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");

describe("the end-to-end suite against the release", function () {
  it("passes", async function () {
    this.timeout(30 * 60_000);
    const urls = await appUrls();
    const { bin, kubeconfig } = theCluster();
    const kubectl = `${bin}/kubectl --kubeconfig ${kubeconfig} --namespace ${namespace}`;
    const restart = `${kubectl} rollout restart deployment/${release}-{app} && ${kubectl} rollout status deployment/${release}-{app} --timeout=180s`;
    const env = {
      ...process.env,
      ...(await credentialsEnv()),
      E2E_STACK: "external",
      ORDERS_URL: urls["order-processor"],
      NOTIFICATIONS_URL: urls.notifications,
      INVENTORY_URL: urls.inventory,
      PAYMENTS_URL: urls.payments,
      SHIPPING_URL: urls.shipping,
      ZIPKIN_URL: "",
      APPROVAL_THRESHOLD: "1000",
      APPROVAL_TIMEOUT_SECONDS: "15",
      PAYMENT_CARD_LIMIT: "5000",
      RESTOCK_QUANTITY: "100",
      SHIPPING_BLOCKED_CUSTOMERS: "nowhere",
      E2E_RESTART_COMMAND: restart,
    };
    console.log(`    apps: ${Object.entries(urls).map(([app, url]) => `${app} ${url}`).join(", ")}`);
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [mochaBin, "--grep", "counts orders placed, completed", "--invert"], {
        cwd: path.join(repoRoot, "e2e-tests"),
        env,
        stdio: ["ignore", "inherit", "inherit"],
      });
      child.on("error", reject);
      child.on("close", (c) => resolve(c ?? 1));
    });
    expect(code, "exit code of the end-to-end suite (its report is above)").to.equal(0);
  });
});
