// The sidecars' Configuration as the local stack writes it, from the run file's
// (dapr-components/local-config.yaml): the SQLite name-resolution database in the
// stack's data folder (an absolute path: every sidecar opens the same file), and
// tracing to the stack's Zipkin, or no tracing when there is none, and how long a
// finished workflow's state is kept when the stack is told (WORKFLOW_STATE_RETENTION).
import { parse, stringify } from "yaml";

export interface SidecarConfigOptions {
  /** Where the sidecars' shared name-resolution database goes (for a sqlite nameResolution). */
  nameResolutionDb: string;
  /** Zipkin's span endpoint, e.g. http://127.0.0.1:9411/api/v2/spans; undefined: tracing off. */
  zipkinEndpoint: string | undefined;
  /** spec.tracing.samplingRate instead of the file's (TRACE_SAMPLING_RATE), e.g. "0.1". */
  samplingRate?: string | undefined;
  /** spec.workflow.stateRetentionPolicy.anyTerminal instead of the file's: a Go duration, e.g. "5m". */
  workflowStateRetention?: string | undefined;
}

/** A Go duration as Dapr reads one: "90s", "5m", "1h30m", "0s". */
const goDuration = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

interface Configuration {
  spec?: {
    nameResolution?: { component?: string; configuration?: Record<string, unknown> };
    tracing?: { samplingRate?: string; zipkin?: { endpointAddress?: string } } & Record<string, unknown>;
    workflow?: { stateRetentionPolicy?: Record<string, string> } & Record<string, unknown>;
  } & Record<string, unknown>;
}

/** The Configuration `source` (YAML) with the stack's settings, as YAML. */
export function sidecarConfig(source: string, { nameResolutionDb, zipkinEndpoint, samplingRate, workflowStateRetention }: SidecarConfigOptions): string {
  const config = (parse(source) ?? {}) as Configuration;
  const spec = (config.spec ??= {});
  const resolution = spec.nameResolution;
  if (resolution?.component === "sqlite") {
    resolution.configuration = { ...resolution.configuration, connectionString: nameResolutionDb };
  }
  if (zipkinEndpoint === undefined) {
    delete spec.tracing;
  } else {
    spec.tracing = {
      ...spec.tracing,
      samplingRate: samplingRate ?? spec.tracing?.samplingRate ?? "1",
      zipkin: { endpointAddress: zipkinEndpoint },
    };
  }
  if (workflowStateRetention !== undefined) {
    if (!goDuration.test(workflowStateRetention)) throw new Error(`WORKFLOW_STATE_RETENTION must be a Go duration such as 30s, 5m or 24h, got "${workflowStateRetention}"`);
    spec.workflow = { ...spec.workflow, stateRetentionPolicy: { anyTerminal: workflowStateRetention } };
  }
  return stringify(config);
}
