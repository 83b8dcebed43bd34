// The Prometheus scrape configurations of observability/ against what they scrape:
// prometheus.yml against docker-compose.yml (every app and every sidecar a target,
// by its pod's address on the compose network and the right port), prometheus.local.yml
// against dapr.yaml (npm start); and the chart's pods' prometheus.io annotations
// against their apps' ports. The path of the apps' metrics is service-kit's.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { metricsPath } from "@dapr-orders/service-kit";
import { appPorts, ofKind, renderVariant, repoRoot, type Doc } from "./chart.js";

const readYaml = (file: string): Doc => parse(readFileSync(path.join(repoRoot, file), "utf8"), { merge: true });

interface Target {
  target: string;
  app: string;
}

/** A job of a scrape configuration: its path, and its static targets with their app label, sorted. */
function job(config: Doc, name: string): { path: string; targets: Target[] } {
  const found = (config.scrape_configs as Doc[]).find((j) => j.job_name === name);
  expect(found, `job ${name}`).to.not.equal(undefined);
  const targets = (found!.static_configs as Doc[]).flatMap((group) => (group.targets as string[]).map((target) => ({ target, app: group.labels?.app })));
  return { path: found!.metrics_path ?? "/metrics", targets: sorted(targets) };
}

const sorted = (targets: Target[]) => [...targets].sort((a, b) => a.target.localeCompare(b.target));

/** A daprd flag's value in a list of arguments (--name=value or --name value). */
function flag(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return args[i]!.includes("=") ? args[i]!.slice(name.length + 3) : args[i + 1];
}

describe("Prometheus scrape configurations (observability/)", () => {
  describe("prometheus.yml, for docker-compose.yml", () => {
    const compose = readYaml("docker-compose.yml");
    const config = readYaml("observability/prometheus.yml");
    const services = Object.entries(compose.services as Record<string, Doc>);
    /** The pod a service runs in: its network holder, which is its address on the compose network. */
    const pod = (service: Doc) => {
      expect(service.network_mode).to.match(/^service:.+-net$/);
      return String(service.network_mode).slice("service:".length);
    };
    const apps = services.filter(([, s]) => s.build !== undefined);
    const sidecars = services.filter(([, s]) => (s.entrypoint ?? []).includes("./daprd"));

    it("finds the five apps and their five sidecars in docker-compose.yml", () => {
      expect(apps.map(([name]) => name)).to.have.members(Object.keys(appPorts));
      expect(sidecars.map(([name]) => name)).to.have.members(Object.keys(appPorts).map((app) => `${app}-dapr`));
    });

    it("scrapes every app's GET /metrics at its pod, on the app's port", () => {
      const expected = apps.map(([name, s]) => ({ target: `${pod(s)}:${s.build.args.PORT}`, app: name }));
      expect(job(config, "apps")).to.deep.equal({ path: metricsPath, targets: sorted(expected) });
    });

    it("scrapes every sidecar at its pod, on its metrics port, which listens beyond the pod", () => {
      const expected = sidecars.map(([, s]) => {
        const args = [...s.entrypoint, ...(s.command ?? [])].map(String);
        expect(flag(args, "enable-metrics") ?? "true", "metrics enabled").to.equal("true");
        expect(flag(args, "metrics-listen-address") ?? "0.0.0.0", "metrics on every interface").to.equal("0.0.0.0");
        return { target: `${pod(s)}:${flag(args, "metrics-port") ?? 9090}`, app: flag(args, "app-id")! };
      });
      expect(job(config, "sidecars")).to.deep.equal({ path: "/", targets: sorted(expected) });
    });
  });

  describe("prometheus.local.yml, for npm start (dapr.yaml)", () => {
    const runFile = readYaml("dapr.yaml");
    const config = readYaml("observability/prometheus.local.yml");
    const apps = runFile.apps as Doc[];

    it("scrapes every app's GET /metrics on its port", () => {
      const expected = apps.map((a) => ({ target: `127.0.0.1:${a.appPort}`, app: a.appID }));
      expect(expected.map((t) => t.app)).to.have.members(Object.keys(appPorts));
      expect(job(config, "apps")).to.deep.equal({ path: metricsPath, targets: sorted(expected) });
    });

    it("scrapes every sidecar on its metricsPort", () => {
      const expected = apps.map((a) => ({ target: `127.0.0.1:${a.metricsPort}`, app: a.appID }));
      expect(job(config, "sidecars")).to.deep.equal({ path: "/", targets: sorted(expected) });
    });
  });

  describe("the chart", () => {
    it("annotates every app's pods for Prometheus: its GET /metrics on its port", () => {
      const deployments = ofKind(renderVariant("the default values"), "Deployment").filter(
        (d) => d.spec.template.metadata.annotations?.["dapr.io/enabled"] === "true",
      );
      expect(deployments).to.have.length(Object.keys(appPorts).length);
      for (const d of deployments) {
        const annotations = d.spec.template.metadata.annotations;
        const port = d.spec.template.spec.containers[0].ports[0].containerPort;
        expect(port).to.equal(appPorts[annotations["dapr.io/app-id"]]);
        expect(annotations, d.metadata.name).to.include({
          "prometheus.io/scrape": "true",
          "prometheus.io/port": String(port),
          "prometheus.io/path": metricsPath,
        });
      }
    });
  });
});
