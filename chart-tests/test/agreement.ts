// Whether the chart's Dapr resources and dapr-components/ agree, and whether what they
// refer to is there in the rendered chart. Both functions list what is wrong, one
// line each, so that a test shows every disagreement at once (and a test can show
// that a broken copy is caught).
import { differences, isDapr, named, ofKind, release, type Doc, type SourceDoc } from "./chart.js";

/**
 * The part of a Configuration that is the same in every way of running: all but name
 * resolution and the address of Zipkin (each way of running has its own), with the
 * access control policies' namespace set to `namespace` (the files name "default",
 * the namespace outside Kubernetes; the chart, its release's).
 */
const sharedSpec = (configuration: Doc, namespace: string) => {
  const { nameResolution: _, ...rest } = structuredClone(configuration.spec ?? {});
  for (const policy of rest.accessControl?.policies ?? []) policy.namespace = namespace;
  if (rest.tracing !== undefined) delete rest.tracing.zipkin;
  return rest;
};

/**
 * A rendered resource without what the chart changes on purpose (dapr-resources.yaml):
 * its labels, and redisPassword, which the files read from REDIS_PASSWORD and the chart
 * from a Secret (or leaves out, without Redis auth), and redisUsername, which the files
 * read from REDIS_USERNAME (a Redis user per app, in compose) and the chart leaves out.
 * Both sides drop them here; the chart's tests check where its password comes from.
 */
function withoutChartAdditions(rendered: Doc, source: Doc): [rendered: Doc, source: Doc] {
  const doc = structuredClone(rendered);
  const file = structuredClone(source);
  if (source.metadata?.labels) doc.metadata.labels = source.metadata.labels;
  else delete doc.metadata.labels;
  if (doc.kind === "Component") {
    const noPassword = (items: Doc[] | undefined) => items?.filter((item) => item.name !== "redisPassword" && item.name !== "redisUsername");
    doc.spec.metadata = noPassword(doc.spec.metadata);
    file.spec.metadata = noPassword(file.spec.metadata);
  }
  return [doc, file];
}

/**
 * What differs between the files of dapr-components/ and the chart's Dapr resources:
 * every document of the files but Configurations must be rendered once and be equal
 * (kind, API version, name, type and version, metadata, scopes, topics, routes,
 * dead-letter topics, resiliency policies and targets: all of it) but for the chart's
 * additions; the chart renders nothing else but its one Configuration, whose spec must
 * equal that of every Configuration in the files, name resolution aside.
 */
export function disagreements(sources: SourceDoc[], rendered: Doc[]): string[] {
  const problems: string[] = [];
  const dapr = rendered.filter(isDapr);
  const same = (a: Doc) => (b: Doc) => a.kind === b.kind && a.metadata?.name === b.metadata?.name;

  const resources = sources.filter(({ doc }) => doc.kind !== "Configuration");
  for (const { file, doc } of resources) {
    const matches = dapr.filter(same(doc));
    if (matches.length !== 1) {
      problems.push(`${file}: ${named(doc)} is in the chart ${matches.length} times`);
      continue;
    }
    const [chart, source] = withoutChartAdditions(matches[0]!, doc);
    for (const difference of differences(source, chart)) {
      problems.push(`${file}: ${named(doc)}: ${difference} (file ≠ chart)`);
    }
  }

  const configurations = ofKind(dapr, "Configuration");
  for (const doc of dapr) {
    if (doc.kind !== "Configuration" && !resources.some(({ doc: source }) => same(source)(doc))) {
      problems.push(`${named(doc)}: in the chart, in no file of dapr-components/`);
    }
  }
  if (configurations.length !== 1) {
    problems.push(`the chart has ${configurations.length} Configurations, not its one`);
  } else {
    // A sidecar outside Kubernetes loads its way of running's Configuration and
    // access-control.yaml: each setting of each file must be the chart's, and the chart
    // has no setting that no file has.
    const chart = sharedSpec(configurations[0]!, release.namespace);
    const given = new Set<string>();
    for (const { file, doc } of sources.filter(({ doc }) => doc.kind === "Configuration")) {
      const spec = sharedSpec(doc, release.namespace);
      for (const key of Object.keys(spec)) {
        given.add(key);
        for (const difference of differences(spec[key], chart[key], `spec.${key}`)) {
          problems.push(`${file}: ${named(doc)}: ${difference} (file ≠ chart's ${named(configurations[0]!)})`);
        }
      }
    }
    for (const key of Object.keys(chart).filter((key) => !given.has(key))) {
      problems.push(`${named(configurations[0]!)}: spec.${key} is in the chart, in no Configuration of dapr-components/`);
    }
  }
  return problems;
}

