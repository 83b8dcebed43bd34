// The dev container, started for real with the Dev Containers CLI (`devcontainer up`,
// the @devcontainers/cli package, as VS Code and Codespaces do) on this repository's
// .devcontainer/devcontainer.json. Its base image and its docker-in-docker feature come
// from registries this machine may not reach, so an override configuration puts local
// stand-ins in their place (compose-tests/devcontainer-standins/); everything else of
// the configuration is the repository's, its postCreateCommand and postStartCommand
// included. The stand-in images of the compose stack (scripts/docker-standin-images.sh)
// are loaded into the container's own Docker beforehand, as a registry would serve them.
//
// It runs on a copy of the repository's files (postCreateCommand's `npm ci` writes
// node_modules into the workspace), and removes the container, its Docker volume, the
// images built for it and the copy afterwards, also when it fails.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { artifacts, imageVariables, provision, repoRoot, run } from "./stack.js";

/** Every container, volume and image of this test carries this label (or name), so a leftover of an interrupted run is found. */
const label = "dapr-orders.devcontainer-test";
/** The container's /var/lib/docker: the compose stack's stand-in images, loaded before `up`. */
const dockerVolume = "dapr-orders-devcontainer-test-docker";
/** The image `devcontainer build` makes (base and features), used to fill dockerVolume. */
const builtImage = "local/dapr-orders-devcontainer-test";
/** The stand-in of mcr.microsoft.com/devcontainers/javascript-node:24-bookworm (kept, like the other stand-ins). */
const baseImage = "local/devcontainers-javascript-node:24-bookworm";
const standIns = path.join(repoRoot, "compose-tests", "devcontainer-standins");
const cli = path.join(repoRoot, "node_modules", "@devcontainers", "cli", "devcontainer.js");
const composePlugin = path.join(os.homedir(), ".docker", "cli-plugins", "docker-compose");
/**
 * What the stand-in of docker-in-docker needs of `docker run` on a machine whose root lacks
 * a capability (CAP_SYS_RESOURCE here), where --privileged, which asks for all of them,
 * cannot start a container: every capability but that one (the feature asks for ALL), and
 * a cgroup namespace of its own, in which its entrypoint mounts the cgroups writable.
 */
const machineRunArgs = ["--cap-drop=SYS_RESOURCE", "--cgroupns=private"];

const docker = (...args: string[]) => spawnSync("docker", args, { encoding: "utf8" });
const lines = (text: string | null) => (text ?? "").split("\n").filter(Boolean);

