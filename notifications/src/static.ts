// The dashboard's files from public/, read once at start (they are few and small).
// Browsers check back before using a copy they have (no-cache), so a new version
// of the page is used at once.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { notFound, Router } from "@dapr-orders/service-kit";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export function publicFiles(dir: string): Router {
  const files = new Map(
    readdirSync(dir).map((name) => [name, { body: readFileSync(path.join(dir, name)), type: types[path.extname(name)] }]),
  );
  const router = new Router();
  router.get(["/", "/:name"], (ctx) => {
    const file = files.get(ctx.params.name ?? "index.html");
    if (file === undefined) throw notFound(`no file ${ctx.path}`);
    ctx.type = file.type ?? "application/octet-stream";
    ctx.set("Cache-Control", "no-cache");
    ctx.body = file.body;
  });
  return router;
}
