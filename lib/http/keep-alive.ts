/**
 * GET a JSON resource over HTTP(S) on kept-alive connections: the app's calls to its own API
 * (lib/api/client.ts). Node's `http.Agent` with `keepAlive` holds the sockets open between
 * requests, so a page's API call skips the TCP handshake, and it bypasses Next.js's patched
 * `fetch` (its cache bookkeeping is of no use for a `no-store` call made on every request).
 */
import "server-only";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** Sockets kept open per origin. Default: 16 (more requests queue rather than open new ones) */
const MAX_SOCKETS = 16;
/**
 * Idle sockets are closed after this long. Below Node's server default `keepAliveTimeout`
 * (5 s), so the client gives a socket up before the server does and never writes into one the
 * server is closing.
 */
const IDLE_MS = 4_000;

const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
};

export interface JsonResponse {
  status: number;
  body: unknown;
  /** The response's headers, names in lower case. */
  headers: IncomingMessage["headers"];
}

/** GETs `url` and parses the body as JSON (`null` when it is not JSON). */
export function getJson(url: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<JsonResponse> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  const agent = agents[target.protocol as keyof typeof agents];
  if (!agent) return Promise.reject(new TypeError(`unsupported protocol ${target.protocol}`));
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: "GET", headers, agent, signal: AbortSignal.timeout(timeoutMs) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          let body: unknown = null;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            // not JSON: the caller decides by the status
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}
