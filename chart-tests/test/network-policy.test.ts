// The chart's NetworkPolicies, evaluated as Kubernetes does on the rendered objects:
// every connection the system needs is allowed (sidecar to sidecar, to Redis, to
// Dapr's control plane, DNS, the public ports), and nothing else.
import { expect } from "chai";
import { appPorts, helm, ofKind, release, render, type Doc, type Values } from "./chart.js";

interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}
/** A pod, or an address outside the cluster. */
type Endpoint = Pod | { ip: string };

const isPod = (e: Endpoint): e is Pod => "labels" in e;

function selects(selector: Doc | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return true;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e: Doc) => {
    if (e.operator === "In") return e.values.includes(labels[e.key]);
    if (e.operator === "NotIn") return !e.values.includes(labels[e.key]);
    if (e.operator === "Exists") return e.key in labels;
    throw new Error(`operator ${e.operator} is not modelled`);
  });
  return byLabel && byExpression;
}

/** Whether a peer of a rule of `policy` (in the release's namespace) is `e`. */
function peerMatches(peer: Doc, e: Endpoint): boolean {
  if (peer.ipBlock !== undefined) return !isPod(e); // only addresses outside the cluster are modelled
  if (!isPod(e)) return false;
  const namespaceOk = peer.namespaceSelector === undefined ? e.namespace === release.namespace : selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": e.namespace });
  return namespaceOk && selects(peer.podSelector, e.labels);
}

const portMatches = (ports: Doc[] | undefined, port: number, protocol: string) =>
  ports === undefined || ports.some((p) => p.port === port && (p.protocol ?? "TCP") === protocol);

