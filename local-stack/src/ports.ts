// Every port the stack listens on, with what each is for: the stack waits until all
// are free before it starts anything.
import { localPort, type AppSpec, type Topology } from "./run-file.js";

/**
 * Ports of the control plane besides the placement and scheduler ports of the run file.
 * Like every port of the stack, below 32768: Linux gives ports from 32768 to 60999 to
 * outgoing connections, so any client connection may hold one of those for a while.
 */
export const controlPlanePorts = {
  sentry: 3807,
  sentryHealthz: 3808,
  sentryMetrics: 9097,
  placementRaft: 3802,
  placementHealthz: 3803,
  placementMetrics: 9095,
  schedulerHealthz: 3804,
  schedulerMetrics: 9096,
  etcdClient: 3805,
  etcdPeer: 3806,
  /** Zipkin's API and UI (its default port), on 127.0.0.1. */
  zipkin: 9411,
};

export type PortUse = [port: number, purpose: string];

/** The ports an app and its sidecar listen on. */
export function appPorts(a: AppSpec): PortUse[] {
  return [
    [a.appPort, `${a.name} app`],
    [a.daprHttpPort, `${a.name} Dapr HTTP`],
    [a.daprGrpcPort, `${a.name} Dapr gRPC`],
    [a.daprInternalGrpcPort, `${a.name} Dapr internal gRPC`],
    [a.metricsPort, `${a.name} Dapr metrics`],
  ];
}

/** Placement's and the scheduler's addresses: the run file's apps name one each, or none. */
export function controlPlaneAddresses(topology: Topology): { placement?: string; scheduler?: string } {
  const placement = single(
    topology.apps.map((a) => a.placementHostAddress),
    "placementHostAddress",
  );
  const scheduler = single(
    topology.apps.map((a) => a.schedulerHostAddress),
    "schedulerHostAddress",
  );
  return { ...(placement === undefined ? {} : { placement }), ...(scheduler === undefined ? {} : { scheduler }) };
}

/** Every port of the whole stack: the apps and sidecars, Sentry, placement and the scheduler when used, Zipkin with tracing. */
export function stackPorts(topology: Topology, tracing: boolean): PortUse[] {
  const p = controlPlanePorts;
  const { placement, scheduler } = controlPlaneAddresses(topology);
  const ports = topology.apps.flatMap(appPorts);
  ports.push([p.sentry, "sentry"], [p.sentryHealthz, "sentry health"], [p.sentryMetrics, "sentry metrics"]);
  if (placement !== undefined) {
    ports.push([localPort(placement), "placement"], [p.placementHealthz, "placement health"]);
    ports.push([p.placementMetrics, "placement metrics"], [p.placementRaft, "placement raft"]);
  }
  if (scheduler !== undefined) {
    ports.push([localPort(scheduler), "scheduler"], [p.schedulerHealthz, "scheduler health"], [p.schedulerMetrics, "scheduler metrics"]);
    ports.push([p.etcdClient, "scheduler etcd"], [p.etcdPeer, "scheduler etcd peer"]);
  }
  if (tracing) ports.push([p.zipkin, "zipkin"]);
  return ports;
}

/** The one value among `values` that is set (an app's or none); two different ones are refused. */
function single(values: (string | undefined)[], field: string): string | undefined {
  const set = [...new Set(values.filter((v) => v !== undefined))];
  if (set.length > 1) throw new Error(`${field}: the local stack runs one, but the run file names ${set.join(" and ")}`);
  return set[0];
}