/**
 * What the rendered Dapr resources refer to and the chart does not provide: the
 * environment variables of envRef on the sidecars of the apps in scope (dapr.io/env),
 * Secrets of secretKeyRef (rendered, or one of `externalSecrets`), the app ids of
 * scopes and resiliency targets, the components of subscriptions and resiliency
 * targets (with the apps in scope), and the Configuration of dapr.io/config.
 */
export function brokenReferences(rendered: Doc[], externalSecrets: string[] = []): string[] {
  const problems: string[] = [];
  const sidecars = new Map<string, Record<string, string>>(
    ofKind(rendered, "Deployment")
      .map((d) => d.spec.template.metadata.annotations ?? {})
      .filter((a) => a["dapr.io/enabled"] === "true")
      .map((a) => [a["dapr.io/app-id"], a]),
  );
  const appIds = [...sidecars.keys()];
  const components = new Map<string, Doc>(ofKind(rendered, "Component").map((c) => [c.metadata.name, c]));
  const inScope = (doc: Doc): string[] => doc.scopes ?? appIds;
  const unknownApps = (what: string, ids: string[]) =>
    ids.filter((id) => !sidecars.has(id)).forEach((id) => problems.push(`${what}: app id ${id} is no app of the chart`));

  for (const doc of rendered.filter(isDapr)) unknownApps(`${named(doc)} scopes`, doc.scopes ?? []);

  for (const component of components.values()) {
    for (const item of component.spec.metadata ?? []) {
      if (item.envRef) {
        for (const app of inScope(component)) {
          const env = sidecars.get(app)?.["dapr.io/env"] ?? "";
          const fromSecret = sidecars.get(app)?.["dapr.io/env-from-secret"] ?? "";
          const names = [env, fromSecret].flatMap((list) => list.split(",").map((pair) => pair.split("=")[0]!.trim()));
          if (!names.includes(item.envRef)) {
            problems.push(`${named(component)}: ${item.name} reads ${item.envRef}, which ${app}'s sidecar does not have`);
          }
        }
      }
      if (item.secretKeyRef) {
        const { name, key } = item.secretKeyRef;
        const secret = rendered.find((d) => d.kind === "Secret" && d.metadata.name === name);
        if (!(secret && key in (secret.data ?? {})) && !externalSecrets.includes(name)) {
          problems.push(`${named(component)}: ${item.name} refers to Secret ${name} key ${key}, which is not there`);
        }
      }
    }
  }

  for (const subscription of ofKind(rendered, "Subscription")) {
    const pubsub = components.get(subscription.spec.pubsubname);
    if (!pubsub?.spec.type.startsWith("pubsub.")) {
      problems.push(`${named(subscription)}: no pub/sub component ${subscription.spec.pubsubname}`);
      continue;
    }
    for (const app of inScope(subscription)) {
      if (!inScope(pubsub).includes(app)) problems.push(`${named(subscription)}: ${app} subscribes, but ${named(pubsub)} is not in its scope`);
    }
  }

  for (const resiliency of ofKind(rendered, "Resiliency")) {
    const targets = resiliency.spec.targets ?? {};
    unknownApps(`${named(resiliency)} targets`, Object.keys(targets.apps ?? {}));
    for (const name of Object.keys(targets.components ?? {})) {
      const component = components.get(name);
      if (!component) problems.push(`${named(resiliency)}: targets component ${name}, which is not there`);
      else {
        for (const app of inScope(resiliency)) {
          if (!inScope(component).includes(app)) problems.push(`${named(resiliency)}: ${app} has no ${name} (its scopes)`);
        }
      }
    }
  }

  const configurations = ofKind(rendered, "Configuration").map((c) => c.metadata.name);
  for (const [app, annotations] of sidecars) {
    if (!configurations.includes(annotations["dapr.io/config"])) problems.push(`${app}: dapr.io/config ${annotations["dapr.io/config"]} is not there`);
  }
  return problems;
}
