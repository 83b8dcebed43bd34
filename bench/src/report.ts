// The bench's results: their shape, the comparison with the baseline, the targets,
// and the Markdown tables and SVG plot written from them.
import { orderTotal, type BurstResult, type LevelResult } from "./load.js";
import type { NotificationLatency } from "./notification-latency.js";
import { ratio } from "./stats.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  dapr: string;
}

export interface ProcessFigures {
  name: string;
  /** CPU seconds during the closed-loop levels. */
  cpuClosedLoop?: number;
  /** CPU seconds during the burst. */
  cpuBurst?: number;
  peakRssMiB?: number;
}

export interface StackRun {
  /** How long the stack took to answer. */
  startSeconds: number;
  levels: LevelResult[];
  /** The same closed loop with every order for the same item (the real stack only). */
  hotLevels?: LevelResult[];
  burst?: BurstResult;
  notifications?: NotificationLatency;
  /** Why the notification latency could not be measured, if so. */
  notificationError?: string;
  /** "dropping work item" lines over the whole run, and during the burst. */
  droppedWorkItems: number;
  droppedInBurst?: number;
  processes: ProcessFigures[];
  /** CPU time of all the stack's processes per order, over the closed loop. */
  cpuMsPerOrder?: number;
}

export type Load = "mixed" | "hot item";

export interface Comparison {
  /** Mixed: the clients spread over the items; hot item: every order for the same one. */
  load: Load;
  clients: number;
  /** ours / baseline orders per second: above 1 is better. */
  throughputRatio?: number;
  /** ours / baseline p99: below 1 is better. */
  p99Ratio?: number;
}

export interface Target {
  target: string;
  figure: string;
  met: boolean;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  settings: { clients: number[]; warmupSeconds: number; levelSeconds: number; burst: number; notificationLevel: number };
  ours: StackRun;
  baseline: StackRun;
  comparison: Comparison[];
  targets: Target[];
}

/**
 * Each level of ours against the baseline's level with as many clients (the baseline's
 * apps do nothing with the item, so a hot-item level compares with the same one).
 */
export function compare(ours: LevelResult[], baseline: LevelResult[], hot: LevelResult[] = []): Comparison[] {
  const against =
    (load: Load) =>
    (level: LevelResult): Comparison => {
      const base = baseline.find((b) => b.clients === level.clients);
      return {
        load,
        clients: level.clients,
        throughputRatio: ratio(level.ordersPerSecond, base?.ordersPerSecond),
        p99Ratio: ratio(level.latencyMs.p99, base?.latencyMs.p99),
      };
    };
  return [...ours.map(against("mixed")), ...hot.map(against("hot item"))];
}

/** How throughput holds as the clients grow: orders/s at `high` clients over orders/s at `low`. */
export function scaling(levels: LevelResult[] | undefined, low = 16, high = 48): number | undefined {
  const at = (clients: number) => levels?.find((l) => l.clients === clients)?.ordersPerSecond;
  return ratio(at(high), at(low));
}

/** The least share of the baseline's throughput that every level must reach. */
export const throughputFloor = 0.9;

/** What the system must do in this run: near the baseline at every load, no errors, a burst taken whole, notifications fast. */
export function checkTargets(ours: StackRun, comparison: Comparison[], level: number): Target[] {
  const b = ours.burst;
  const n = ours.notifications;
  const show = (value: number | undefined, unit = "") => (value === undefined ? "n/a" : `${value}${unit}`);
  const all = [...ours.levels.map((l) => ({ load: "mixed", l })), ...(ours.hotLevels ?? []).map((l) => ({ load: "hot item", l }))];
  const worst = comparison.reduce<Comparison | undefined>((w, c) => ((c.throughputRatio ?? 0) < (w?.throughputRatio ?? Infinity) ? c : w), undefined);
  const errors = all.filter(({ l }) => l.errorTotal > 0);
  return [
    {
      target: `every level: orders/s at least ${throughputFloor}x the baseline's`,
      figure: worst === undefined ? "n/a" : `lowest ${show(worst.throughputRatio, "x")} (${worst.load}, ${worst.clients} clients)`,
      met: comparison.length > 0 && comparison.every((c) => (c.throughputRatio ?? 0) >= throughputFloor),
    },
    {
      target: "every level: zero errors",
      figure: errors.length === 0 ? "0" : errors.map(({ load, l }) => `${l.errorTotal} (${load}, ${l.clients} clients)`).join(", "),
      met: all.length > 0 && errors.length === 0,
    },
    {
      target: `burst: every POST answered 202 within 3 s`,
      figure: b === undefined ? "n/a" : `${b.statuses["202"] ?? 0}/${b.orders} 202, last answer ${show(b.postsAnsweredMs, " ms")}`,
      met: b !== undefined && (b.statuses["202"] ?? 0) === b.orders && (b.postsAnsweredMs ?? Infinity) <= 3000,
    },
    {
      target: "burst: every order terminal within 60 s, zero stuck",
      figure: b === undefined ? "n/a" : `${show(b.allTerminalMs, " ms")}, ${b.stuck} stuck`,
      met: b !== undefined && b.stuck === 0 && b.refusedButPlaced.notTerminal === 0 && b.allTerminalMs !== undefined && b.allTerminalMs <= 60_000,
    },
    { target: "zero dropped work items", figure: String(ours.droppedWorkItems), met: ours.droppedWorkItems === 0 },
    {
      target: `notification latency p99 under 100 ms at ${level} clients`,
      figure: show(n?.latencyMs.p99, " ms"),
      met: n?.latencyMs.p99 !== undefined && n.latencyMs.p99 < 100 && n.lost === 0,
    },
  ];
}

