// `docker compose up`, for real: the stack of docker-compose.yml is built and started
// as a user starts it (its secrets from scripts/compose-env.sh; per app a holder of its
// network namespace, the app's container and its daprd sidecar container; Redis,
// Sentry, placement, scheduler), then the end-to-end suite (e2e-tests/) runs against
// its published ports, including a restart of the order-processor container and its
// sidecar container while an order waits for approval, what an app's container
// could try against Dapr's security, and the metrics a Prometheus on the compose
// network would scrape (observability/prometheus.yml). The stack is taken down with
// its volumes after the last test file (the root hooks), after its logs are saved to
// test-artifacts/compose/.
//
// Where no container registry can be reached, the images come from local stand-ins
// (scripts/docker-standin-images.sh): the compose file is used as it is, only its
// image variables change.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { compose, composeArgs, imageVariables, project, provision, repoRoot, run, runShown, stackUp } from "./stack.js";

const shellQuote = (word: string) => (/^[\w@%+=:,./{}-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/**
 * How the durability test restarts an app with its sidecar ({app}: the app id): the
 * sidecar stops first, and starts after the app; the command returns once both are
 * healthy again (for order-processor: its workflow worker connected, placement and
 * scheduler reached), like `up --wait` at the start.
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

const mochaBin = createRequire(import.meta.url).resolve("mocha/bin/mocha.js");

describe(`docker compose (docker-compose.yml, project ${project})`, function () {
  let env: NodeJS.ProcessEnv;

  before(async function () {
    // Minutes the first time on a machine (Docker from apt, Compose built with Go, the
    // stand-in images, and Dapr built with Go for them), then about a second.
    this.timeout(45 * 60_000);
    env = await provision();
  });

  it("is a valid compose file, whose images all come from its image variables or its builds", async () => {
    await compose(["config", "--quiet"]);
    const used = (await compose(["config", "--images"])).split("\n").filter(Boolean);
    const allowed = new Set(imageVariables.map((name) => env[name]));
    const unexpected = used.filter((image) => !allowed.has(image) && !image.startsWith(`${project}-`));
    expect(unexpected, "images that would be pulled from a registry").to.deep.equal([]);
  });

  describe("the stack, up", function () {
    before(async function () {
      this.timeout(15 * 60_000); // the app images: about 30 s with an empty build cache
      await stackUp();
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

    // What a compromised app's container could try: it has its own sidecar, and that
    // sidecar's Dapr API token (the end-to-end suite tries the rest from the host).
    describe("Dapr's security inside the stack", function () {
      this.timeout(60_000);

      /** Runs `script` with node in the app's container (its network namespace is its sidecar's); what it prints. */
      const inApp = (app: string, script: string) => compose(["exec", "-T", app, "node", "--input-type=module", "-e", script]);
      /** Prints the status of a charge that the app's own sidecar is asked to make at payments. */
      const charge = `
        const res = await fetch("http://127.0.0.1:3500/v1.0/invoke/payments/method/api/v1/payments", {
          method: "POST",
          headers: { "content-type": "application/json", "dapr-api-token": process.env.DAPR_API_TOKEN },
          body: JSON.stringify({ id: crypto.randomUUID(), customer: "mallory", total: 5 }),
        });
        console.log(res.status, await res.text());`;

      it("denies a sidecar of another app invoking payments (403, access control over mTLS); lets order-processor's in", async () => {
        const denied = await inApp("shipping", charge);
        expect(denied).to.match(/^403 .*access control policy has denied access to id: spiffe:\/\/public\/ns\/default\/shipping/);
        expect(await inApp("order-processor", charge)).to.match(/^201 .*"success":true/);
      });

      it("keeps each sidecar's API to its own pod, and Redis to those with its password", async () => {
        const reach = `
          const res = await fetch("http://order-processor-net:3500/v1.0/healthz", { signal: AbortSignal.timeout(3000) }).catch((err) => err);
          console.log(res instanceof Error ? "unreachable" : res.status);`;
        expect((await inApp("shipping", reach)).trim(), "order-processor's sidecar, from shipping's pod").to.equal("unreachable");
        const ping = await compose(["exec", "-T", "-e", "REDISCLI_AUTH=", "redis", "redis-cli", "ping"]);
        expect(ping).to.match(/NOAUTH/);
        expect((await compose(["exec", "-T", "redis", "redis-cli", "ping"])).trim(), "with the password").to.equal("PONG");
      });

      it("runs every container read-only, without capabilities, unable to gain privileges; Redis without its password on the command line", async () => {
        const ids = (await compose(["ps", "-q"])).split("\n").filter(Boolean);
        const inspected = JSON.parse(await run("docker", ["inspect", ...ids])) as { Name: string; Args: string[]; HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null } }[];
        expect(inspected.length).to.be.greaterThan(15);
        for (const c of inspected) {
          expect(c.HostConfig.ReadonlyRootfs, `${c.Name} read-only`).to.equal(true);
          expect(c.HostConfig.CapDrop ?? [], `${c.Name} capabilities`).to.include("ALL");
          expect(c.HostConfig.SecurityOpt ?? [], `${c.Name} no-new-privileges`).to.include("no-new-privileges:true");
        }
        const redis = inspected.find((c) => /[-_]redis[-_]/.test(c.Name))!;
        expect(redis.Args.join(" "), "Redis's command line").to.not.include("requirepass");
        const password = (await provision()).REDIS_PASSWORD!;
        expect(redis.Args.join(" ")).to.not.include(password);
      });

      it("gives each sidecar a Redis user of its own, that reaches its own keys only", async () => {
        const env = await provision();
        const asUser = (user: string, passwordVariable: string, ...command: string[]) =>
          compose(["exec", "-T", "-e", "REDISCLI_AUTH=", "redis", "redis-cli", "--no-auth-warning", "--user", user, "--pass", env[passwordVariable]!, ...command]);
        expect((await asUser("shipping", "SHIPPING_REDIS_PASSWORD", "GET", "inventory||kiwi")).trim(), "shipping reading inventory's stock").to.match(/NOPERM/);
        expect((await asUser("shipping", "SHIPPING_REDIS_PASSWORD", "SET", "payments||x", "1")).trim(), "shipping writing payments' records").to.match(/NOPERM/);
        expect((await asUser("notifications-app", "NOTIFICATIONS_APP_REDIS_PASSWORD", "GET", "order-processor||x")).trim(), "notifications reading workflow state").to.match(/NOPERM/);
        expect((await asUser("inventory", "INVENTORY_REDIS_PASSWORD", "FLUSHALL")).trim(), "a dangerous command").to.match(/NOPERM/);
        expect((await asUser("shipping", "SHIPPING_REDIS_PASSWORD", "EXISTS", "shipping||none")).trim(), "its own keys").to.equal("0");
      });
    });

    it("serves metrics at every target of observability/prometheus.yml, on the compose network, as Prometheus would scrape them", async function () {
      this.timeout(60_000);
      const config = parse(readFileSync(path.join(repoRoot, "observability", "prometheus.yml"), "utf8"));
      const urls: string[] = config.scrape_configs.flatMap((job: { metrics_path: string; static_configs: { targets: string[] }[] }) =>
        job.static_configs.flatMap((group) => group.targets.map((target) => `http://${target}${job.metrics_path}`)),
      );
      expect(urls).to.have.length(10);
      // From a container on the compose network (shipping's): each target's status, and whether it answers Node's or Dapr's metrics.
      const script = `
        for (const url of ${JSON.stringify(urls)}) {
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((err) => err);
          const text = res instanceof Error ? "" : await res.text();
          console.log(url, res instanceof Error ? "unreachable" : res.status, text.includes("process_cpu_seconds_total") || text.includes("dapr_"));
        }`;
      const lines = (await compose(["exec", "-T", "shipping", "node", "--input-type=module", "-e", script])).trim().split("\n");
      expect(lines).to.deep.equal(urls.map((url) => `${url} 200 true`));
    });
  });
});
