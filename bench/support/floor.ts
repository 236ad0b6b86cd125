/**
 * The least a sign-in can take on this machine, whatever the app and the IdP do: the same browser
 * requests as the real sign-in, hop for hop (`e2e/sign-in-hops.spec.ts` counts them), answered
 * at once by two bare servers on two origins, with pages that hold only what the benchmark clicks
 * and waits for (no stylesheet, no script). The sign-in benchmark runs it beside the real stack,
 * and times the password hash the IdP checks at sign-in on its own; the two together are the floor
 * that no change to the servers or pages can go under, short of leaving the protocol or lowering
 * the hash's cost.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hashPassword, verifyPassword } from "../../idp/passwords";
import { closeGracefully, listen } from "../../lib/shared/http-server";
import type { Target } from "./stack";

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main>${body}</main></body></html>`;

const LANDING = page(
  "Claimtrip",
  `<form method="post" action="/auth/sign-in"><button type="submit">Sign in</button></form>`,
);
const LOGIN = page(
  "Sign in",
  `<form method="post" action="/interaction/floor/login"><label for="email">Email</label><input id="email" name="email" type="email"><label for="password">Password</label><input id="password" name="password" type="password"><button type="submit">Sign in</button></form>`,
);
const DASHBOARD = page("Dashboard", `<dl data-testid="api-view"><dt>Roles</dt><dd>["admin"]</dd></dl>`);

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

function html(response: ServerResponse, body: string): void {
  response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  response.end(body);
}

function redirect(response: ServerResponse, status: 302 | 303, location: string): void {
  response.writeHead(status, { location, "cache-control": "no-store" });
  response.end();
}

/** A server on an ephemeral port that answers each request once its body is read. */
async function serve(name: string, handler: Handler): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => handler(request, response));
  });
  await listen(server, 0, name);
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

export interface Floor {
  target: Target;
  stop(): Promise<void>;
}

/**
 * Two servers on ephemeral loopback ports, as "app" and "IdP": POST /auth/sign-in 303 → the login
 * page; POST its form 303 → GET /auth/… 303 → GET the app's callback 302 → GET /dashboard.
 */
export async function startFloor(): Promise<Floor> {
  let appUrl = "";
  const idp = await serve("the floor's IdP", (request, response) => {
    if (request.method === "POST" && request.url === "/interaction/floor/login")
      return redirect(response, 303, "/auth/floor");
    if (request.url === "/auth/floor") return redirect(response, 303, `${appUrl}/api/auth/callback/floor?code=c`);
    if (request.url === "/auth") return html(response, LOGIN);
    response.writeHead(404).end();
  });
  const idpUrl = `http://localhost:${portOf(idp)}`;
  const app = await serve("the floor's app", (request, response) => {
    if (request.method === "POST" && request.url === "/auth/sign-in") return redirect(response, 303, `${idpUrl}/auth`);
    if (request.url?.startsWith("/api/auth/callback/floor")) return redirect(response, 302, "/dashboard");
    if (request.url === "/dashboard") return html(response, DASHBOARD);
    if (request.url === "/") return html(response, LANDING);
    response.writeHead(404).end();
  });
  appUrl = `http://localhost:${portOf(app)}`;
  return {
    target: { label: "floor", root: "", appUrl, idpUrl, dbFile: "" },
    // Nothing in flight is worth waiting for: Chromium's kept-alive connections are cut at once.
    stop: async () => {
      await Promise.all([closeGracefully(app, 0), closeGracefully(idp, 0)]);
    },
  };
}

/**
 * Milliseconds one password check takes at the cost the IdP hashes with (idp/passwords.ts), each
 * of `runs` times in this process: the part of the sign-in that stays, by design.
 */
export async function timePasswordCheck(runs = 10): Promise<number[]> {
  const stored = await hashPassword("correct horse battery staple");
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    if (!(await verifyPassword("correct horse battery staple", stored))) throw new Error("the password check failed");
    times.push(performance.now() - started);
  }
  return times;
}
