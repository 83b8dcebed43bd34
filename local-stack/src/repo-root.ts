// The repository root, found from this file wherever it runs from (src/ under the
// tests, dist/src/ once built): the nearest folder above it whose package.json
// lists the workspaces.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in (JSON.parse(readFileSync(manifest, "utf8")) as object)) return dir + path.sep;
    if (path.dirname(dir) === dir) throw new Error(`no package.json with workspaces above ${from}`);
  }
}

/** The repository root, with a trailing separator. */
export const repoRoot = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));
