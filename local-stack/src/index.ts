export { accessControlFile, start, LocalStack, prefixedLines, type AppEndpoints, type StartOptions } from "./stack.js";
export { repoRoot } from "./repo-root.js";
export { stackSecrets, tokenVariable, type AppSecrets, type StackSecrets } from "./secrets.js";
export { parseRunFile, readRunFile, type AppSpec, type Topology } from "./run-file.js";
export type { LineSink } from "./process.js";
export { freePort } from "./probe.js";
export { startTestStack, type TestStack, type TestStackOptions } from "./test-stack.js";
