import { expect } from "chai";
import { filteredLines, isWarningOrWorse, parseOutputMode } from "../src/output-filter.js";

describe("what npm start shows (STACK_OUTPUT)", () => {
  const daprd = (level: string) =>
    `time="2026-12-08T02:00:00.123Z" level=${level} msg="something" app_id=inventory instance=host scope=dapr.runtime type=log ver=1.18.2`;

  it("hides the sidecars' and the control plane's lines below a warning, in text and JSON", () => {
    for (const level of ["debug", "info"]) {
      expect(isWarningOrWorse(daprd(level)), level).to.equal(false);
      expect(isWarningOrWorse(`{"app_id":"inventory","level":"${level}","msg":"x"}`), level).to.equal(false);
    }
    for (const level of ["warning", "error", "fatal"]) {
      expect(isWarningOrWorse(daprd(level)), level).to.equal(true);
      expect(isWarningOrWorse(`{"app_id":"inventory","level":"${level}","msg":"x"}`), level).to.equal(true);
    }
  });

  it("hides Redis's notices and Zipkin's INFO, and shows their warnings and errors", () => {
    expect(isWarningOrWorse("1234:M 08 Dec 2026 02:00:00.123 * Ready to accept connections tcp")).to.equal(false);
    expect(isWarningOrWorse("1234:C 08 Dec 2026 02:00:00.123 - Accepted 127.0.0.1:5000")).to.equal(false);
    expect(isWarningOrWorse("1234:M 08 Dec 2026 02:00:00.123 # WARNING Memory overcommit must be enabled!")).to.equal(true);
    expect(isWarningOrWorse("2026-12-08T02:33:02.955Z  INFO [/] 1 --- [-127.0.0.1:9411] c.l.a.s.Server : Serving HTTP")).to.equal(false);
    expect(isWarningOrWorse("2026-12-08T02:33:02.516Z  WARN [/] 1 --- [           main] i.m.p.PrometheusMeterRegistry : careful")).to.equal(true);
  });

  it("hides lines without a level: banners, Go's plain log lines", () => {
    expect(isWarningOrWorse("                  oooo")).to.equal(false);
    expect(isWarningOrWorse(":: version 3.6.1 :: commit b2b0c98 ::")).to.equal(false);
    expect(isWarningOrWorse("2026/12/08 02:33:07 Marking prefixes as undeliverable for one caller: stream shutdown")).to.equal(false);
  });

  it("shows every line of the apps and of the stack itself, and the rest's warnings; all of it with STACK_OUTPUT=all", () => {
    const info = daprd("info");
    const lines = [
      ["inventory", `{"level":"info","service":"inventory","msg":"request"}`],
      ["order-processor-2", `{"level":"info","service":"order-processor","msg":"request"}`],
      ["local-stack", "everything answers (2.5 s):"],
      ["inventory-dapr", info],
      ["inventory-dapr", daprd("warning")],
      ["scheduler", info],
      ["redis", "1234:M 08 Dec 2026 02:00:00.123 * Ready to accept connections tcp"],
    ] as const;
    const run = (mode: "apps" | "all") => {
      const shown: string[] = [];
      const sink = filteredLines((name, line) => shown.push(`${name}|${line}`), mode, ["inventory", "order-processor-2"]);
      for (const [name, line] of lines) sink(name, line);
      return shown;
    };
    expect(run("apps")).to.deep.equal([
      `inventory|${lines[0][1]}`,
      `order-processor-2|${lines[1][1]}`,
      "local-stack|everything answers (2.5 s):",
      `inventory-dapr|${daprd("warning")}`,
    ]);
    expect(run("all")).to.have.length(lines.length);
  });

  it("reads STACK_OUTPUT: apps by default, all, and nothing else", () => {
    expect(parseOutputMode(undefined)).to.equal("apps");
    expect(parseOutputMode("")).to.equal("apps");
    expect(parseOutputMode("apps")).to.equal("apps");
    expect(parseOutputMode("all")).to.equal("all");
    expect(() => parseOutputMode("everything")).to.throw('STACK_OUTPUT must be "apps" or "all", not "everything"');
  });
});