const cell = (value: number | string | undefined) => (value === undefined ? "n/a" : String(value));

function errorCell(level: LevelResult): string {
  if (level.errorTotal === 0) return "0";
  const { rejected, unanswered, nonTerminal, failed, badPolls } = level.errors;
  const parts = [
    ...Object.entries(rejected).map(([status, count]) => `${count}x ${status}`),
    unanswered > 0 ? `${unanswered} unanswered` : "",
    nonTerminal > 0 ? `${nonTerminal} not terminal` : "",
    failed > 0 ? `${failed} failed` : "",
    badPolls > 0 ? `${badPolls} bad GETs` : "",
  ].filter((p) => p !== "");
  return `${level.errorTotal} (${parts.join(", ")})`;
}

export function machineLine(m: Machine): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB memory, ${m.os}, Node ${m.node}, Dapr ${m.dapr}`;
}

export function markdown(r: BenchResults): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(`Measured ${r.date} by \`npm run bench\` on: ${machineLine(r.machine)}.`, "");
  push(
    `Closed loop: each client posts a small order (total ${orderTotal}, straight through), then reads it every 50 ms until it ends; ` +
      `${r.settings.levelSeconds} s per level after ${r.settings.warmupSeconds} s of warm-up. ` +
      "Latency is from the POST to the read that saw the order end. Mixed: the clients spread over the inventory's items; " +
      "hot item: every order for the same item. The baseline is the same workflow for a small order (one activity: three " +
      "invocations, three publishes of a list) in an app that does nothing else, with apps that answer at once, on the same " +
      "daprd (bench/src/baseline): the ratio is what the project's own code costs.",
    "",
  );
  push(
    "| load | clients | orders/s | baseline orders/s | ratio | p50 ms | p99 ms | baseline p99 ms | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
  );
  const rows: [Load, LevelResult][] = [
    ...r.ours.levels.map((l): [Load, LevelResult] => ["mixed", l]),
    ...(r.ours.hotLevels ?? []).map((l): [Load, LevelResult] => ["hot item", l]),
  ];
  for (const [load, level] of rows) {
    const base = r.baseline.levels.find((b) => b.clients === level.clients);
    const cmp = r.comparison.find((c) => c.load === load && c.clients === level.clients);
    push(
      `| ${load} | ${level.clients} | ${level.ordersPerSecond} | ${cell(base?.ordersPerSecond)} | ` +
        `${cmp?.throughputRatio === undefined ? "n/a" : `${cmp.throughputRatio}x`} | ${cell(level.latencyMs.p50)} | ` +
        `${cell(level.latencyMs.p99)} | ${cell(base?.latencyMs.p99)} | ${errorCell(level)} |`,
    );
  }
  const x = (value: number | undefined) => (value === undefined ? "n/a" : `${value}x`);
  push(
    "",
    `Orders/s at 48 clients against 16: mixed ${x(scaling(r.ours.levels))}, hot item ${x(scaling(r.ours.hotLevels))}, ` +
      `baseline ${x(scaling(r.baseline.levels))}. Notification latency p99 at ${r.settings.notificationLevel} clients: ` +
      `${r.ours.notifications?.latencyMs.p99 === undefined ? "n/a" : `${r.ours.notifications.latencyMs.p99} ms`}.`,
  );
  const baseErrors = r.baseline.levels.filter((l) => l.errorTotal > 0).map((l) => `${l.clients} clients: ${errorCell(l)}`);
  if (baseErrors.length > 0) push("", `Baseline errors: ${baseErrors.join("; ")}.`);

  const b = r.ours.burst;
  if (b !== undefined) {
    const others = Object.entries(b.statuses).filter(([s]) => s !== "202" && s !== "503");
    push(
      "",
      `Burst: ${b.orders} orders posted at once (times from the first POST; orders read every 250 ms).`,
      "",
      "| POSTs answered in | 202 | 503 | other / no answer | all terminal in | completed | failed | stuck | dropped work items |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
      `| ${cell(b.postsAnsweredMs)} ms | ${b.statuses["202"] ?? 0} | ${b.statuses["503"] ?? 0} | ` +
        `${others.reduce((a, [, n]) => a + n, 0)} / ${b.unanswered} | ${b.allTerminalMs === undefined ? "never" : `${b.allTerminalMs} ms`} | ` +
        `${b.completed} | ${b.failed} | ${b.stuck} | ${cell(r.ours.droppedInBurst)} |`,
    );
    if (b.refusedButPlaced.count > 0) {
      push("", `Refused with 503 but placed all the same: ${b.refusedButPlaced.count}, of which ${b.refusedButPlaced.notTerminal} had not ended.`);
    }
  }

  const n = r.ours.notifications;
  if (n !== undefined) {
    push(
      "",
      `Notification latency at ${r.settings.notificationLevel} clients: the bench publishes its own notifications ` +
        "through order-processor's sidecar (10 a second) and times their arrival at a Socket.IO client of the dashboard.",
      "",
      "| sent | received | lost | publish errors | p50 ms | p99 ms | max ms |",
      "|---:|---:|---:|---:|---:|---:|---:|",
      `| ${n.sent} | ${n.received} | ${n.lost} | ${n.publishErrors} | ${cell(n.latencyMs.p50)} | ${cell(n.latencyMs.p99)} | ${cell(n.latencyMs.max)} |`,
    );
  }

  if (r.ours.notificationError !== undefined) push("", `Notification latency not measured: ${r.ours.notificationError}`);

  push("", "Processes: CPU seconds used during the closed loop (all levels) and the burst, and peak resident memory.", "");
  push("| process | CPU s, closed loop | CPU s, burst | peak RSS MiB | baseline: CPU s, closed loop | baseline: peak RSS MiB |");
  push("|---|---:|---:|---:|---:|---:|");
  const baseByRole = new Map(r.baseline.processes.map((p) => [baselineRole(p.name), p]));
  const shown = new Set<string>();
  for (const p of r.ours.processes) {
    const base = baseByRole.get(p.name);
    if (base !== undefined) shown.add(base.name);
    push(`| ${p.name} | ${cell(p.cpuClosedLoop)} | ${cell(p.cpuBurst)} | ${cell(p.peakRssMiB)} | ${cell(base?.cpuClosedLoop)} | ${cell(base?.peakRssMiB)} |`);
  }
  for (const p of r.baseline.processes.filter((p) => !shown.has(p.name))) {
    push(`| (baseline) ${p.name} | | | | ${cell(p.cpuClosedLoop)} | ${cell(p.peakRssMiB)} |`);
  }
  push(
    "",
    `All processes of the stack, CPU per order over the closed loop: ${cell(r.ours.cpuMsPerOrder)} ms, ` +
      `baseline ${cell(r.baseline.cpuMsPerOrder)} ms. "dropping work item" lines: ${r.ours.droppedWorkItems}, ` +
      `baseline ${r.baseline.droppedWorkItems}. Stack start: ${r.ours.startSeconds} s, baseline ${r.baseline.startSeconds} s.`,
  );

  push(...cpuTable(r));

  push("", "Targets:", "", "| target | this run | met |", "|---|---|---|");
  for (const t of r.targets) push(`| ${t.target} | ${t.figure} | ${t.met ? "yes" : "**no**"} |`);
  return lines.join("\n") + "\n";
}

