// helm lint and helm template of charts/dapr-orders, and what the rendered objects
// promise: a Deployment per app with its Dapr sidecar's annotations, probes and
// resources; a Service per app and the dashboard's; Redis and its password; replicas
// by value. And the values the chart must refuse.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { daprSettings } from "@dapr-orders/service-kit";
import {
  appPorts,
  chartDir,
  daprCrdDir,
  find,
  helm,
  isDapr,
  kubernetesVersion,
  ofKind,
  release,
  render,
  renderVariant,
  runHelm,
  setArgs,
  variants,
  type Doc,
  type Values,
} from "./chart.js";

const apps = Object.keys(appPorts);
const fullname = release.name; // the release name already contains the chart's name
const annotationsOf = (deployment: Doc): Record<string, string> => deployment.spec.template.metadata.annotations;
const containerOf = (deployment: Doc): Doc => deployment.spec.template.spec.containers[0];
const envOf = (container: Doc): Record<string, Doc> => Object.fromEntries((container.env ?? []).map((e: Doc) => [e.name, e]));

describe("helm lint and helm template (charts/dapr-orders)", function () {
  before(function () {
    this.timeout(15 * 60_000); // the first run builds Helm from source
    helm();
  });

  for (const [name, values] of Object.entries(variants)) {
    it(`lints with --strict, with ${name}`, () => {
      const result = runHelm(["lint", "--strict", chartDir, "--kube-version", kubernetesVersion, ...setArgs(values)]);
      expect(result.status, result.stdout + result.stderr).to.equal(0);
      expect(result.stdout).to.match(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }

  describe("refuses wrong values (values.schema.json, and required settings)", () => {
    const wrong: [what: string, values: Values, message: RegExp][] = [
      ["a misspelt key", { "apps.inventory.replica": 2 }, /additional properties 'replica' not allowed/],
      ["a negative replica count", { "apps.order-processor.replicas": -1 }, /replicas.*minimum/],
      ["an app that does not exist", { "apps.billing.port": 3005 }, /additional properties 'billing' not allowed/],
      ["an unknown Service type for the dashboard", { "dashboard.serviceType": "Ingress" }, /serviceType/],
      ["a Redis host without a port", { "redis.enabled": false, "redis.host": "redis.example" }, /redis\/host/],
      ["an existing Redis without its address", { "redis.enabled": false }, /redis\/host.*minLength/],
      ["a sampling rate that is not one", { "dapr.tracing.samplingRate": "all" }, /samplingRate/],
      ["a Zipkin address that is not a URL", { "dapr.tracing.zipkinEndpoint": "zipkin:9411" }, /zipkinEndpoint/],
    ];
    for (const [what, values, message] of wrong) {
      it(what, () => {
        const lint = runHelm(["lint", "--strict", chartDir, ...setArgs(values)]);
        expect(lint.status, "helm lint's exit status").to.not.equal(0);
        expect(() => render(values)).to.throw(message);
      });
    }
  });

  describe("with the default values", () => {
    let docs: Doc[];
    before(() => (docs = renderVariant("the default values")));

    it("renders a Deployment, with one replica, and a Service for each of the five apps", () => {
      expect(ofKind(docs, "Deployment").map((d) => d.metadata.name)).to.have.members(apps.map((app) => `${fullname}-${app}`));
      for (const app of apps) {
        expect(find(docs, "Deployment", `${fullname}-${app}`)!.spec.replicas, app).to.equal(1);
        const service = find(docs, "Service", `${fullname}-${app}`)!;
        expect(service.spec.ports, app).to.deep.equal([{ name: "http", port: appPorts[app], targetPort: "http" }]);
      }
    });

    it("gives every app a Dapr sidecar: app id, app port, the Configuration, the API token Secret, log level", () => {
      const configuration = ofKind(docs, "Configuration");
      expect(configuration, "one Configuration").to.have.length(1);
      for (const app of apps) {
        const deployment = find(docs, "Deployment", `${fullname}-${app}`)!;
        const annotations = annotationsOf(deployment);
        expect(annotations, app).to.include({
          "dapr.io/enabled": "true",
          "dapr.io/app-id": app,
          "dapr.io/app-port": String(appPorts[app]),
          "dapr.io/config": configuration[0]!.metadata.name,
          "dapr.io/log-level": "info",
        });
        for (const [annotation, variable] of [
          ["dapr.io/api-token-secret", "DAPR_API_TOKEN"],
          ["dapr.io/app-token-secret", "APP_API_TOKEN"],
        ]) {
          const secret = find(docs, "Secret", annotations[annotation]!);
          expect(secret, `${app}: the Secret of ${annotation}`).to.not.equal(undefined);
          expect(secret!.data.token, "its key `token`, as Dapr's injector reads it").to.be.a("string").and.not.equal("");
          // Dapr gives the token to daprd only: the app must get it itself, from the same Secret.
          expect(envOf(containerOf(deployment))[variable]!.valueFrom.secretKeyRef, `${app}'s ${variable}`).to.deep.equal({
            name: annotations[annotation],
            key: "token",
          });
        }
      }
    });

    it("gives each app tokens of its own: no app holds another's Dapr API token or app token", () => {
      for (const annotation of ["dapr.io/api-token-secret", "dapr.io/app-token-secret"]) {
        const secrets = apps.map((app) => annotationsOf(find(docs, "Deployment", `${fullname}-${app}`)!)[annotation]);
        expect(new Set(secrets).size, annotation).to.equal(apps.length);
      }
    });

    it("gives notifications the operator token from a Secret (the same for every replica), and no other app", () => {
      for (const app of apps) {
        const operatorToken = envOf(containerOf(find(docs, "Deployment", `${fullname}-${app}`)!)).OPERATOR_TOKEN;
        if (app !== "notifications") {
          expect(operatorToken, app).to.equal(undefined);
          continue;
        }
        const ref = operatorToken!.valueFrom.secretKeyRef;
        expect(ref).to.deep.equal({ name: `${fullname}-operator-token`, key: "token" });
        expect(find(docs, "Secret", ref.name)!.data.token)
          .to.be.a("string")
          .and.not.equal("");
      }
    });

    it("gives the sidecars' Configuration the access control policy of access-control.yaml, for the release's namespace", () => {
      const [configuration] = ofKind(docs, "Configuration");
      const { accessControl } = configuration!.spec;
      expect(accessControl.defaultAction).to.equal("deny");
      expect(accessControl.policies.map((p: Doc) => [p.appId, p.namespace])).to.deep.equal([
        ["order-processor", release.namespace],
        ["notifications", release.namespace],
      ]);
    });

    it("runs each app on its port, which is what its probes, Service and sidecar use", () => {
      for (const app of apps) {
        const container = containerOf(find(docs, "Deployment", `${fullname}-${app}`)!);
        expect(container.ports, app).to.deep.equal([{ name: "http", containerPort: appPorts[app] }]);
        expect(envOf(container).PORT!.value, app).to.equal(String(appPorts[app]));
      }
    });

    it("probes every app's /healthz for readiness and liveness, and sets requests and limits", () => {
      for (const app of apps) {
        const container = containerOf(find(docs, "Deployment", `${fullname}-${app}`)!);
        for (const probe of ["readinessProbe", "livenessProbe"]) {
          expect(container[probe].httpGet, `${app} ${probe}`).to.deep.equal({ path: "/healthz", port: "http" });
        }
        for (const kind of ["requests", "limits"]) {
          expect(container.resources[kind], `${app} resources.${kind}`).to.have.all.keys("cpu", "memory");
        }
      }
    });

    it("leaves DAPR_HTTP_PORT and DAPR_GRPC_PORT to the injector, whose defaults are the apps' own (3500, 50001)", () => {
      for (const app of apps) {
        const env = envOf(containerOf(find(docs, "Deployment", `${fullname}-${app}`)!));
        expect(env, app).to.not.have.any.keys("DAPR_HTTP_PORT", "DAPR_GRPC_PORT");
      }
      // The injector's defaults, from the source of the Dapr version we pin.
      const sidecar = readFileSync(path.join(daprCrdDir(), "../../../pkg/injector/patcher/sidecar.go"), "utf8");
      const injected = (field: string) => new RegExp(`\\b${field}\\s+int32\\s+\`[^\`]*default:"(\\d+)"`).exec(sidecar)?.[1];
      const defaults = daprSettings({});
      expect({ http: defaults.httpPort, grpc: defaults.grpcPort }).to.deep.equal({
        http: injected("SidecarHTTPPort"),
        grpc: injected("SidecarAPIGRPCPort"),
      });
    });

    it("runs a demo Redis with a password from a Secret, and gives its address to every sidecar (REDIS_HOST) and to notifications", () => {
      const statefulSet = find(docs, "StatefulSet", `${fullname}-redis`)!;
      expect(statefulSet.spec.replicas, "Redis stays single").to.equal(1);
      const redis = statefulSet.spec.template.spec.containers[0];
      expect(redis.args).to.include.members(["--requirepass", "$(REDIS_PASSWORD)"]);
      const passwordRef = envOf(redis).REDIS_PASSWORD!.valueFrom.secretKeyRef;
      expect(find(docs, "Secret", passwordRef.name)!.data).to.have.property(passwordRef.key);
      expect(find(docs, "Service", `${fullname}-redis`)!.spec.ports[0].port).to.equal(6379);
      for (const app of apps) {
        const deployment = find(docs, "Deployment", `${fullname}-${app}`)!;
        expect(annotationsOf(deployment)["dapr.io/env"], app).to.equal(`REDIS_HOST=${fullname}-redis:6379`);
      }
      const notifications = envOf(containerOf(find(docs, "Deployment", `${fullname}-notifications`)!));
      expect(notifications.REDIS_HOST!.value).to.equal(`${fullname}-redis:6379`);
      expect(notifications.REDIS_PASSWORD!.valueFrom.secretKeyRef).to.deep.equal(passwordRef);
      for (const component of ofKind(docs, "Component").filter((c) => c.spec.type.includes("redis"))) {
        const items = Object.fromEntries(component.spec.metadata.map((m: Doc) => [m.name, m]));
        expect(items.redisPassword?.secretKeyRef, `${component.metadata.name}'s redisPassword`).to.deep.equal(passwordRef);
      }
    });

    it("exposes the dashboard by notifications' Service (ClusterIP unless told otherwise), one browser to one replica", () => {
      const dashboard = find(docs, "Service", `${fullname}-notifications`)!;
      expect(dashboard.spec.type).to.equal("ClusterIP");
      expect(dashboard.spec.sessionAffinity).to.equal("ClientIP");
      expect(dashboard.spec.ports[0].port).to.equal(3001);
    });

    it("selects each app's own pods with each Service", () => {
      for (const app of [...apps, "redis"]) {
        const workload = find(docs, app === "redis" ? "StatefulSet" : "Deployment", `${fullname}-${app}`)!;
        const selector = find(docs, "Service", `${fullname}-${app}`)!.spec.selector;
        expect(workload.spec.selector.matchLabels, app).to.deep.equal(selector);
        expect(workload.spec.template.metadata.labels, app).to.include(selector);
      }
    });
  });

  it("traces at the sampling rate of the values, to the cluster's Zipkin when one is given (none by default)", () => {
    const tracing = (values: Values) => ofKind(render(values), "Configuration")[0]!.spec.tracing;
    expect(tracing({})).to.deep.equal({ samplingRate: "1" });
    const zipkin = "http://zipkin.monitoring:9411/api/v2/spans";
    expect(tracing({ "dapr.tracing.samplingRate": "0.1", "dapr.tracing.zipkinEndpoint": zipkin })).to.deep.equal({
      samplingRate: "0.1",
      zipkin: { endpointAddress: zipkin },
    });
  });

  it("scales order-processor, inventory and notifications by value, and keeps Redis single", () => {
    const docs = renderVariant("replicas > 1 (order-processor 3, inventory 2, notifications 2)");
    const replicas = Object.fromEntries(ofKind(docs, "Deployment").map((d) => [d.metadata.labels["app.kubernetes.io/component"], d.spec.replicas]));
    expect(replicas).to.deep.equal({ "order-processor": 3, inventory: 2, notifications: 2, payments: 1, shipping: 1 });
    expect(find(docs, "StatefulSet", `${fullname}-redis`)!.spec.replicas).to.equal(1);
  });

  it("uses an existing Redis, its Secret and Secrets of one's own for the tokens, and images from a registry", () => {
    const docs = renderVariant("an existing Redis and Secrets of one's own");
    expect(ofKind(docs, "StatefulSet")).to.deep.equal([]);
    expect(ofKind(docs, "Secret"), "no Secret of the chart's").to.deep.equal([]);
    expect(find(docs, "Service", `${fullname}-redis`)).to.equal(undefined);
    for (const app of apps) {
      const deployment = find(docs, "Deployment", `${fullname}-${app}`)!;
      expect(annotationsOf(deployment), app).to.include({
        "dapr.io/env": "REDIS_HOST=redis-master.data.svc.cluster.local:6379",
        "dapr.io/api-token-secret": "orders-dapr-api-token",
        "dapr.io/app-token-secret": "orders-app-token",
      });
      if (app === "notifications") {
        expect(envOf(containerOf(deployment)).OPERATOR_TOKEN!.valueFrom.secretKeyRef).to.deep.equal({ name: "orders-operator-token", key: "token" });
      }
      expect(containerOf(deployment).image).to.equal(`registry.example.com/dapr-orders/${app}:2.0.0`);
      expect(deployment.spec.template.spec.imagePullSecrets).to.deep.equal([{ name: "registry" }]);
    }
    for (const component of ofKind(docs, "Component").filter((c) => c.spec.type.includes("redis"))) {
      const password = component.spec.metadata.find((m: Doc) => m.name === "redisPassword");
      expect(password.secretKeyRef, component.metadata.name).to.deep.equal({ name: "redis", key: "redis-password" });
    }
  });

  it("runs Redis without a password when told, and then sets none anywhere", () => {
    const docs = renderVariant("a Redis without password, no volume, and the dashboard on a NodePort");
    const text = JSON.stringify(docs);
    expect(text).to.not.match(/redisPassword|REDIS_PASSWORD|requirepass/);
    expect(find(docs, "StatefulSet", `${fullname}-redis`)!.spec.volumeClaimTemplates).to.equal(undefined);
    const dashboard = find(docs, "Service", `${fullname}-notifications`)!;
    expect(dashboard.spec.type).to.equal("NodePort");
    expect(dashboard.spec.ports[0].nodePort).to.equal(30001);
  });

  it("packages the chart with the files of dapr-components/ in it (helm package), rendering the same Dapr resources", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "chart-package-"));
    try {
      const result = runHelm(["package", chartDir, "--destination", dir]);
      expect(result.status, result.stderr).to.equal(0);
      const archive = /saved it to: (\S+)/.exec(result.stdout)?.[1];
      expect(archive, result.stdout).to.be.a("string");
      const fromArchive = render({}, archive).filter(isDapr);
      const fromFolder = render({}).filter(isDapr);
      expect(fromArchive.length).to.be.greaterThan(1);
      // Only the generated Secret values differ between two renders; the Dapr resources do not.
      expect(fromArchive).to.deep.equal(fromFolder);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
