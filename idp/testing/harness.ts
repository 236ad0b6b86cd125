/**
 * Starts a real IdP for a test file: a temporary SQLite database migrated with the project's
 * migrations and seeded with the demo users, fresh signing keys, and an HTTP server on a free
 * loopback port whose URL is the issuer. Logs are captured for assertions.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createPrismaClient } from "../../prisma/client.ts";
import { migrate } from "../../scripts/migrate.ts";
import type { PostLoginAction } from "../actions/types.ts";
import { createIdp, type Idp } from "../app.ts";
import type { BackchannelOptions } from "../backchannel.ts";
import { webRedirectUri, WEB_CLIENT_ID } from "../clients.ts";
import type { Database } from "../db.ts";
import { parseSettings, type IdpSettings } from "../env.ts";
import { createLogger } from "../logger.ts";
import type { LoginLimits } from "../rate-limit.ts";
import { seedUsers } from "../seed.ts";
import { Browser, loginFormAction, type Page } from "./browser.ts";

/** claimtrip-web's client secret in every test IdP (idp/refresh.test.ts sends its own token requests too). */
export const WEB_SECRET = "test-web-client-secret-0123456789";
/** claimtrip-management's client secret in every test IdP (the Management API's client credentials). */
export const MANAGEMENT_SECRET = "test-management-client-secret-0123456789";

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface TestIdp {
  issuer: string;
  settings: IdpSettings;
  idp: Idp;
  db: Database;
  logs: LogLine[];
  /** A new IdP instance on the same issuer, database and key directory (a process restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  actions?: readonly PostLoginAction[];
  limits?: LoginLimits;
  env?: Record<string, string>;
  backchannel?: BackchannelOptions;
}

export async function startTestIdp(options: StartOptions = {}): Promise<TestIdp> {
  const dir = mkdtempSync(join(tmpdir(), "claimtrip-idp-"));
  const databaseUrl = `file:${join(dir, "test.db")}`;
  await migrate(databaseUrl);
  const db = createPrismaClient(databaseUrl, { logErrors: false });
  await seedUsers(db);

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const settings = parseSettings({
    NODE_ENV: "test",
    IDP_ISSUER: issuer,
    DATABASE_URL: databaseUrl,
    IDP_DATA_DIR: dir,
    IDP_WEB_CLIENT_SECRET: WEB_SECRET,
    IDP_MANAGEMENT_CLIENT_SECRET: MANAGEMENT_SECRET,
    IDP_COOKIE_KEYS: "test-cookie-key-0123456789abcdef",
    LOG_LEVEL: "info",
    ...options.env,
  });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as LogLine);
      done();
    },
  });
  const start = () =>
    createIdp({
      settings,
      db,
      actions: options.actions,
      limits: options.limits,
      backchannel: options.backchannel,
      logger: createLogger("debug", sink),
    });
  const test: TestIdp = {
    issuer,
    settings,
    idp: await start(),
    db,
    logs,
    async restart() {
      await test.idp.close();
      test.idp = await start();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await test.idp.close();
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  handler = (req, res) => void test.idp.callback(req, res);
  return test;
}

export interface AuthorizeOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  /** Extra authorization parameters (resource, audience, prompt, ...). */
  params?: Record<string, string>;
  email?: string;
  password?: string;
}

export interface AuthorizeResult {
  /** Where the IdP finally sent the browser (the client's redirect URI with code or error). */
  callback: URL;
  verifier: string;
  redirectUri: string;
  state: string;
  nonce: string;
  browser: Browser;
  loginPage: Page | undefined;
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/**
 * Authorization Code + PKCE through the real login page: starts at /auth, posts the form
 * with the given credentials, and returns where the IdP redirected the browser.
 */
export async function authorize(
  t: TestIdp,
  options: AuthorizeOptions = {},
  browser = new Browser(t.issuer),
): Promise<AuthorizeResult> {
  const clientId = options.clientId ?? WEB_CLIENT_ID;
  const redirectUri = options.redirectUri ?? webRedirectUri(t.settings.APP_URL);
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString("hex");
  const nonce = randomBytes(8).toString("hex");
  const url = new URL("/auth", t.issuer);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    scope: options.scope ?? "openid profile email offline_access",
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
    nonce,
    ...options.params,
  }).toString();

  let page = await browser.navigate(url);
  let loginPage: Page | undefined;
  const action = page.status === 200 ? loginFormAction(page) : undefined;
  if (action) {
    loginPage = page;
    page = await browser.navigate(action, {
      form: { email: options.email ?? "alice@example.com", password: options.password ?? "alice-password" },
    });
  }
  if (page.status !== 0)
    throw new Error(
      `expected a redirect to the client, got ${page.status} at ${page.url.pathname}: ${page.body.slice(0, 300)}`,
    );
  return { callback: page.url, verifier, redirectUri, state, nonce, browser, loginPage };
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs to the token endpoint; claimtrip-web authenticates with client_secret_basic. */
export async function tokenRequest(
  t: TestIdp,
  params: Record<string, string>,
  auth: "basic" | "post" | "none" = "basic",
): Promise<TokenResponse> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const form = { ...params };
  if (auth === "basic")
    headers.authorization = `Basic ${Buffer.from(`${WEB_CLIENT_ID}:${WEB_SECRET}`).toString("base64")}`;
  if (auth === "post") Object.assign(form, { client_id: WEB_CLIENT_ID, client_secret: WEB_SECRET });
  const response = await fetch(new URL("/token", t.issuer), {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Exchanges the code from an {@link authorize} result. */
export function exchangeCode(
  t: TestIdp,
  result: AuthorizeResult,
  auth: "basic" | "post" | "none" = "basic",
  extra: Record<string, string> = {},
): Promise<TokenResponse> {
  const code = result.callback.searchParams.get("code");
  if (!code) throw new Error(`no code in ${result.callback.href}`);
  return tokenRequest(
    t,
    {
      grant_type: "authorization_code",
      code,
      redirect_uri: result.redirectUri,
      code_verifier: result.verifier,
      ...extra,
    },
    auth,
  );
}

/**
 * A client-credentials token request as claimtrip-management (client_secret_basic), with these
 * form parameters (audience or resource, scope, ...); `secret` overrides the client's secret.
 */
export async function managementTokenRequest(
  t: TestIdp,
  params: Record<string, string>,
  secret = MANAGEMENT_SECRET,
): Promise<TokenResponse> {
  const response = await fetch(new URL("/token", t.issuer), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`claimtrip-management:${secret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", ...params }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
