// What `helm install` gave: every pod of the cluster running and ready (CoreDNS, Dapr's
// control plane, the release), a daprd sidecar injected into each app's pods by Dapr's
// injector, two replicas of order-processor and inventory, and the images the run built.
import { expect } from "chai";
import { appSelector, apps, daprNamespace, images, kubectl, namespace, pods, tags, type Pod } from "./kube.js";

const ready = (pod: Pod) => pod.status.phase === "Running" && (pod.status.containerStatuses ?? []).every((c) => c.ready);

describe("the cluster after helm install (Dapr's chart, then charts/dapr-orders)", function () {
  it("runs every pod, each ready", async function () {
    this.timeout(5 * 60_000);
    const all = [...(await pods("kube-system")), ...(await pods(daprNamespace)), ...(await pods(namespace))];
    console.log((await kubectl(["get", "pods", "--all-namespaces", "--output", "wide"])).replace(/^/gm, "      "));
    expect(all.filter((p) => !ready(p)).map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.status.phase}`)).to.deep.equal([]);
    const daprPods = (await pods(daprNamespace)).map((p) => p.metadata.name);
    for (const part of ["dapr-operator", "dapr-sidecar-injector", "dapr-sentry", "dapr-placement-server", "dapr-scheduler-server"]) {
      expect(daprPods.some((name) => name.startsWith(part)), `a pod of ${part}`).to.equal(true);
    }
  });

  it("gives each app pod its daprd sidecar (Dapr's injector), the app running the image of this run", async () => {
    const version = images().DAPR_VERSION;
    for (const app of apps) {
      const appPods = await pods(namespace, appSelector(app));
      expect(appPods, app).to.have.length(app === "order-processor" || app === "inventory" ? 2 : 1);
      for (const pod of appPods) {
        const containers = Object.fromEntries(pod.spec.containers.map((c) => [c.name, c.image]));
        expect(containers, pod.metadata.name).to.deep.equal({ [app]: `dapr-orders/${app}:${tags.installed}`, daprd: `local/daprd:${version}` });
      }
    }
  });
});
