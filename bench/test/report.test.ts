import { expect } from "chai";
import type { BurstResult, LevelResult } from "../src/load.js";
import { checkTargets, compare, cpuTable, markdown, scaling, niceStep, plotPoints, svgPlot, type BenchResults, type StackRun } from "../src/report.js";
import { summarize } from "../src/stats.js";

function level(clients: number, ordersPerSecond: number, p99: number, errorTotal = 0): LevelResult {
  return {
    clients,
    windowSeconds: 15,
    orders: ordersPerSecond * 15,
    completed: ordersPerSecond * 15,
    ordersPerSecond,
    latencyMs: { ...summarize([p99 / 2, p99]), p99 },
    errors: { rejected: errorTotal > 0 ? { 503: errorTotal } : {}, unanswered: 0, nonTerminal: 0, failed: 0, badPolls: 0 },
    errorTotal,
    errorExamples: [],
    allOrders: ordersPerSecond * 20,
  };
}

const goodBurst: BurstResult = {
  orders: 500,
  postsAnsweredMs: 2100,
  statuses: { 202: 500 },
  unanswered: 0,
  accepted: 500,
  allTerminalMs: 31_000,
  completed: 500,
  failed: 0,
  stuck: 0,
  refusedButPlaced: { count: 0, notTerminal: 0 },
  errorExamples: [],
};

function run(levels: LevelResult[], more: Partial<StackRun> = {}): StackRun {
  return { startSeconds: 9, levels, droppedWorkItems: 0, processes: [], ...more };
}

const baseline = run([level(4, 17.5, 347), level(16, 24.1, 837), level(48, 23.2, 2363)]);

