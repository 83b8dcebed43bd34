// Where the processes' output goes: every line of every process, and the stack's
// own, passes through one LineSink (process.ts hands it each line with the
// process's name). By default the lines go to the terminal, prefixed with the name.
import type { LineSink } from "./process.js";

/** Lines as "name            | line" on `stream`, the names in colour on a terminal. */
export function prefixedLines(stream: NodeJS.WriteStream): LineSink {
  const colours = [36, 33, 32, 35, 34, 91, 92, 93, 94, 95, 96];
  const assigned = new Map<string, number>();
  const width = 23; // "order-processor-2-dapr" (a second replica's sidecar) and a space
  stream.on("error", () => {}); // a closed pipe (the terminal went away) must not crash the runner
  return (name, line) => {
    let label = name.padEnd(width);
    if (stream.isTTY) {
      if (!assigned.has(name)) assigned.set(name, colours[assigned.size % colours.length]!);
      label = `\x1b[${assigned.get(name)}m${label}\x1b[0m`;
    }
    stream.write(`${label}| ${line}\n`);
  };
}