/** The baseline's process that plays the part of one of ours, for the side-by-side table: the one of the same name. */
function baselineRole(name: string): string {
  return name;
}

/** CPU milliseconds an order, by process and level (warm-up included): where an order's cost goes, and how it grows with the load. */
export function cpuTable(r: Pick<BenchResults, "ours" | "baseline">): string[] {
  const columns: [string, LevelResult][] = [
    ...r.ours.levels.map((l): [string, LevelResult] => [`${l.clients}`, l]),
    ...(r.ours.hotLevels ?? []).map((l): [string, LevelResult] => [`hot ${l.clients}`, l]),
    ...r.baseline.levels.map((l): [string, LevelResult] => [`baseline ${l.clients}`, l]),
  ].filter(([, l]) => l.cpuMsPerOrder !== undefined);
  if (columns.length === 0) return [];
  const names = [...new Set(columns.flatMap(([, l]) => Object.keys(l.cpuMsPerOrder!)))].sort((a, b) => (a === "all" ? 1 : b === "all" ? -1 : 0));
  return [
    "",
    "CPU ms an order, by process and level (clients; warm-up included; all: every process of the stack):",
    "",
    `| process | ${columns.map(([name]) => name).join(" | ")} |`,
    `|---|${columns.map(() => "---:").join("|")}|`,
    ...names.map((name) => `| ${name} | ${columns.map(([, l]) => cell(l.cpuMsPerOrder![name])).join(" | ")} |`),
    `| Redis commands an order | ${columns.map(([, l]) => cell(l.redisPerOrder?.all)).join(" | ")} |`,
  ];
}