/** Removes what a run of this test leaves: its containers (with their anonymous volumes), its volume, its images. */
function cleanUp(): void {
  const containers = lines(docker("ps", "--all", "--quiet", "--filter", `label=${label}`).stdout);
  const images = new Set(containers.map((id) => docker("inspect", "--format", "{{.Image}}", id).stdout.trim()).filter(Boolean));
  if (containers.length > 0) docker("rm", "--force", "--volumes", ...containers);
  docker("volume", "rm", "--force", dockerVolume);
  for (const image of [...images, builtImage]) docker("image", "rm", "--force", image);
  // The images the CLI names after the workspace folder (vsc-<folder>-<hash>...): this test's folders start with its prefix.
  const named = lines(docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").stdout).filter((i) => i.startsWith("vsc-dapr-orders-devcontainer-"));
  if (named.length > 0) docker("image", "rm", "--force", ...named);
}

describe("the dev container, started with the Dev Containers CLI", function () {
  this.timeout(25 * 60_000);
  let scratch: string; // the workspace, and the CLI's temporary files
  let workspace: string;
  let env: NodeJS.ProcessEnv;
  let containerId: string;
  const log = (name: string) => path.join(artifacts, name);
  // `build` takes the override as its configuration (it has no --override-config); `up` as the override of the repository's.
  const devcontainer = (command: "build" | "up", args: string[], logFile: string) => {
    const override = path.join(workspace, ".devcontainer", "standin.json");
    const configArgs = command === "build" ? ["--config", override] : ["--override-config", override];
    return run(process.execPath, [cli, command, "--workspace-folder", workspace, ...configArgs, "--log-level", "info", ...args], {
      env: { ...env, TMPDIR: path.join(scratch, "tmp") },
      log: log(logFile),
    });
  };
  const inside = (command: string) => run("docker", ["exec", "--workdir", `/workspaces/${path.basename(workspace)}`, containerId, "sh", "-c", command], { env });

  before(async function () {
    cleanUp(); // a leftover of an interrupted run
    env = await provision(); // Docker, Compose v2 and the compose stack's stand-in images
    mkdirSync(artifacts, { recursive: true });

    // The workspace: the repository's files (tracked, and new ones not ignored), without node_modules or caches.
    scratch = mkdtempSync(path.join(os.tmpdir(), "dapr-orders-devcontainer-test-"));
    mkdirSync(path.join(scratch, "tmp"));
    workspace = path.join(scratch, "dapr-orders-devcontainer");
    const files = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" });
    expect(files.status, files.stderr).to.equal(0);
    for (const file of files.stdout.split("\0").filter(Boolean)) {
      if (!existsSync(path.join(repoRoot, file))) continue; // deleted, not yet committed
      mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
      cpSync(path.join(repoRoot, file), path.join(workspace, file), { verbatimSymlinks: true });
    }

    // The stand-ins: the base image, and the feature folder (with the host's Compose v2 plugin in it).
    await run("docker", ["build", "--tag", baseImage, "--build-arg", `NODE_IMAGE=${env.NODE_IMAGE}`, path.join(standIns, "base")], {
      log: log("devcontainer-base-build.log"),
    });
    const feature = path.join(workspace, ".devcontainer", "standin-docker-in-docker");
    cpSync(path.join(standIns, "docker-in-docker"), feature, { recursive: true });
    copyFileSync(composePlugin, path.join(feature, "docker-compose"));
    chmodSync(path.join(feature, "docker-compose"), 0o755);

    // The override: the repository's configuration, with the stand-ins in place of the
    // image and the feature, the compose stack's images named (as scripts/docker-standin-images.sh
    // exports them), and the volume of preloaded images as the container's /var/lib/docker.
    const config = JSON.parse(readFileSync(path.join(repoRoot, ".devcontainer", "devcontainer.json"), "utf8"));
    expect(Object.keys(config.features), "the features the stand-ins replace").to.deep.equal(["ghcr.io/devcontainers/features/docker-in-docker:2"]);
    const override = {
      ...config,
      image: baseImage,
      features: { "./standin-docker-in-docker": {} },
      containerEnv: { ...config.containerEnv, ...Object.fromEntries(imageVariables.map((name) => [name, env[name]!])) },
      mounts: [...(config.mounts ?? []), `source=${dockerVolume},target=/var/lib/docker,type=volume`],
      runArgs: [...(config.runArgs ?? []), ...machineRunArgs, "--label", label],
    };
    writeFileSync(path.join(workspace, ".devcontainer", "standin.json"), JSON.stringify(override, null, 2));

    // The container's Docker, filled with the compose stack's images before the container starts.
    await devcontainer("build", ["--image-name", builtImage], "devcontainer-build.log");
    const images = imageVariables.map((name) => env[name]!);
    await run(
      "bash",
      [
        "-c",
        `set -o pipefail; docker volume create --label ${label} ${dockerVolume} >/dev/null && docker save ${images.join(" ")} | ` +
          `docker run --rm -i --cap-add=ALL --security-opt seccomp=unconfined ${machineRunArgs.join(" ")} --label ${label} ` +
          `--volume ${dockerVolume}:/var/lib/docker --entrypoint sh ${builtImage} -c ` +
          `'dockerd >/tmp/dockerd.log 2>&1 & until docker info >/dev/null 2>&1; do sleep 0.5; done; docker load; s=$?; kill $!; wait; exit $s'`,
      ],
      { log: log("devcontainer-preload.log") },
    );
  });

  after(function () {
    this.timeout(3 * 60_000);
    if (containerId !== undefined) {
      const ps = docker("exec", containerId, "docker", "ps", "--all");
      writeFileSync(log("devcontainer-inner-ps.txt"), ps.stdout + ps.stderr);
    }
    cleanUp();
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    const left = lines(docker("ps", "--all", "--quiet", "--filter", `label=${label}`).stdout);
    expect(left, "containers left by the test").to.deep.equal([]);
  });

  it("comes up: postCreateCommand (npm ci) and postStartCommand (the compose stack) succeed", async () => {
    const started = Date.now();
    const stdout = await devcontainer("up", [], "devcontainer-up.log");
    const outcome = JSON.parse(lines(stdout).at(-1)!) as { outcome: string; containerId: string; message?: string };
    expect(outcome, "devcontainer up's answer").to.include({ outcome: "success" });
    containerId = outcome.containerId;
    console.log(`    up in ${((Date.now() - started) / 1000).toFixed(0)} s (log: ${path.relative(repoRoot, log("devcontainer-up.log"))})`);
    const upLog = readFileSync(log("devcontainer-up.log"), "utf8");
    for (const command of ["postCreateCommand", "postStartCommand"]) expect(upLog, `the CLI ran ${command}`).to.include(`Running the ${command} from `);
    // What each command leaves: the workspace's dependencies, and the compose stack running, every service healthy or done.
    await inside("test -d node_modules/@dapr/dapr");
    const states = lines(await inside("docker compose ps --format '{{.Service}} {{.State}} {{.Health}}'")).map((line) => line.trim());
    for (const app of ["order-processor", "notifications", "inventory", "payments", "shipping"]) {
      expect(states, `${app} in the compose stack`).to.satisfy((all: string[]) => all.some((s) => new RegExp(`^${app} running( healthy)?$`).test(s)));
    }
  });

  it("serves the dashboard inside the container", async () => {
    expect(containerId, "the container from the test before").to.be.a("string");
    const page = await inside("curl --silent --show-error --fail --max-time 10 http://127.0.0.1:3001/");
    expect(page).to.include("<title>Orders, live</title>");
    const inventory = JSON.parse(await inside("curl --silent --show-error --fail --max-time 10 http://127.0.0.1:3001/api/inventory"));
    expect(inventory).to.have.property("items").that.is.an("array");
  });
});
