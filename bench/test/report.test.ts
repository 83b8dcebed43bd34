import { expect } from "chai";
import type { BurstResult, LevelResult } from "../src/load.js";
import { checkTargets, compare, markdown, niceStep, plotPoints, svgPlot, type BenchResults, type StackRun } from "../src/report.js";
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
    expect(compare(ours, baseline.levels)).to.deep.equal([
      { clients: 4, throughputRatio: 2, p99Ratio: 0.58 },
      { clients: 16, throughputRatio: 1.66, p99Ratio: 0.6 },
      { clients: 48, throughputRatio: 1.77, p99Ratio: 0.59 },
    ]);
  });

  it("checks the targets: all met", () => {
    const ours = run([level(16, 40, 500)], {
      burst: goodBurst,
      notifications: { sent: 150, received: 150, lost: 0, publishErrors: 0, latencyMs: { count: 150, p50: 8, p95: 20, p99: 40, max: 60 } },
    });
    const targets = checkTargets(ours, compare(ours.levels, baseline.levels), 16);
    expect(targets.filter((t) => !t.met)).to.deep.equal([]);
    expect(targets).to.have.length(7);
  });

  it("checks the targets: each one can fail", () => {
    const ours = run([level(16, 30, 900, 2)], {
      burst: { ...goodBurst, statuses: { 202: 450, 503: 50 }, postsAnsweredMs: 4000, stuck: 3, allTerminalMs: undefined },
      droppedWorkItems: 12,
    });
    const targets = checkTargets(ours, compare(ours.levels, baseline.levels), 16);
    expect(targets.filter((t) => t.met)).to.deep.equal([]);
    expect(targets.map((t) => t.figure)).to.include("450/500 202, last answer 4000 ms");
  });

  it("writes the tables in Markdown, with the machine and the ratios", () => {
    const ours = run([level(4, 35, 200), level(16, 40, 500, 3)], {
      burst: goodBurst,
      droppedInBurst: 0,
      processes: [{ name: "order-processor", cpuClosedLoop: 20.5, cpuBurst: 9, peakRssMiB: 120.3 }],
    });
    const results: BenchResults = {
      date: "2026-07-01T10:00:00.000Z",
      machine: { cpus: 2, cpuModel: "Some CPU", memoryGiB: 23.5, os: "Debian 12", node: "v20.20.2", dapr: "1.18.2" },
      settings: { clients: [4, 16], warmupSeconds: 3, levelSeconds: 15, burst: 500, notificationLevel: 16 },
      ours,
      baseline: run(baseline.levels, { processes: [{ name: "bench-orders", cpuClosedLoop: 11, peakRssMiB: 90 }] }),
      comparison: compare(ours.levels, baseline.levels),
      targets: [],
    };
    const text = markdown(results);
    expect(text).to.include("2 CPUs (Some CPU), 23.5 GiB memory, Debian 12, Node v20.20.2, Dapr 1.18.2");
    expect(text).to.include("| 4 | 35 | 100 | 200 | 200 | 0 | 17.5 | 347 | 2x | 0.58x |");
    expect(text).to.include("| 16 | 40 |");
    expect(text).to.include("3 (3x 503)");
    expect(text).to.include("| 2100 ms | 500 | 0 | 0 / 0 | 31000 ms | 500 | 0 | 0 | 0 |");
    expect(text).to.include("| order-processor | 20.5 | 9 | 120.3 | 11 | 90 |"); // bench-orders plays order-processor's part
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
