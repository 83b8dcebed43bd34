// For test suites (their mocha root hooks): the stack with its output in a log file
// and its data in a temporary folder, stopped on Ctrl-C; stop() cleans all of it up
// and fails when a process of the stack died during the tests.
import { createWriteStream, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { start, type LocalStack } from "./stack.js";

export interface TestStackOptions {
  /** Where the output of every process goes. */
  logFile: string;
  /** Environment for every app (e.g. APPROVAL_TIMEOUT_SECONDS). */
  env: Record<string, string>;
  /** Also run on Ctrl-C or SIGTERM, e.g. to close a browser. */
  onSignal?: () => Promise<unknown>;
  /** Replicas by app id, e.g. { "order-processor": 2 }; one of each app by default. */
  replicas?: Record<string, number>;
  /** How long a finished workflow's state is kept, e.g. "5s" (StartOptions). */
  workflowStateRetention?: string;
}

export interface TestStack {
  stack: LocalStack;
  /** Stops the stack and removes its data; throws if one of its processes died. */
  stop(): Promise<void>;
}

export async function startTestStack({ logFile, env, onSignal, replicas, workflowStateRetention }: TestStackOptions): Promise<TestStack> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const shownLog = path.relative(process.cwd(), logFile);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "dapr-orders-test-"));
  let stack: LocalStack | undefined;
  let failure: Error | undefined;

  // mocha does not handle Ctrl-C: without this the stack's processes would outlive it.
  const stopOnSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the local stack`);
    void Promise.allSettled([onSignal?.(), stack?.stop()]).finally(() => process.exit(130));
  };
  process.on("SIGINT", stopOnSignal);
  process.on("SIGTERM", stopOnSignal);
  const cleanUp = async () => {
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
    await new Promise((resolve) => log.end(resolve));
    await rm(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    stack = await start({
      dataDir,
      env,
      replicas,
      ...(workflowStateRetention === undefined ? {} : { workflowStateRetention }),
      output: (name, line) => log.write(`${name.padEnd(23)}| ${line}\n`),
      onUnexpectedExit: (err) => (failure = err),
    });
  } catch (err) {
    await cleanUp();
    throw new Error(`the local stack did not start (see ${shownLog}): ${String(err)}`, { cause: err });
  }
  console.log(`  local stack started in ${seconds(started)} s; its output is in ${shownLog}`);

  const running = stack;
  return {
    stack: running,
    async stop() {
      const stopping = Date.now();
      await running.stop();
      console.log(`  local stack stopped in ${seconds(stopping)} s`);
      await cleanUp();
      if (failure !== undefined) throw failure;
    },
  };
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
