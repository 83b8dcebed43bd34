// .devcontainer/devcontainer.json, checked without starting a dev container: it
// matches the schema of the properties it uses (devcontainer.schema.json, next to
// this package.json), forwards the five app ports with their labels, and starts the
// compose stack of this repository. The schema is also shown to refuse broken copies,
// so that a test that passes means something.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { repoRoot } from "./stack.js";

const configFile = path.join(repoRoot, ".devcontainer", "devcontainer.json");
const schemaFile = path.join(repoRoot, "compose-tests", "devcontainer.schema.json");

/** The app ports and the service each one belongs to (README: the services and their ports). */
/** The ports the dev container forwards: the five apps', and Zipkin's (the dashboard links traces there). */
const forwardedPorts: Record<number, string> = {
  3000: "order-processor",
  3001: "notifications",
  3002: "inventory",
  3003: "payments",
  3004: "shipping",
  9411: "Zipkin",
};

type Json = any;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, "utf8"));
const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("\n");

describe("dev container (.devcontainer/devcontainer.json)", () => {
  let validate: ValidateFunction;
  let config: Json;

  before(() => {
    // Strict mode (the default) also refuses unknown keywords in the schema itself.
    validate = new Ajv({ allErrors: true }).compile(readJson(schemaFile));
    config = readJson(configFile);
  });

  it("matches the schema of the properties it uses", () => {
    expect(validate(config), describeErrors(validate.errors)).to.equal(true);
  });

  it("forwards exactly the app ports 3000-3004 and Zipkin's 9411, each labelled with its service", () => {
    const ports = Object.keys(forwardedPorts).map(Number);
    expect(config.forwardPorts).to.deep.equal(ports);
    expect(Object.keys(config.portsAttributes).map(Number)).to.have.members(ports);
    for (const port of ports) {
      expect(config.portsAttributes[port].label, `label of port ${port}`).to.include(forwardedPorts[port]);
    }
    expect(config.portsAttributes[3001].onAutoForward, "the dashboard opens in a browser").to.equal("openBrowser");
  });

  it("starts the compose stack of this repository, and waits for it", () => {
    const command = [config.postStartCommand].flat().join(" ");
    expect(command).to.match(/docker compose up\b.*--wait/);
    // docker compose looks for docker-compose.yml in the workspace folder (the repository root).
    const file = /(?:-f|--file)[ =](\S+)/.exec(command)?.[1] ?? "docker-compose.yml";
    expect(existsSync(path.join(repoRoot, file)), `${file} in the repository`).to.equal(true);
    const openFiles = config.customizations.codespaces.openFiles as string[];
    for (const opened of openFiles) expect(existsSync(path.join(repoRoot, opened)), opened).to.equal(true);
  });

  describe("the schema refuses a broken copy", () => {
    const breakages: [what: string, change: (c: Json) => void, errorAt: string][] = [
      ["a misspelt property", (c) => (c.forwardedPorts = c.forwardPorts), ""],
      ["a port out of range", (c) => c.forwardPorts.push(70000), "/forwardPorts/6"],
      ["a port attribute that is not a port", (c) => (c.portsAttributes.dashboard = { label: "x" }), "/portsAttributes"],
      ["an unknown onAutoForward", (c) => (c.portsAttributes["3001"].onAutoForward = "openbrowser"), "/portsAttributes/3001/onAutoForward"],
      ["a misspelt port attribute", (c) => (c.portsAttributes["3000"].lable = "x"), "/portsAttributes/3000"],
      ["a command that is a number", (c) => (c.postStartCommand = 42), "/postStartCommand"],
      ["a command object with an empty command", (c) => (c.postCreateCommand = { install: "" }), "/postCreateCommand"],
      ["an extension id without its publisher", (c) => c.customizations.vscode.extensions.push("vscode-dapr"), "/customizations/vscode/extensions/3"],
      ["a misspelt customization", (c) => (c.customizations.vscode.extension = []), "/customizations/vscode"],
      ["openFiles that is not a list", (c) => (c.customizations.codespaces.openFiles = "README.md"), "/customizations/codespaces/openFiles"],
      ["a feature with options that are a number", (c) => (c.features["ghcr.io/devcontainers/features/docker-in-docker:2"] = 2), "/features/ghcr.io~1devcontainers~1features~1docker-in-docker:2"],
      ["no image", (c) => delete c.image, ""],
    ];
    for (const [what, change, errorAt] of breakages) {
      it(what, () => {
        const broken = structuredClone(config);
        change(broken);
        expect(validate(broken), "the broken copy passed").to.equal(false);
        expect(validate.errors!.map((e) => e.instancePath), describeErrors(validate.errors)).to.include(errorAt);
      });
    }
  });
});
