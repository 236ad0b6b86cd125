/**
 * Starting and stopping an HTTP server the same way in both programs: the IdP (idp/listen.ts)
 * and the app under `npm start` (scripts/host.ts), which may run in one process. Plain Node, like
 * ./settings.ts: the IdP imports nothing of the app but lib/shared/ and lib/resource-server/.
 */
import type { Server } from "node:http";

/** How long in-flight requests get to finish when a server stops. */
export const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Listens on `port`; resolves once it does. A failure rejects with one line for the operator,
 * naming `name` and, when the port is taken, saying so.
 */
export function listen(server: Server, port: number, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const hint = error.code === "EADDRINUSE" ? ` (port ${port} is taken; is another ${name} running?)` : "";
      reject(new Error(`${name} could not listen: ${error.message}${hint}`));
    });
    server.listen(port, resolve);
  });
}

/**
 * Stops taking connections and resolves once the server is closed: idle kept-alive connections
 * close at once, requests in flight get `graceMs` to finish before their connections are cut.
 */
export function closeGracefully(server: Server, graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