export interface PlotPoint {
  clients: number;
  ours?: { ordersPerSecond: number; p99?: number };
  baseline?: { ordersPerSecond: number; p99?: number };
}

export function plotPoints(r: Pick<BenchResults, "ours" | "baseline">): PlotPoint[] {
  const clients = [...new Set([...r.ours.levels, ...r.baseline.levels].map((l) => l.clients))].sort((a, b) => a - b);
  const figures = (levels: LevelResult[], c: number) => {
    const level = levels.find((l) => l.clients === c);
    return level === undefined ? undefined : { ordersPerSecond: level.ordersPerSecond, p99: level.latencyMs.p99 };
  };
  return clients.map((c) => ({ clients: c, ours: figures(r.ours.levels, c), baseline: figures(r.baseline.levels, c) }));
}

/** A round step for about `parts` gridlines up to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, parts = 4): number {
  if (!(max > 0)) return 1;
  const raw = max / parts;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  return step;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Two small charts side by side: orders/s and p99 by client count, ours against the baseline. */
export function svgPlot(points: PlotPoint[], caption: string): string {
  const width = 640;
  const height = 270;
  const panel = { w: 250, h: 160, top: 50 };
  const colours = { ours: "#1f6fb4", baseline: "#999999" };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<line x1="70" y1="14" x2="94" y2="14" stroke="${colours.ours}" stroke-width="2"/><text x="100" y="18">this project</text>`,
    `<line x1="190" y1="14" x2="214" y2="14" stroke="${colours.baseline}" stroke-width="2" stroke-dasharray="5 3"/>` +
      `<text x="220" y="18">no-op baseline (same Dapr calls)</text>`,
  ];
  const chart = (left: number, title: string, value: (p: PlotPoint, who: "ours" | "baseline") => number | undefined) => {
    const values = points.flatMap((p) => [value(p, "ours"), value(p, "baseline")]).filter((v): v is number => v !== undefined);
    const step = niceStep(Math.max(1, ...values));
    const top = Math.ceil(Math.max(1, ...values) / step) * step;
    const x = (i: number) => left + (points.length === 1 ? panel.w / 2 : (i * panel.w) / (points.length - 1));
    const y = (v: number) => panel.top + panel.h - (v / top) * panel.h;
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top - 12}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`);
    for (let v = 0; v <= top + step / 2; v += step) {
      out.push(
        `<line x1="${left}" y1="${y(v)}" x2="${left + panel.w}" y2="${y(v)}" stroke="#e4e4e4"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${Math.round(v * 100) / 100}</text>`,
      );
    }
    points.forEach((p, i) => out.push(`<text x="${x(i)}" y="${panel.top + panel.h + 16}" text-anchor="middle" fill="#555">${p.clients}</text>`));
    out.push(`<text x="${left + panel.w / 2}" y="${panel.top + panel.h + 32}" text-anchor="middle" fill="#555">clients</text>`);
    for (const who of ["baseline", "ours"] as const) {
      const other = who === "ours" ? "baseline" : "ours";
      const coords = points.flatMap((p, i) => {
        const v = value(p, who);
        return v === undefined ? [] : [{ i, cx: x(i), cy: y(v), v, above: v >= (value(p, other) ?? -Infinity) }];
      });
      const dash = who === "baseline" ? ` stroke-dasharray="5 3"` : "";
      out.push(
        `<polyline fill="none" stroke="${colours[who]}" stroke-width="2"${dash} points="${coords.map(({ cx, cy }) => `${cx.toFixed(1)},${cy.toFixed(1)}`).join(" ")}"/>`,
      );
      // Each value beside its point: the higher of the two lines' above it, the lower one's below.
      for (const { i, cx, cy, v, above } of coords) {
        const anchor = i === 0 ? "start" : i === points.length - 1 ? "end" : "middle";
        out.push(
          `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3" fill="${colours[who]}"/>`,
          `<text x="${cx.toFixed(1)}" y="${(cy + (above ? -7 : 15)).toFixed(1)}" text-anchor="${anchor}" fill="${colours[who]}">${v}</text>`,
        );
      }
    }
  };
  chart(50, "orders/s (higher is better)", (p, who) => p[who]?.ordersPerSecond);
  chart(365, "p99 latency, ms (lower is better)", (p, who) => p[who]?.p99);
  out.push(`<text x="${width / 2}" y="${height - 8}" text-anchor="middle" fill="#555">${escape(caption)}</text>`, "</svg>");
  return out.join("\n") + "\n";
}
