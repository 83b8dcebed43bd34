// Every Dapr resource the chart renders (and every one in dapr-components/, the
// Configurations the chart does not render included), validated against the CRDs of
// the Dapr version this repository pins, taken from the Go module github.com/dapr/dapr
// (charts/dapr/crds), with Ajv in strict mode. A field the CRD does not declare is an
// error: Kubernetes would drop it (or refuse it), and daprd, which reads the same Go
// types, ignores it outside Kubernetes too.
import type { ValidateFunction } from "ajv";
import { expect } from "chai";
import { componentsFolder, daprCrdDir, daprVersion, helm, isDapr, named, readCrds, renderVariant, variants, type Doc } from "./chart.js";
import { crdErrors, crdValidators } from "./dapr-crds.js";

describe(`Dapr resources against the CRDs of Dapr ${daprVersion()} (github.com/dapr/dapr, charts/dapr/crds; Ajv, strict)`, function () {
  let validators: Map<string, ValidateFunction | Error>;
  const errorsOf = (docs: Doc[]) => docs.flatMap((doc) => crdErrors(validators, doc).map((error) => `${named(doc)}: ${error}`));

  before(function () {
    this.timeout(15 * 60_000); // the first run builds Helm (and may download the Dapr module)
    helm();
    validators = crdValidators(readCrds(daprCrdDir()));
  });

  it("reads the CRDs of the kinds this project uses from the module, each usable here", () => {
    for (const kind of ["v1alpha1 Component", "v1alpha1 Configuration", "v1alpha1 Resiliency", "v2alpha1 Subscription", "v1alpha1 Subscription"]) {
      const validate = validators.get(`dapr.io/${kind}`);
      expect(validate, kind).to.be.a("function");
    }
  });

  for (const name of Object.keys(variants)) {
    it(`every Dapr resource rendered with ${name} is valid`, () => {
      const docs = renderVariant(name).filter(isDapr);
      expect(docs.length).to.be.greaterThan(3);
      expect(errorsOf(docs), "errors").to.deep.equal([]);
    });
  }

  it("every resource in dapr-components/ is valid, the Configurations the chart leaves out included", () => {
    const sources = componentsFolder();
    expect(sources.length).to.be.greaterThan(3);
    const errors = sources.flatMap(({ file, doc }) => crdErrors(validators, doc).map((error) => `${file}: ${named(doc)}: ${error}`));
    expect(errors, "errors").to.deep.equal([]);
  });

  describe("refuses a broken copy", () => {
    const first = (kind: string) => renderVariant("the default values").find((doc) => doc.kind === kind)!;
    const breakages: [what: string, broken: () => Doc, error: RegExp][] = [
      [
        "a component without its version",
        () => {
          const c = first("Component");
          delete c.spec.version;
          return c;
        },
        /\/spec must have required property 'version'/,
      ],
      [
        "a component metadata item without a name",
        () => {
          const c = first("Component");
          c.spec.metadata.push({ value: "x" });
          return c;
        },
        /\/spec\/metadata\/\d+ must have required property 'name'/,
      ],
      [
        "a misspelt field of a subscription (route for routes)",
        () => {
          const s = first("Subscription");
          s.spec.route = s.spec.routes;
          return s;
        },
        /\/spec must NOT have additional properties \(route\)/,
      ],
      [
        "a subscription's topic that is not a string",
        () => {
          const s = first("Subscription");
          s.spec.topic = ["notifications"];
          return s;
        },
        /\/spec\/topic must be string/,
      ],
      [
        "a retry count in words",
        () => {
          const r = first("Resiliency");
          Object.values(r.spec.policies.retries as Record<string, Doc>)[0]!.maxRetries = "five";
          return r;
        },
        /maxRetries must be integer/,
      ],
      [
        "scopes that are not a list",
        () => {
          const c = first("Component");
          c.scopes = "order-processor";
          return c;
        },
        /\/scopes must be array/,
      ],
      [
        "a name Kubernetes refuses",
        () => {
          const c = first("Component");
          c.metadata.name = "Inventory_State";
          return c;
        },
        /\/metadata\/name must match pattern/,
      ],
      [
        "a version of the API that Dapr does not serve",
        () => {
          const s = first("Subscription");
          s.apiVersion = "dapr.io/v3";
          return s;
        },
        /no CRD serves Subscription in dapr.io\/v3/,
      ],
      [
        "a workflow limit in the Configuration that is not a number",
        () => {
          const c = first("Configuration");
          c.spec.workflow.maxConcurrentWorkflowInvocations = "forty";
          return c;
        },
        /maxConcurrentWorkflowInvocations must be integer/,
      ],
    ];
    for (const [what, broken, error] of breakages) {
      it(what, () => {
        expect(crdErrors(validators, broken()).join("\n")).to.match(error);
      });
    }
  });
});
