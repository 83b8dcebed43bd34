// The programs the stack runs that are not part of it: found on the PATH, or
// provided by a script of scripts/ (Dapr's binaries, Zipkin's jar).
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { repoRoot } from "./repo-root.js";

/** The executable `command` on the PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The folder of daprd, placement, scheduler and sentry that scripts/dapr-binaries.sh
 * provides (it builds Dapr the first time: minutes), each checked to be executable.
 */
export async function daprBinaries(given?: string): Promise<string> {
  const dir = given ?? (await runScript("dapr-binaries.sh"));
  for (const binary of ["daprd", "placement", "scheduler", "sentry"]) accessSync(path.join(dir, binary), constants.X_OK);
  return dir;
}

/** Java and the Zipkin jar (scripts/zipkin-jar.sh); without them, why not (tracing is off then). */
export async function zipkinBinaries(): Promise<{ java: string; jar: string } | { missing: string }> {
  const java = findOnPath("java");
  if (java === undefined) return { missing: "Java is not installed, and Zipkin needs it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless)" };
  try {
    return { java, jar: await runScript("zipkin-jar.sh") };
  } catch (err) {
    return { missing: err instanceof Error ? err.message : String(err) };
  }
}

/** Runs scripts/<name> and resolves with what it printed (a path), its progress on our stderr. */
function runScript(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("bash", [path.join(repoRoot, "scripts", name)], (err, stdout) => {
      if (err) reject(new Error(`scripts/${name} failed: ${err.message}`));
      else resolve(stdout.trim());
    });
    child.stderr?.pipe(process.stderr); // progress of a first-time build or download
  });
}