describe("the report", () => {
  it("compares each level with the baseline's", () => {
    const ours = [level(4, 35, 200), level(16, 40, 500), level(48, 41, 1400)];
    expect(compare(ours, baseline.levels, [level(48, 11.6, 4726)])).to.deep.equal([
      { load: "mixed", clients: 4, throughputRatio: 2, p99Ratio: 0.58 },
      { load: "mixed", clients: 16, throughputRatio: 1.66, p99Ratio: 0.6 },
      { load: "mixed", clients: 48, throughputRatio: 1.77, p99Ratio: 0.59 },
      { load: "hot item", clients: 48, throughputRatio: 0.5, p99Ratio: 2 },
    ]);
  });

  it("says how throughput holds from 16 clients to 48", () => {
    expect(scaling(baseline.levels)).to.equal(0.96);
    expect(scaling([level(16, 40, 500)])).to.equal(undefined);
    expect(scaling(undefined)).to.equal(undefined);
  });

  it("checks the targets: all met", () => {
    const ours = run([level(16, 23, 500)], {
      burst: goodBurst,
      notifications: { sent: 150, received: 150, lost: 0, publishErrors: 0, latencyMs: { count: 150, p50: 8, p95: 20, p99: 40, max: 60 } },
    });
    const targets = checkTargets(ours, compare(ours.levels, baseline.levels), 16);
    expect(targets.filter((t) => !t.met)).to.deep.equal([]);
    expect(targets).to.have.length(6);
  });

  it("checks the targets: each one can fail", () => {
    const ours = run([level(16, 30, 900)], {
      hotLevels: [level(48, 18, 3000, 2)],
      burst: { ...goodBurst, statuses: { 202: 450, 503: 50 }, postsAnsweredMs: 4000, stuck: 3, allTerminalMs: undefined },
      droppedWorkItems: 12,
    });
    const targets = checkTargets(ours, compare(ours.levels, baseline.levels, ours.hotLevels), 16);
    expect(targets.filter((t) => t.met)).to.deep.equal([]);
    expect(targets.map((t) => t.figure)).to.include("450/500 202, last answer 4000 ms");
    expect(targets.map((t) => t.figure)).to.include("lowest 0.78x (hot item, 48 clients)");
    expect(targets.map((t) => t.figure)).to.include("2 (hot item, 48 clients)");
  });

  it("writes the tables in Markdown, with the machine and the ratios", () => {
    const ours = run([level(4, 35, 200), level(16, 40, 500, 3), level(48, 30, 1500)], {
      hotLevels: [level(16, 20, 900), level(48, 12, 2000)],
      notifications: { sent: 150, received: 150, lost: 0, publishErrors: 0, latencyMs: { count: 150, p50: 8, p95: 20, p99: 41, max: 60 } },
      burst: goodBurst,
      droppedInBurst: 0,
      processes: [{ name: "order-processor", cpuClosedLoop: 20.5, cpuBurst: 9, peakRssMiB: 120.3 }],
    });
    const results: BenchResults = {
      date: "2026-07-01T10:00:00.000Z",
      machine: { cpus: 2, cpuModel: "Some CPU", memoryGiB: 23.5, os: "Debian 12", node: "v20.20.2", dapr: "1.18.2" },
      settings: { clients: [4, 16], warmupSeconds: 3, levelSeconds: 15, burst: 500, notificationLevel: 16 },
      ours,
      baseline: run(baseline.levels, { processes: [{ name: "order-processor", cpuClosedLoop: 11, peakRssMiB: 90 }] }),
      comparison: compare(ours.levels, baseline.levels, ours.hotLevels),
      targets: [],
    };
    const text = markdown(results);
    expect(text).to.include("2 CPUs (Some CPU), 23.5 GiB memory, Debian 12, Node v20.20.2, Dapr 1.18.2");
    expect(text).to.include("| mixed | 4 | 35 | 17.5 | 2x | 100 | 200 | 347 | 0 |");
    expect(text).to.include("| mixed | 16 | 40 | 24.1 | 1.66x | 250 | 500 | 837 | 3 (3x 503) |");
    expect(text).to.include("| hot item | 48 | 12 | 23.2 | 0.52x | 1000 | 2000 | 2363 | 0 |");
    expect(text).to.include("Orders/s at 48 clients against 16: mixed 0.75x, hot item 0.6x, baseline 0.96x. Notification latency p99 at 16 clients: 41 ms.");
    expect(text).to.include("| 2100 ms | 500 | 0 | 0 / 0 | 31000 ms | 500 | 0 | 0 | 0 |");
    expect(text).to.include("| order-processor | 20.5 | 9 | 120.3 | 11 | 90 |");
  });

  it("shows the CPU an order costs by process and level, ours and the baseline's", () => {
    const ours = run([{ ...level(16, 40, 500), cpuMsPerOrder: { "order-processor": 9.5, all: 30 } }], {
      hotLevels: [{ ...level(48, 20, 900), cpuMsPerOrder: { "order-processor": 12, all: 41 } }],
    });
    const base = run([{ ...level(16, 45, 400), cpuMsPerOrder: { "order-processor": 4, all: 25.1 } }]);
    expect(cpuTable({ ours, baseline: base })).to.deep.equal([
      "",
      "CPU ms an order, by process and level (clients; warm-up included; all: every process of the stack):",
      "",
      "| process | 16 | hot 48 | baseline 16 |",
      "|---|---:|---:|---:|",
      "| order-processor | 9.5 | 12 | 4 |",
      "| all | 30 | 41 | 25.1 |",
      "| Redis commands an order | n/a | n/a | n/a |",
    ]);
  });

  it("picks round gridline steps", () => {
    expect(niceStep(40)).to.equal(10);
    expect(niceStep(3146)).to.equal(1000);
    expect(niceStep(27.6)).to.equal(10);
    expect(niceStep(7)).to.equal(2);
    expect(niceStep(0)).to.equal(1);
  });

  it("draws throughput and p99 by client count, ours against the baseline, as a small SVG", () => {
    const ours = run([level(4, 35, 200), level(16, 40, 500), level(48, 41, 1400)]);
    const svg = svgPlot(plotPoints({ ours, baseline }), "2 CPUs <test>");
    expect(svg.startsWith("<svg ")).to.equal(true);
    expect(svg.trimEnd().endsWith("</svg>")).to.equal(true);
    expect(svg.match(/<polyline /g)).to.have.length(4);
    expect(svg.match(/<circle /g)).to.have.length(12);
    expect(svg).to.include("2 CPUs &lt;test&gt;");
    expect(svg).to.include(">2363<").and.include(">41<");
    expect(svg.length).to.be.below(12_000);
  });
});
