// Every Kubernetes object the chart renders, validated against the schemas of
// Kubernetes 1.37 that the PyPI package kubernetes-validate bundles, in strict mode:
// unknown fields are refused, as `kubectl apply` (strict field validation) refuses them.
// Dapr's resources have no schema there: dapr-crds.test.ts checks them.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect } from "chai";
import { helm, isDapr, kubernetesVersion, named, provision, renderVariant, repoRoot, variants, type Doc } from "./chart.js";

interface Result {
  kind: string;
  name: string;
  result: "valid" | "invalid" | "no schema";
  message?: string;
}

let python: string;
function validate(objects: Doc[]): Result[] {
  const script = path.join(repoRoot, "chart-tests", "kubernetes_validate_objects.py");
  const run = spawnSync(python, [script, kubernetesVersion], { input: JSON.stringify(objects), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`kubernetes-validate failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Result[];
}
const problems = (results: Result[]) => results.filter((r) => r.result !== "valid").map((r) => `${r.kind} ${r.name}: ${r.result}: ${r.message}`);

describe(`Kubernetes objects against the schemas of Kubernetes ${kubernetesVersion} (kubernetes-validate, strict)`, function () {
  before(function () {
    this.timeout(15 * 60_000); // the first run builds Helm and installs kubernetes-validate
    helm();
    python = provision("kubernetes-validate.sh");
  });

  for (const name of Object.keys(variants)) {
    it(`every object rendered with ${name} is valid`, () => {
      const objects = renderVariant(name).filter((doc) => !isDapr(doc));
      expect(objects.length).to.be.greaterThan(5);
      const results = validate(objects);
      expect(problems(results), "objects that failed").to.deep.equal([]);
      // Every object was checked against a schema of its own kind (none skipped as unknown).
      expect(results.map((r) => `${r.kind} ${r.name}`)).to.deep.equal(objects.map(named));
    });
  }

  describe("refuses a broken copy", () => {
    const deployment = (docs: Doc[]) => docs.find((doc) => doc.kind === "Deployment")!;
    const breakages: [what: string, change: (docs: Doc[]) => Doc, message: RegExp][] = [
      [
        "a misspelt field of a container",
        (docs) => {
          const d = deployment(docs);
          d.spec.template.spec.containers[0].imagePulPolicy = "Always";
          return d;
        },
        /'imagePulPolicy' was unexpected/,
      ],
      [
        "a container port that is not a number",
        (docs) => {
          const d = deployment(docs);
          d.spec.template.spec.containers[0].ports[0].containerPort = "http";
          return d;
        },
        /containerPort: 'http' is not of type 'integer'/,
      ],
      [
        "replicas as a word",
        (docs) => {
          const d = deployment(docs);
          d.spec.replicas = "two";
          return d;
        },
        /replicas: 'two' is not of type 'integer'/,
      ],
      [
        "a Service port without its number",
        (docs) => {
          const s = docs.find((doc) => doc.kind === "Service")!;
          delete s.spec.ports[0].port;
          return s;
        },
        /'port' is a required property/,
      ],
      [
        "a probe in the wrong place",
        (docs) => {
          const d = deployment(docs);
          d.spec.template.spec.readinessProbe = { httpGet: { path: "/healthz", port: "http" } };
          return d;
        },
        /'readinessProbe' was unexpected/,
      ],
      [
        "a Secret whose data is not base64",
        (docs) => {
          const s = docs.find((doc) => doc.kind === "Secret")!;
          s.data = { token: 42 };
          return s;
        },
        /42 is not of type 'string'/,
      ],
    ];
    for (const [what, change, message] of breakages) {
      it(what, () => {
        const [result] = validate([change(renderVariant("the default values"))]);
        expect(result!.result).to.equal("invalid");
        expect(result!.message).to.match(message);
      });
    }

    it("a kind Kubernetes does not have", () => {
      const [result] = validate([{ apiVersion: "apps/v1", kind: "Deploymnt", metadata: { name: "x" } }]);
      expect(result!.result).to.equal("no schema");
    });
  });
});
