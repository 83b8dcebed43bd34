// Dapr's CustomResourceDefinitions as JSON Schemas that Ajv compiles in strict mode.
//
// A CRD's openAPIV3Schema is a structural schema: Kubernetes drops (or, with strict
// field validation, refuses) every field it does not declare, unless a node says
// x-kubernetes-preserve-unknown-fields. The conversion makes that explicit, so that an
// unknown field is an error here too: every object node with declared properties gets
// additionalProperties: false. Kubernetes' own keywords are translated, or refused when
// they carry a rule this check cannot evaluate (CEL in x-kubernetes-validations).
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Doc } from "./chart.js";

type Schema = Record<string, unknown>;

/** The same schema in JSON Schema terms; `at` names the node in error messages. */
export function toJsonSchema(node: Schema, at = ""): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case "x-kubernetes-preserve-unknown-fields":
      case "x-kubernetes-embedded-resource":
        break; // handled below: no additionalProperties: false
      case "x-kubernetes-int-or-string":
        if (value === true) out.anyOf = [{ type: "integer" }, { type: "string" }];
        break;
      case "x-kubernetes-list-type":
        if (value === "set") out.uniqueItems = true;
        break;
      case "x-kubernetes-list-map-keys":
      case "x-kubernetes-map-type":
        break; // merge strategies of server-side apply: no constraint on the value
      case "x-kubernetes-validations":
        throw new Error(`${at}: CEL validation rules, which this check cannot evaluate`);
      case "nullable":
        if (value === true && typeof node.type === "string") out.type = [node.type, "null"];
        break;
      case "properties":
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, toJsonSchema(child, `${at}.${name}`)]),
        );
        break;
      case "items":
        out.items = toJsonSchema(value as Schema, `${at}[]`);
        break;
      case "additionalProperties":
        out.additionalProperties = typeof value === "object" ? toJsonSchema(value as Schema, `${at}.*`) : value;
        break;
      default:
        if (key.startsWith("x-kubernetes-")) throw new Error(`${at}: ${key}, which this check does not know`);
        if (!(key === "type" && out.type !== undefined)) out[key] = value;
    }
  }
  const open = node["x-kubernetes-preserve-unknown-fields"] === true || node["x-kubernetes-embedded-resource"] === true;
  if (node.type === "object" && node.properties && node.additionalProperties === undefined && !open) {
    out.additionalProperties = false;
  }
  return out;
}

/** What Kubernetes checks of every object's metadata (ObjectMeta), for the fields the chart sets. */
const objectMeta: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    // A DNS-1123 subdomain, as Kubernetes requires of these objects' names.
    name: { type: "string", maxLength: 253, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" },
    namespace: { type: "string" },
    labels: { type: "object", additionalProperties: { type: "string", maxLength: 63 } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
  },
};

/**
 * A validator per served kind and version of the CRDs ("dapr.io/v2alpha1 Subscription"),
 * or the reason this check cannot validate that kind.
 */
export function crdValidators(crds: Doc[]): Map<string, ValidateFunction | Error> {
  // Strict mode: unknown keywords, formats or types in a schema are errors, not ignored.
  const ajv = new Ajv({ strict: true, allErrors: true });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  const validators = new Map<string, ValidateFunction | Error>();
  for (const crd of crds) {
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const apiVersion = `${group}/${version.name}`;
      try {
        const schema = toJsonSchema(version.schema.openAPIV3Schema, `${names.kind} ${version.name}`);
        const properties = schema.properties as Record<string, Schema>;
        properties.apiVersion = { const: apiVersion };
        properties.kind = { const: names.kind };
        properties.metadata = objectMeta;
        schema.required = [...new Set([...((schema.required as string[]) ?? []), "apiVersion", "kind", "metadata"])];
        validators.set(`${apiVersion} ${names.kind}`, ajv.compile(schema));
      } catch (err) {
        validators.set(`${apiVersion} ${names.kind}`, err as Error);
      }
    }
  }
  return validators;
}

/** The errors of a Dapr resource against its CRD, one line each; no CRD for it is an error too. */
export function crdErrors(validators: Map<string, ValidateFunction | Error>, doc: Doc): string[] {
  const validate = validators.get(`${doc.apiVersion} ${doc.kind}`);
  if (!validate) return [`no CRD serves ${doc.kind} in ${doc.apiVersion}`];
  if (validate instanceof Error) return [`its CRD cannot be checked here: ${validate.message}`];
  if (validate(doc)) return [];
  return (validate.errors ?? []).map(describe);
}

const describe = (e: ErrorObject) => {
  const extra = e.keyword === "additionalProperties" ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : "";
  return `${e.instancePath || "/"} ${e.message}${extra}`;
};
