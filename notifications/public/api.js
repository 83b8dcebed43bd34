// Calls to notifications' /api, which passes them on to the apps through Dapr.

/** @typedef {(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<any>} Api */

/**
 * The page's API client: throws an Error with the message the API answered. A 401
 * outside /api/session means the operator's session ended (expired, or signed out
 * elsewhere): `sessionEnded` is told, and says whether someone was signed in.
 * @param {() => boolean} sessionEnded
 * @returns {Api}
 */
export function createApi(sessionEnded) {
  return async (method, path, body, headers = {}) => {
    /** @type {Response} */
    let res;
    try {
      // Every POST is JSON, an empty object when there is nothing to say (the API refuses anything else).
      const json = method === "GET" ? undefined : JSON.stringify(body ?? {});
      res = await fetch(path, {
        method,
        headers: json === undefined ? headers : { ...headers, "content-type": "application/json" },
        body: json,
      });
    } catch {
      throw new Error("notifications cannot be reached");
    }
    const answer = await res.json().catch(() => ({}));
    if (res.status === 401 && !path.startsWith("/api/session") && sessionEnded()) {
      throw new Error("your operator session has ended: sign in again");
    }
    if (!res.ok) throw new Error(answer.error ?? `${res.status} ${res.statusText}`);
    return answer;
  };
}