/** Whether the policies let `from` connect to `to` on `port`: egress of `from` and ingress of `to`, where policies select them. */
function allowed(policies: Doc[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const side = (pod: Endpoint, type: "Ingress" | "Egress", peer: Endpoint) => {
    if (!isPod(pod) || pod.namespace !== release.namespace) return true; // not the release's: its own policies are not modelled
    const applying = policies.filter((p) => p.spec.policyTypes.includes(type) && selects(p.spec.podSelector, pod.labels));
    if (applying.length === 0) return true;
    const rules: Doc[] = applying.flatMap((p) => p.spec[type === "Ingress" ? "ingress" : "egress"] ?? []);
    return rules.some((rule) => {
      const peers: Doc[] | undefined = rule[type === "Ingress" ? "from" : "to"];
      return (peers === undefined || peers.some((p) => peerMatches(p, peer))) && portMatches(rule.ports, port, protocol);
    });
  };
  return side(from, "Egress", to) && side(to, "Ingress", from);
}

const pod = (name: string, namespace: string, labels: Record<string, string>): Pod => ({ name, namespace, labels });
const component = (name: string) =>
  pod(name, release.namespace, { "app.kubernetes.io/name": "dapr-orders", "app.kubernetes.io/instance": release.name, "app.kubernetes.io/component": name });
const apps = Object.keys(appPorts).map(component);
const redis = component("redis");
const sentry = pod("sentry", "dapr-system", { app: "dapr-sentry" });
const placement = pod("placement", "dapr-system", { app: "dapr-placement-server" });
const scheduler = pod("scheduler", "dapr-system", { app: "dapr-scheduler-server" });
const operator = pod("operator", "dapr-system", { app: "dapr-operator" });
const dns = pod("coredns", "kube-system", { "k8s-app": "kube-dns" });
const stranger = pod("stranger", "default", { app: "anything" });
const neighbour = pod("neighbour", release.namespace, { app: "not-of-the-release" });
const internet = { ip: "203.0.113.10" };
const app = (name: string) => apps.find((a) => a.name === name)!;

describe("NetworkPolicies (charts/dapr-orders)", function () {
  let policies: Doc[];
  const policiesOf = (values: Values = {}) => ofKind(render(values), "NetworkPolicy");
  before(function () {
    this.timeout(15 * 60_000); // the first run builds Helm from source
    helm();
    policies = policiesOf();
  });

  it("denies everything to and from the release's pods by default: one policy selecting them all, with no rule", () => {
    const deny = policies.filter((p) => p.spec.ingress === undefined && p.spec.egress === undefined);
    expect(deny).to.have.length(1);
    expect(deny[0]!.spec.policyTypes).to.have.members(["Ingress", "Egress"]);
    for (const pod of [...apps, redis]) expect(selects(deny[0]!.spec.podSelector, pod.labels), pod.name).to.equal(true);
  });

  it("lets every sidecar call every other on Dapr's internal gRPC port (50002), and no one else", () => {
    for (const from of apps) for (const to of apps) expect(allowed(policies, from, to, 50002), `${from.name} -> ${to.name}`).to.equal(true);
    for (const from of [stranger, neighbour, redis]) expect(allowed(policies, from, app("payments"), 50002), from.name).to.equal(false);
  });

  it("lets the app pods (sidecars, and notifications) reach Redis, and nothing else reach it", () => {
    for (const from of apps) expect(allowed(policies, from, redis, 6379), from.name).to.equal(true);
    for (const from of [stranger, neighbour]) expect(allowed(policies, from, redis, 6379), from.name).to.equal(false);
    expect(allowed(policies, app("inventory"), redis, 6380)).to.equal(false);
    expect(allowed(policies, redis, internet, 443), "Redis out").to.equal(false);
  });

  it("lets the sidecars reach Dapr's control plane and the cluster's DNS", () => {
    for (const from of apps) {
      expect(allowed(policies, from, sentry, 50001), `${from.name} -> Sentry`).to.equal(true);
      expect(allowed(policies, from, placement, 50005)).to.equal(true);
      expect(allowed(policies, from, scheduler, 50006)).to.equal(true);
      expect(allowed(policies, from, operator, 6500)).to.equal(true);
      expect(allowed(policies, from, dns, 53, "UDP")).to.equal(true);
      expect(allowed(policies, from, dns, 53, "TCP")).to.equal(true);
    }
  });

  it("takes connections from outside only on the public ports: order-processor's API and the dashboard", () => {
    expect(allowed(policies, stranger, app("order-processor"), appPorts["order-processor"]!)).to.equal(true);
    expect(allowed(policies, stranger, app("notifications"), appPorts.notifications!)).to.equal(true);
    for (const target of ["inventory", "payments", "shipping"]) {
      expect(allowed(policies, stranger, app(target), appPorts[target]!), `${target}'s port`).to.equal(false);
      expect(allowed(policies, neighbour, app(target), appPorts[target]!), `${target}'s port from the namespace`).to.equal(false);
    }
    expect(allowed(policies, stranger, app("order-processor"), appPorts.notifications!), "another port").to.equal(false);
    for (const sidecarPort of [3500, 50001, 9090]) expect(allowed(policies, stranger, app("inventory"), sidecarPort), `sidecar port ${sidecarPort}`).to.equal(false);
  });

  it("lets no app call another app's port directly (only through the sidecars), nor go to the internet", () => {
    for (const from of apps) {
      for (const to of apps) {
        if (to.name === "order-processor" || to.name === "notifications") continue; // public ports
        expect(allowed(policies, from, to, appPorts[to.name]!), `${from.name} -> ${to.name}:${appPorts[to.name]}`).to.equal(false);
      }
      expect(allowed(policies, from, internet, 443), `${from.name} -> the internet`).to.equal(false);
    }
  });

  it("narrows the public ports and opens metrics and more egress by value; with an existing Redis, lets the apps reach its port", () => {
    const narrowed = policiesOf({
      "networkPolicy.publicFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name": "ingress",
      "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name": "monitoring",
      "networkPolicy.extraEgress[0].ports[0].port": 9411,
    });
    const ingress = pod("nginx", "ingress", { app: "ingress" });
    const prometheus = pod("prometheus", "monitoring", { app: "prometheus" });
    expect(allowed(narrowed, ingress, app("notifications"), appPorts.notifications!)).to.equal(true);
    expect(allowed(narrowed, stranger, app("notifications"), appPorts.notifications!)).to.equal(false);
    expect(allowed(narrowed, prometheus, app("payments"), appPorts.payments!), "metrics").to.equal(true);
    expect(allowed(narrowed, prometheus, app("payments"), 9090), "the sidecar's metrics").to.equal(true);
    expect(allowed(narrowed, app("payments"), internet, 9411), "Zipkin").to.equal(true);

    const external = policiesOf({ "redis.enabled": false, "redis.host": "redis.data.svc:6380" });
    expect(allowed(external, app("inventory"), internet, 6380)).to.equal(true);
    expect(allowed(external, app("inventory"), internet, 6379)).to.equal(false);
    expect(policiesOf({ "networkPolicy.enabled": false })).to.deep.equal([]);
  });
});

describe("allowed hosts (ALLOWED_HOSTS, against DNS rebinding)", () => {
  it("lets each app answer its own Service's names, localhost and allowedHosts, and no other name", () => {
    const deployments = ofKind(render({ "allowedHosts[0]": "orders.example.com" }), "Deployment").filter((d) => d.metadata.name !== `${release.name}-redis`);
    expect(deployments.length).to.equal(Object.keys(appPorts).length);
    for (const deployment of deployments) {
      const env: Doc[] = deployment.spec.template.spec.containers[0].env;
      const hosts = String(env.find((e) => e.name === "ALLOWED_HOSTS")?.value).split(",");
      const service = deployment.metadata.name;
      expect(hosts, service).to.have.members([
        "localhost",
        service,
        `${service}.${release.namespace}`,
        `${service}.${release.namespace}.svc`,
        `${service}.${release.namespace}.svc.cluster.local`,
        "orders.example.com",
      ]);
    }
  });
});
