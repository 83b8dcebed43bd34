// The baseline's other apps: each answers every call at once. It runs as inventory,
// payments and shipping (the baseline's order workflow invokes them for reserve, pay
// and ship: success) and as notifications (Dapr delivers the topic "notifications" to
// its POST /notifications, bench/baseline/components).
import http from "node:http";

const port = Number(process.env.APP_PORT ?? 3001);

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: unknown;
      if (req.method === "GET" && req.url === "/healthz") body = { status: "ok" };
      else if (req.method === "POST" && req.url === "/notifications") body = { status: "SUCCESS" };
      else if (req.method === "POST") {
        let id: unknown;
        try {
          id = (JSON.parse(Buffer.concat(chunks).toString()) as { id?: unknown }).id;
        } catch {
          // no JSON body: answer anyway
        }
        body = { id, success: true, message: "done" };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  })
  .listen(port, () => console.log(`baseline no-op app on :${port}`));
process.on("SIGTERM", () => process.exit(0));
