// The chart's Dapr resources agree with dapr-components/, whatever files are there now:
// the chart renders them from those very files (its dapr-components is a link), and
// this shows that nothing is lost or changed on the way but what the chart adds on
// purpose, that its own Configuration agrees with the others, and that everything
// the resources refer to (REDIS_HOST on the sidecars, Secrets, app ids, components)
// is in the chart. Broken copies show that each check can fail.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { stringify } from "yaml";
import { chartDir, componentsFolder, helm, render, renderVariant, variants, type Doc, type SourceDoc } from "./chart.js";
import { brokenReferences, disagreements } from "./agreement.js";

describe("the chart's Dapr resources and dapr-components/ agree", function () {
  let sources: SourceDoc[];

  before(function () {
    this.timeout(15 * 60_000); // the first run builds Helm
    helm();
    sources = componentsFolder();
  });

  it("reads every file of dapr-components/ (whatever is there), with components, subscriptions, resiliency and configurations", () => {
    const kinds = new Set(sources.map(({ doc }) => doc.kind));
    for (const kind of ["Component", "Subscription", "Resiliency", "Configuration"]) expect([...kinds]).to.include(kind);
  });

  for (const [name, values] of Object.entries(variants)) {
    it(`renders every resource of the files but their Configurations, unchanged but for its labels and Redis password, with ${name}`, () => {
      expect(disagreements(sources, renderVariant(name)), "disagreements").to.deep.equal([]);
    });

    it(`provides everything they refer to, with ${name}`, () => {
      const external = [values["redis.auth.existingSecret"]].filter((s): s is string => typeof s === "string");
      expect(brokenReferences(renderVariant(name), external), "broken references").to.deep.equal([]);
    });
  }

  describe("finds a disagreement in a broken copy", () => {
    const changed = (change: (docs: Doc[]) => void) => {
      const copy = structuredClone(sources);
      change(copy.map(({ doc }) => doc));
      return copy;
    };
    const byName = (docs: Doc[], name: string) => docs.find((doc) => doc.metadata.name === name)!;
    const breakages: [what: string, files: () => SourceDoc[], found: RegExp][] = [
      ["a component's scopes", () => changed((docs) => byName(docs, "pubsub").scopes.pop()), /Component pubsub: scopes/],
      ["a component's type", () => changed((docs) => (byName(docs, "inventory-state").spec.type = "state.postgresql")), /inventory-state: spec\.type/],
      [
        "a subscription's topic",
        () => changed((docs) => (byName(docs, "notifications-sub").spec.topic = "orders")),
        /notifications-sub: spec\.topic: "orders" ≠ "notifications"/,
      ],
      ["a subscription's route", () => changed((docs) => (byName(docs, "notifications-sub").spec.routes.default = "/events")), /spec\.routes\.default/],
      [
        "a dead-letter topic",
        () => changed((docs) => delete byName(docs, "notifications-sub").spec.deadLetterTopic),
        /spec\.deadLetterTopic: undefined ≠ "notifications-deadletter"/,
      ],
      [
        "a resiliency target",
        () => changed((docs) => delete byName(docs, "order-resiliency").spec.targets.apps.payments),
        /order-resiliency: spec\.targets\.apps\.payments/,
      ],
      [
        "a file the chart does not render",
        () => [
          ...sources,
          {
            file: "dapr-components/lock.yaml",
            doc: { apiVersion: "dapr.io/v1alpha1", kind: "Component", metadata: { name: "lock" }, spec: { type: "lock.redis", version: "v1", metadata: [] } },
          },
        ],
        /lock\.yaml: Component lock is in the chart 0 times/,
      ],
      [
        "a resource of the chart in no file",
        () => sources.filter(({ doc }) => doc.metadata.name !== "records-state"),
        /Component records-state: in the chart, in no file/,
      ],
      [
        "an access control operation",
        () =>
          changed((docs) => {
            const accessControl = byName(docs, "access-control").spec.accessControl;
            accessControl.policies[0].operations[0].httpVerb = ["POST", "DELETE"];
          }),
        /access-control: spec\.accessControl\.policies\.0\.operations\.0\.httpVerb\.1: "DELETE" ≠ undefined/,
      ],
      [
        "a Configuration's workflow limit",
        () =>
          changed((docs) => {
            const configuration = docs.find((doc) => doc.kind === "Configuration")!;
            configuration.spec.workflow = { ...configuration.spec.workflow, maxConcurrentWorkflowInvocations: 100 };
          }),
        /Configuration .*: spec\.workflow\.maxConcurrentWorkflowInvocations: 100 ≠ 40/,
      ],
    ];
    for (const [what, files, found] of breakages) {
      it(what, () => {
        expect(disagreements(files(), renderVariant("the default values")).join("\n")).to.match(found);
      });
    }

    it("a chart whose dapr-components is a stale copy instead of the link", function () {
      this.timeout(30_000);
      const dir = mkdtempSync(path.join(os.tmpdir(), "chart-copy-"));
      try {
        const chart = path.join(dir, "dapr-orders");
        cpSync(chartDir, chart, { recursive: true, dereference: true });
        const stale = sources.filter(({ file }) => file === "dapr-components/subscription.yaml").map(({ doc }) => structuredClone(doc));
        stale[0]!.spec.deadLetterTopic = "old-deadletter";
        writeFileSync(path.join(chart, "dapr-components", "subscription.yaml"), stale.map((doc) => stringify(doc)).join("---\n"));
        expect(disagreements(sources, render({}, chart)).join("\n")).to.match(/spec\.deadLetterTopic: "notifications-deadletter" ≠ "old-deadletter"/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("finds a broken reference in a broken copy", () => {
    const rendered = () => renderVariant("the default values");
    const deployment = (docs: Doc[], app: string) =>
      docs.find((doc) => doc.kind === "Deployment" && doc.spec.template.metadata.annotations["dapr.io/app-id"] === app)!;
    const breakages: [what: string, broken: () => Doc[], found: RegExp][] = [
      [
        "a sidecar without REDIS_HOST",
        () => {
          const docs = rendered();
          delete deployment(docs, "inventory").spec.template.metadata.annotations["dapr.io/env"];
          return docs;
        },
        /Component inventory-state: redisHost reads REDIS_HOST, which inventory's sidecar does not have/,
      ],
      [
        "a Redis Secret that is not rendered",
        () => rendered().filter((doc) => !(doc.kind === "Secret" && doc.metadata.name.endsWith("-redis"))),
        /redisPassword refers to Secret dapr-orders-redis key password, which is not there/,
      ],
      [
        "an app id in scopes that no app has",
        () => {
          const docs = rendered();
          docs.find((doc) => doc.kind === "Subscription")!.scopes.push("billing");
          return docs;
        },
        /scopes: app id billing is no app of the chart/,
      ],
      [
        "a subscriber out of the pub/sub component's scopes",
        () => {
          const docs = rendered();
          const pubsub = docs.find((doc) => doc.kind === "Component" && doc.spec.type.startsWith("pubsub."))!;
          pubsub.scopes = pubsub.scopes.filter((app: string) => app !== "notifications");
          return docs;
        },
        /notifications subscribes, but Component pubsub is not in its scope/,
      ],
      ["a Configuration the sidecars do not find", () => rendered().filter((doc) => doc.kind !== "Configuration"), /dapr\.io\/config dapr-orders is not there/],
    ];
    for (const [what, broken, found] of breakages) {
      it(what, () => {
        expect(brokenReferences(broken()).join("\n")).to.match(found);
      });
    }
  });
});
