// `docker compose up`, for real: the stack of docker-compose.yml is built and started
// as a user starts it (an app container and a daprd sidecar container per service,
// Redis, placement, scheduler), then the end-to-end suite (e2e-tests/) runs against
// its published ports, including a restart of the order-processor container and its
// sidecar container while an order waits for approval. The stack is always taken down
// with its volumes, after its logs are saved to test-artifacts/compose/.
//
// Where no container registry can be reached, the images come from local stand-ins
// (scripts/docker-standin-images.sh): the compose file is used as it is, only its
// image variables change.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect } from "chai";
import {
  appPorts,
  artifacts,
  composeArgs,
  listeners,
  project,
  repoRoot,
  run,
  runShown,
  takenPorts,
  teardown,
  teardownOnInterrupt,
  type RunOptions,
} from "./stack.js";

/**
 * What the stack runs with, and what the end-to-end suite expects of it
 * (e2e-tests/test/target.ts): the suite's defaults, among them a 15 s approval
 * timeout. Fixed here rather than taken from the caller's shell, so both sides agree.
 */
const settings = {
  APPROVAL_THRESHOLD: "1000",
  APPROVAL_TIMEOUT_SECONDS: "15",
  PAYMENT_CARD_LIMIT: "5000",
  SHIPPING_BLOCKED_CUSTOMERS: "nowhere",
  RESTOCK_QUANTITY: "100",
};

/** The image variables of docker-compose.yml (NODE_IMAGE is the base of the app images). */
const imageVariables = ["NODE_IMAGE", "REDIS_IMAGE", "DAPRD_IMAGE", "PLACEMENT_IMAGE", "SCHEDULER_IMAGE"];

const waitTimeoutSeconds = 180;

const shellQuote = (word: string) => (/^[\w@%+=:,./{}-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/**
 * How the durability test restarts an app with its sidecar ({app}: the app id): the
 * sidecar stops first, and starts after the app, in the app's new network namespace;
 * the command returns once both are healthy again (for order-processor: its workflow
 * worker connected, placement and scheduler reached), like `up --wait` at the start.
 *
 * Not `docker compose restart`: it restarts the app while the old sidecar still runs,
 * and in about a third of the tries Dapr then took 8 s to reach the workflow actors of
 * the new sidecar (an approval right after the restart waited 8 s, or failed after 5 s).
 */
const restartCommand = [
  ["docker", ...composeArgs, "stop", "{app}-dapr", "{app}"],
  ["docker", ...composeArgs, "up", "--detach", "--wait", "--wait-timeout", "60", "{app}", "{app}-dapr"],
]
  .map((command) => command.map(shellQuote).join(" "))
  .join(" && ");

const script = (name: string) => path.join(repoRoot, "scripts", name);
const mochaBin = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");

/**
 * The image variables: the caller's where they are set (to test other images), local
 * stand-ins for the others (built the first time, then cached).
 */
async function imageEnv(): Promise<Record<string, string>> {
  const fromCaller = Object.fromEntries(imageVariables.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  if (Object.keys(fromCaller).length === imageVariables.length) return fromCaller;
  const exports = await run(script("docker-standin-images.sh"), [], { showStderr: true });
  const standIns = Object.fromEntries([...exports.matchAll(/^export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(standIns), "variables printed by docker-standin-images.sh").to.have.members(imageVariables);
  return { ...standIns, ...fromCaller };
}

describe(`docker compose (docker-compose.yml, project ${project})`, function () {
  let env: NodeJS.ProcessEnv;
  let images: Record<string, string>;
  let stopHandlingInterrupts: (() => void) | undefined;
  const compose = (args: string[], options: RunOptions = {}) => run("docker", [...composeArgs, ...args], { env, ...options });

  before(async function () {
    // Minutes the first time on a machine (Docker from apt, Compose built with Go, the
    // stand-in images, and Dapr built with Go for them), then about a second.
    this.timeout(45 * 60_000);
    stopHandlingInterrupts = teardownOnInterrupt();
    await run(script("docker-engine.sh"), [], { showStderr: true });
    images = await imageEnv();
    env = { ...process.env, ...settings, ...images };
    console.log(`    images: ${imageVariables.map((name) => `${name}=${images[name]}`).join(" ")}`);
  });

  after(() => stopHandlingInterrupts?.());

  it("is a valid compose file, whose images all come from its image variables or its builds", async () => {
    await compose(["config", "--quiet"]);
    const used = (await compose(["config", "--images"])).split("\n").filter(Boolean);
    const allowed = new Set(Object.values(images));
    const unexpected = used.filter((image) => !allowed.has(image) && !image.startsWith(`${project}-`));
    expect(unexpected, "images that would be pulled from a registry").to.deep.equal([]);
  });

  describe("the stack, up", function () {
    before(async function () {
      this.timeout(15 * 60_000); // the app images: about 30 s with an empty build cache
      // A stack of this project left behind by a run that was killed: gone first.
      await compose(["down", "--volumes", "--remove-orphans"]);
      const taken = await takenPorts(appPorts);
      if (taken.length > 0) {
        throw new Error(
          `127.0.0.1:${taken.join(", ")} ${taken.length > 1 ? "are" : "is"} taken, and the stack publishes ${appPorts.join(", ")} there. ` +
            `Stop what listens (another \`docker compose up\`: \`docker compose down\`; the local stack: Ctrl-C on \`npm start\`), then run again.\n` +
            listeners(taken),
        );
      }
      mkdirSync(artifacts, { recursive: true });
      const started = Date.now();
      await compose(["up", "--detach", "--build", "--wait", "--wait-timeout", String(waitTimeoutSeconds)], {
        log: path.join(artifacts, "up.log"),
      });
      console.log(`    stack built and healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

    after(async function () {
      this.timeout(3 * 60_000);
      const started = Date.now();
      const problems = await teardown();
      console.log(
        `    stack down in ${((Date.now() - started) / 1000).toFixed(1)} s; its logs are in ${path.relative(repoRoot, artifacts)}/compose.log`,
      );
      if (problems.length > 0) throw new Error(problems.join("\n"));
    });

    it("passes the end-to-end suite on the published ports, and outlives a restart of order-processor", async function () {
      this.timeout(20 * 60_000);
      // The suite as `npm test` runs it in e2e-tests/ (mocha with its .mocharc.json).
      const code = await runShown(process.execPath, [mochaBin], path.join(repoRoot, "e2e-tests"), {
        ...env,
        E2E_STACK: "external",
        ORDERS_URL: "http://127.0.0.1:3000",
        NOTIFICATIONS_URL: "http://127.0.0.1:3001",
        INVENTORY_URL: "http://127.0.0.1:3002",
        PAYMENTS_URL: "http://127.0.0.1:3003",
        SHIPPING_URL: "http://127.0.0.1:3004",
        E2E_RESTART_COMMAND: restartCommand,
      });
      expect(code, "exit code of the end-to-end suite (its report is above)").to.equal(0);
    });
  });
});
