/**
 * The Management API client against a small fake IdP that counts what it is asked: one token
 * for many calls, one token fetch for many concurrent callers, a new token shortly before the
 * old one expires or when the API stops accepting it, and errors mapped to stable codes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createManagementClient, ManagementError } from "./client";

let server: Server;
let base: string;
let tokenRequests: { authorization?: string; body: string }[] = [];
let expiresIn = 3600;
let acceptToken: (token: string) => boolean = () => true;
let apiStatus = 200;
let apiRequests: string[] = [];

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => resolve(body));
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await read(req);
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  if (req.url === "/token") {
    tokenRequests.push({ authorization: req.headers.authorization, body });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return json(200, { access_token: `token-${tokenRequests.length}`, expires_in: expiresIn, token_type: "Bearer" });
  }
  apiRequests.push(req.url ?? "");
  const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
  if (!acceptToken(token)) return json(401, { error: "invalid_token" });
  if (apiStatus === 409)
    return json(409, { statusCode: 409, error: "Conflict", message: "last admin", errorCode: "last_admin" });
  if (apiStatus !== 200) return json(apiStatus, { statusCode: apiStatus });
  if (req.url?.startsWith("/api/v2/users/nobody")) return json(404, { statusCode: 404 });
  if (req.url?.startsWith("/api/v2/users?"))
    return json(200, { users: [{ user_id: "bob", email: "bob@example.com" }], total: 1 });
  return json(200, [{ id: "rol_0123456789abcdef", name: "admin", description: "" }]);
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
afterEach(() => {
  tokenRequests = [];
  expiresIn = 3600;
  acceptToken = () => true;
  apiStatus = 200;
  apiRequests = [];
  vi.useRealTimers();
});

/** `secret: null` configures no secret. */
const client = (secret: string | null = "s3cret value") =>
  createManagementClient({
    tokenEndpoint: async () => `${base}/token`,
    clientId: "claimtrip-management",
    clientSecret: secret ?? undefined,
    audience: `${base}/api/v2/`,
  });

describe("the Management API client", () => {
  it("asks for a client-credentials token for the audience, authenticated with the client's secret", async () => {
    await client().listRoles();
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]!.body);
    expect(Object.fromEntries(form)).toEqual({ grant_type: "client_credentials", audience: `${base}/api/v2/` });
    expect(tokenRequests[0]!.authorization).toBe(
      `Basic ${Buffer.from("claimtrip-management:s3cret+value").toString("base64")}`,
    );
  });

  it("reuses one token for many calls, and fetches it once for many concurrent callers", async () => {
    const management = client();
    await Promise.all(Array.from({ length: 8 }, () => management.userRoles("bob")));
    await management.listUsers();
    expect(tokenRequests).toHaveLength(1);
  });

  it("gets a new token shortly before the old one expires", async () => {
    expiresIn = 90;
    const management = client();
    await management.listRoles();
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 31_000 });
    await management.listRoles();
    expect(tokenRequests).toHaveLength(2);
  });

  it("gets a new token once when the API stops accepting the cached one", async () => {
    const management = client();
    await management.listRoles();
    acceptToken = (token) => token !== "token-1";
    await expect(management.listRoles()).resolves.toHaveLength(1);
    expect(tokenRequests).toHaveLength(2);
  });

  it("maps failures to stable codes", async () => {
    await expect(client(null).listRoles()).rejects.toMatchObject({ code: "not_configured" });
    await expect(client().userRoles("nobody")).rejects.toMatchObject({ code: "not_found" });
    apiStatus = 403;
    await expect(client().listRoles()).rejects.toMatchObject({ code: "refused" });
    apiStatus = 503;
    await expect(client().listRoles()).rejects.toMatchObject({ code: "unavailable" });
    const down = createManagementClient({
      tokenEndpoint: async () => "http://127.0.0.1:9/token",
      clientId: "x",
      clientSecret: "y",
      audience: `${base}/api/v2/`,
    });
    await expect(down.listRoles()).rejects.toBeInstanceOf(ManagementError);
  });

  it("maps a 409 (the IdP refused to remove the last admin) to conflict, with the IdP's errorCode", async () => {
    apiStatus = 409;
    await expect(client().removeRoles("alice", ["rol_0123456789abcdef"])).rejects.toMatchObject({
      code: "conflict",
      reason: "last_admin",
    });
  });

  it.each([".", "..", ""])("refuses the user id %j before it builds a URL, and sends nothing", async (userId) => {
    const management = client();
    const decoded = userId;
    for (const call of [
      () => management.userRoles(decoded),
      () => management.assignRoles(decoded, ["rol_0123456789abcdef"]),
      () => management.removeRoles(decoded, ["rol_0123456789abcdef"]),
      () => management.revokeAccess(decoded),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "invalid_user_id" });
    }
    expect(apiRequests).toEqual([]);
  });

  it("still takes ids with characters that encoding keeps in one path segment", async () => {
    const management = client();
    for (const userId of ["auth0|65f0", "a/../b", "...", ".x", "x."]) await management.userRoles(userId);
    expect(apiRequests.map((url) => url.replace(/\/roles$/, ""))).toEqual([
      "/api/v2/users/auth0%7C65f0",
      "/api/v2/users/a%2F..%2Fb",
      "/api/v2/users/...",
      "/api/v2/users/.x",
      "/api/v2/users/x.",
    ]);
  });
});
