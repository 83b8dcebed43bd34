// One HTTP request to a running app, for tests, the bench and the local stack: JSON
// in, the answer's status, headers and body out (parsed when it is JSON), bounded by
// a timeout. Any status is an answer; no answer (refused, timed out) is an error.

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed when it is JSON, else the text. */
  body: any;
}

export interface HttpCallOptions {
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  raw?: string;
  /** application/json by default. */
  contentType?: string;
  headers?: Record<string, string>;
  /** How long to wait for the answer: 30 s by default. */
  timeoutMs?: number;
  /** Ends the request early when it aborts. */
  signal?: AbortSignal;
}

export async function call(method: string, url: string, options: HttpCallOptions = {}): Promise<HttpAnswer> {
  const payload = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const res = await fetch(url, {
    method,
    body: payload,
    headers: { ...(payload === undefined ? {} : { "content-type": options.contentType ?? "application/json" }), ...options.headers },
    signal: options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]),
  });
  return { status: res.status, headers: res.headers, body: await responseBody(res) };
}

/** A response's body: parsed when it is JSON, else its text. */
export async function responseBody(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
