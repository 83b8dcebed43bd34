import { expect } from "chai";
import path from "node:path";
import { parseRunFile, readRunFile, repoRoot } from "../src/index.js";
import { localPort, parseReplicas, withReplicas } from "../src/run-file.js";

describe("run file (dapr.yaml)", () => {
  it("describes the five apps, each with its own ports, and the control plane for order-processor only", () => {
    const topology = readRunFile(path.join(repoRoot, "dapr.yaml"));
    expect(topology.apps.map((a) => [a.appId, a.appPort])).to.deep.equal([
      ["order-processor", 3000],
      ["notifications", 3001],
      ["inventory", 3002],
      ["payments", 3003],
      ["shipping", 3004],
    ]);
    expect(topology.resourcesPath).to.equal(path.join(repoRoot, "dapr-components"));
    expect(topology.configFilePath).to.equal(path.join(repoRoot, "dapr-components", "local-config.yaml"));
    const [orders, ...others] = topology.apps;
    expect(orders).to.include({ placementHostAddress: "localhost:3800", schedulerHostAddress: "localhost:3801" });
    for (const app of others) expect(app).to.include({ placementHostAddress: undefined, schedulerHostAddress: undefined });
    for (const app of topology.apps) {
      expect(app.dir).to.equal(path.join(repoRoot, app.appId));
      expect(app.command).to.deep.equal(["node", "dist/src/main.js"]);
    }
  });

  const file = (apps: string, common = "") => `version: 1\n${common}apps:\n${apps}`;
  const app = (id: string, n: number, extra = "") =>
    `  - appID: ${id}\n    appDirPath: ./${id}\n    appPort: ${3000 + n}\n    daprHTTPPort: ${3500 + n}\n` +
    `    daprGRPCPort: ${3600 + n}\n    daprInternalGRPCPort: ${3700 + n}\n    metricsPort: ${9090 + n}\n` +
    `    command: ["node", "main.js"]\n${extra}`;
  const common = "common:\n  resourcesPath: ./components\n  env:\n    A: common\n    B: common\n";

  it("resolves paths against the file's folder and gives each app the common env under its own", () => {
    const topology = parseRunFile(file(app("one", 0, "    env:\n      B: own\n"), common), "/srv/x");
    expect(topology.resourcesPath).to.equal("/srv/x/components");
    expect(topology.apps[0]).to.include({ dir: "/srv/x/one", appPort: 3000, daprGrpcPort: 3600 });
    expect(topology.apps[0]!.env).to.deep.equal({ A: "common", B: "own" });
  });

  it("refuses what the local stack would not do as written", () => {
    const refused: [string, RegExp][] = [
      [file(app("one", 0, "    appProtocol: grpc\n"), common), /appProtocol not supported/],
      [file(app("one", 0) + app("one", 1), common), /one appears twice/],
      [file(app("one", 0) + app("two", 0), common), /port 3000 is given twice/],
      [file(app("one", 0, "    env:\n      PORT: '4000'\n"), common), /PORT 4000 differs from appPort 3000/],
      [file(app("one", 0, "    env:\n      N: 1\n"), common), /N must be a string/],
      [file(app("one", 0).replace("    appPort: 3000\n", ""), common), /appPort must be a port number/],
      [file(app("one", 0)), /common.resourcesPath must be a non-empty string/],
      [file(app("one", 0), common).replace("version: 1", "version: 2"), /version must be 1/],
    ];
    for (const [source, error] of refused) expect(() => parseRunFile(source, "/srv/x"), source).to.throw(error);
  });

  it("keeps every port below Linux's range for outgoing connections (32768-60999)", () => {
    const topology = readRunFile(path.join(repoRoot, "dapr.yaml"));
    const ports = topology.apps.flatMap((a) => [a.appPort, a.daprHttpPort, a.daprGrpcPort, a.daprInternalGrpcPort, a.metricsPort]);
    ports.push(localPort(topology.apps[0]!.placementHostAddress!), localPort(topology.apps[0]!.schedulerHostAddress!));
    expect(ports.filter((port) => port >= 32768)).to.deep.equal([]);
  });

  it("adds replicas with ports of their own, replica 1's + 10 per replica, below 32768 and never shared", () => {
    const topology = withReplicas(readRunFile(path.join(repoRoot, "dapr.yaml")), parseReplicas("order-processor=3, inventory=2"));
    const names = topology.apps.map((a) => a.name);
    expect(names).to.deep.equal([
      "order-processor",
      "order-processor-2",
      "order-processor-3",
      "notifications",
      "inventory",
      "inventory-2",
      "payments",
      "shipping",
    ]);
    const second = topology.apps[1]!;
    expect([second.appId, second.replica, second.appPort, second.daprHttpPort, second.daprGrpcPort]).to.deep.equal(["order-processor", 2, 3010, 3510, 3610]);
    expect([second.daprInternalGrpcPort, second.metricsPort]).to.deep.equal([3710, 9100]);
    expect(topology.apps[0]!.appPort, "the first replica keeps its ports").to.equal(3000);
    const all = withReplicas(readRunFile(path.join(repoRoot, "dapr.yaml")), {
      "order-processor": 10,
      notifications: 10,
      inventory: 10,
      payments: 10,
      shipping: 10,
    });
    const ports = all.apps.flatMap((a) => [a.appPort, a.daprHttpPort, a.daprGrpcPort, a.daprInternalGrpcPort, a.metricsPort]);
    expect(new Set(ports).size).to.equal(ports.length);
    expect(ports.filter((port) => port >= 32768)).to.deep.equal([]);
    // placement and scheduler (3800, 3801), and the ports npm start adds (3802-3808, 9095-9097)
    const controlPlane = [3800, 3801, 3802, 3803, 3804, 3805, 3806, 3807, 3808, 9095, 9096, 9097];
    expect(ports.filter((port) => controlPlane.includes(port))).to.deep.equal([]);
  });

  it("refuses replicas it cannot run", () => {
    const topology = readRunFile(path.join(repoRoot, "dapr.yaml"));
    expect(() => withReplicas(topology, { nowhere: 2 })).to.throw(/no app nowhere/);
    expect(() => withReplicas(topology, { inventory: 11 })).to.throw(/between 1 and 10/);
    expect(() => withReplicas(topology, { inventory: 0 })).to.throw(/between 1 and 10/);
    expect(() => parseReplicas("inventory:2")).to.throw(/<app id>=<count>/);
    expect(parseReplicas("")).to.deep.equal({});
    expect(withReplicas(topology, {}).apps).to.deep.equal(topology.apps);
  });

  it("starts placement and scheduler on a local port only", () => {
    expect(localPort("localhost:50005")).to.equal(50005);
    expect(localPort("127.0.0.1:50006")).to.equal(50006);
    expect(() => localPort("placement:50005")).to.throw(/localhost/);
  });
});
