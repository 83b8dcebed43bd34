import path from "node:path";
import { expect } from "chai";
import { appProcess, placement, redisServer, scheduler, sentry, sidecar, trustAnchorsFile, type AppContext } from "../src/commands.js";
import { controlPlanePorts, stackPorts } from "../src/ports.js";
import { repoRoot } from "../src/repo-root.js";
import { parseRunFile, readRunFile, withReplicas } from "../src/run-file.js";

const topology = readRunFile(path.join(repoRoot, "dapr.yaml"));
const [orders, inventory] = [topology.apps[0]!, topology.apps[2]!];
const dirs = { daprBinDir: "/dapr", dataDir: "/data" };

/** The value after `flag` in `args` (each one when it comes more than once). */
const after = (args: string[], flag: string) => args.flatMap((arg, i) => (arg === flag ? [args[i + 1]] : []));

const context: AppContext = {
  daprBinDir: "/dapr",
  resourcesPath: "/repo/dapr-components",
  configFiles: ["/data/dapr-config.yaml", "/repo/dapr-components/access-control.yaml"],
  trustAnchors: "-----BEGIN CERTIFICATE-----",
  redisHost: "127.0.0.1:6400",
  redisPassword: "pw",
  tokens: { daprApiToken: "dapr-token", appApiToken: "app-token" },
  zipkinUiUrl: "http://localhost:9411",
  stackEnv: { APPROVAL_TIMEOUT_SECONDS: "5", APP_API_TOKEN: "not this one" },
  baseEnv: { PATH: "/bin", DAPR_API_TOKEN: "nor this one" },
  node: "/usr/bin/node",
};

describe("the processes' commands", () => {
  it("a sidecar: the app's ports on 127.0.0.1, every Configuration, mTLS through Sentry, its tokens and the Redis in its environment", () => {
    const spec = sidecar(orders, context);
    expect(spec).to.include({ name: "order-processor-dapr", command: "/dapr/daprd", cwd: orders.dir });
    expect(after(spec.args, "--app-id")).to.deep.equal(["order-processor"]);
    expect(after(spec.args, "--dapr-http-port")).to.deep.equal([String(orders.daprHttpPort)]);
    expect(after(spec.args, "--dapr-listen-addresses")).to.deep.equal(["127.0.0.1"]);
    expect(after(spec.args, "--config")).to.deep.equal(context.configFiles);
    expect(after(spec.args, "--sentry-address")).to.deep.equal([`127.0.0.1:${controlPlanePorts.sentry}`]);
    expect(spec.args).to.include("--enable-mtls");
    expect(after(spec.args, "--placement-host-address")).to.deep.equal(["localhost:3800"]);
    expect(spec.env).to.include({ DAPR_API_TOKEN: "dapr-token", APP_API_TOKEN: "app-token", REDIS_HOST: "127.0.0.1:6400", REDIS_PASSWORD: "pw" });
    expect(spec.env).to.include({ DAPR_TRUST_ANCHORS: context.trustAnchors, PATH: "/bin" });
  });

  it("a sidecar of an app without workflows: empty placement and scheduler addresses, so it does not keep calling them", () => {
    const spec = sidecar(inventory, context);
    expect(after(spec.args, "--placement-host-address")).to.deep.equal([""]);
    expect(after(spec.args, "--scheduler-host-address")).to.deep.equal([""]);
  });

  it("an app: what the Dapr CLI gives it, the stack's env over its own, and its own tokens whatever the env says", () => {
    const spec = appProcess("order-processor", orders, orders.appPort, context);
    expect(spec).to.include({ command: "/usr/bin/node", cwd: orders.dir });
    expect(spec.args).to.deep.equal(["dist/src/main.js"]);
    expect(spec.env).to.include({ APP_ID: "order-processor", APP_PORT: "3000", DAPR_HTTP_PORT: String(orders.daprHttpPort), HOST: "127.0.0.1" });
    expect(spec.env).to.include({ APPROVAL_TIMEOUT_SECONDS: "5", ZIPKIN_UI_URL: "http://localhost:9411" });
    expect(spec.env).to.include({ DAPR_API_TOKEN: "dapr-token", APP_API_TOKEN: "app-token" });
    expect(spec.env).to.not.have.property("PORT");
  });

  it("an extra instance of an app on another port: PORT says which, and `env` adds to the rest", () => {
    const spec = appProcess("order-processor@3990", orders, 3990, context, { EXTRA: "1" });
    expect(spec.env).to.include({ APP_PORT: "3990", PORT: "3990", EXTRA: "1" });
  });

  it("the control plane: on 127.0.0.1, over mTLS with Sentry's CA, its files in the data folder", () => {
    const s = sentry(dirs, "/data/dapr-config.yaml");
    expect(after(s.args, "--issuer-credentials")).to.deep.equal(["/data/sentry"]);
    expect(after(s.args, "--config")).to.deep.equal(["/data/dapr-config.yaml"]);
    const p = placement(dirs, 3800);
    expect(after(p.args, "--port")).to.deep.equal(["3800"]);
    expect(after(p.args, "--trust-anchors-file")).to.deep.equal([trustAnchorsFile("/data")]);
    const sched = scheduler(dirs, 3801);
    expect(after(sched.args, "--etcd-data-dir")).to.deep.equal(["/data/scheduler"]);
    for (const spec of [s, p, sched]) expect(after(spec.args, "--listen-address")).to.deep.equal(["127.0.0.1"]);
  });

  it("a Redis of its own: the password on stdin, quoted as Redis's config reads it, never in the arguments", () => {
    const spec = redisServer("/usr/bin/redis-server", 6400, "/data/redis", 'a "quoted" secret');
    expect(spec.args.join(" ")).to.not.include("secret");
    expect(spec.stdin).to.equal('requirepass "a \\"quoted\\" secret"\n');
    expect(after(spec.args, "--bind")).to.deep.equal(["127.0.0.1"]);
  });
});

