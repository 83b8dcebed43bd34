import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../src/repo-root.js";
import { sidecarConfig } from "../src/sidecar-config.js";

const localConfig = readFileSync(path.join(repoRoot, "dapr-components", "local-config.yaml"), "utf8");
type Spec = {
  spec: {
    tracing?: { samplingRate: string; zipkin: { endpointAddress: string } };
    nameResolution: { configuration: Record<string, unknown> };
    workflow: unknown;
  };
};

describe("the sidecars' Configuration under the local stack", () => {
  it("sends spans to the stack's Zipkin, at the file's sampling rate, and keeps the rest", () => {
    const config = parse(sidecarConfig(localConfig, { nameResolutionDb: "/data/nr.db", zipkinEndpoint: "http://127.0.0.1:9411/api/v2/spans" })) as Spec;
    expect(config.spec.tracing).to.deep.equal({ samplingRate: "1", zipkin: { endpointAddress: "http://127.0.0.1:9411/api/v2/spans" } });
    expect(config.spec.nameResolution.configuration.connectionString).to.equal("/data/nr.db");
    expect(config.spec.workflow).to.deep.equal((parse(localConfig) as Spec).spec.workflow);
  });

  it("takes TRACE_SAMPLING_RATE's rate", () => {
    const config = parse(sidecarConfig(localConfig, { nameResolutionDb: "/x", zipkinEndpoint: "http://z/api/v2/spans", samplingRate: "0.1" })) as Spec;
    expect(config.spec.tracing?.samplingRate).to.equal("0.1");
  });

  it("keeps the file's workflow state retention, or takes WORKFLOW_STATE_RETENTION's, and refuses one that is no Go duration", () => {
    const kept = parse(sidecarConfig(localConfig, { nameResolutionDb: "/x", zipkinEndpoint: undefined })) as Spec;
    expect(kept.spec.workflow).to.deep.include({ stateRetentionPolicy: { anyTerminal: "24h" } });
    const short = parse(sidecarConfig(localConfig, { nameResolutionDb: "/x", zipkinEndpoint: undefined, workflowStateRetention: "5s" })) as Spec;
    expect(short.spec.workflow).to.deep.include({ maxConcurrentWorkflowInvocations: 40, stateRetentionPolicy: { anyTerminal: "5s" } });
    expect(() => sidecarConfig(localConfig, { nameResolutionDb: "/x", zipkinEndpoint: undefined, workflowStateRetention: "5 minutes" })).to.throw(/Go duration/);
  });

  it("has no tracing without Zipkin", () => {
    const config = parse(sidecarConfig(localConfig, { nameResolutionDb: "/x", zipkinEndpoint: undefined })) as Spec;
    expect(config.spec.tracing).to.equal(undefined);
  });
});
