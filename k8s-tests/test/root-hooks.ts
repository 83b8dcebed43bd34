// Mocha root hooks (.mocharc.json requires this file): before the first test, the cluster
// up with Dapr's control plane and the project's release installed; after the last one (or
// on an interrupt), the logs saved to test-artifacts/k8s/ and the cluster taken down,
// leaving nothing behind on the machine.
import path from "node:path";
import { artifacts, clusterDown, clusterUp, installApps, installDapr, repoRoot, teardownOnInterrupt } from "./kube.js";

let stopHandlingInterrupts: (() => void) | undefined;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // The first time on a machine: Kubernetes, CoreDNS, Dapr and Helm built with Go (tens of
    // minutes on 2 cores); then about a minute for the images and the cluster.
    this.timeout(90 * 60_000);
    stopHandlingInterrupts = teardownOnInterrupt();
    await clusterUp();
    const timed = async (what: string, work: () => Promise<void>) => {
      const started = Date.now();
      await work();
      console.log(`    ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    };
    await timed("Dapr's control plane (helm install of Dapr's chart, --wait)", installDapr);
    await timed("the release (helm install of charts/dapr-orders, --wait)", installApps);
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(5 * 60_000);
    try {
      const started = Date.now();
      const problems = await clusterDown();
      console.log(`    cluster down in ${((Date.now() - started) / 1000).toFixed(1)} s; its logs are in ${path.relative(repoRoot, artifacts)}/`);
      if (problems.length > 0) throw new Error(problems.join("\n"));
    } finally {
      stopHandlingInterrupts?.();
    }
  },
};
