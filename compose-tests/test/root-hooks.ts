// Mocha root hooks (.mocharc.json requires this file): an interrupt takes the stack
// down during the whole run, and after the last test the stack goes down, logs
// saved, if any test file started it (stack.ts, stackUp()).
import path from "node:path";
import { artifacts, repoRoot, stackStarted, teardown, teardownOnInterrupt } from "./stack.js";

let stopHandlingInterrupts: (() => void) | undefined;

export const mochaHooks = {
  beforeAll() {
    stopHandlingInterrupts = teardownOnInterrupt();
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(3 * 60_000);
    try {
      if (!stackStarted()) return;
      const started = Date.now();
      const problems = await teardown();
      console.log(
        `    stack down in ${((Date.now() - started) / 1000).toFixed(1)} s; its logs are in ${path.relative(repoRoot, artifacts)}/compose.log`,
      );
      if (problems.length > 0) throw new Error(problems.join("\n"));
    } finally {
      stopHandlingInterrupts?.();
    }
  },
};