describe("the stack's ports", () => {
  it("every app's and sidecar's, Sentry's, placement's and the scheduler's; Zipkin's only with tracing", () => {
    const ports = stackPorts(topology, false).map(([port]) => port);
    expect(ports).to.include.members([3000, 3004, orders.daprHttpPort, 3800, 3801, controlPlanePorts.sentry, controlPlanePorts.etcdClient]);
    expect(ports).to.not.include(controlPlanePorts.zipkin);
    expect(new Set(ports).size, "no port twice").to.equal(ports.length);
    expect(stackPorts(topology, true).map(([port]) => port)).to.include(controlPlanePorts.zipkin);
    expect(stackPorts(withReplicas(topology, { "order-processor": 2 }), false)).to.have.length(ports.length + 5);
  });

  it("no placement or scheduler ports when no app uses them; two different placements are refused", () => {
    const app = (id: string, n: number, extra = "") =>
      `  - appID: ${id}\n    appDirPath: ./${id}\n    appPort: ${3000 + n}\n    daprHTTPPort: ${3500 + n}\n` +
      `    daprGRPCPort: ${3600 + n}\n    daprInternalGRPCPort: ${3700 + n}\n    metricsPort: ${9090 + n}\n    command: ["node", "main.js"]\n${extra}`;
    const common = "common:\n  resourcesPath: ./components\n";
    const plain = parseRunFile(`version: 1\n${common}apps:\n${app("one", 0)}`, "/srv");
    expect(stackPorts(plain, false).map(([, purpose]) => purpose)).to.not.include.members(["placement", "scheduler"]);
    const two = parseRunFile(
      `version: 1\n${common}apps:\n${app("one", 0, "    placementHostAddress: localhost:3800\n")}${app("two", 1, "    placementHostAddress: localhost:3900\n")}`,
      "/srv",
    );
    expect(() => stackPorts(two, false)).to.throw(/placementHostAddress: the local stack runs one/);
  });
});
