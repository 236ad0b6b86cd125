/**
 * The teardown of the `setup` project (playwright.config.ts), so it runs once every spec has
 * finished, whatever their order or outcome: the logs of the whole run hold no secret. The needles are the real
 * ones: every token the app stored (SessionTokens rows), every session id it handed out (Session rows,
 * the value of the session cookie), every refresh token and authorization code the IdP issued
 * (its own storage), the demo passwords, the secrets in .env.local, and the canaries this file
 * sends in the places a careless log line would copy (Authorization, Cookie, the callback's code).
 * The haystack is every line both servers wrote (playwright.config.ts sends their output to
 * e2e/.output/*.log).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "./fixtures";
import { alice, bob, DB_FILE, OUTPUT_DIR, REPO_ROOT } from "./settings";
import { storedTokens } from "./support/database";

const APP_LOG = join(OUTPUT_DIR, "app.log");
const LOGS = [APP_LOG, ...["app.err.log", "idp.log", "idp.err.log"].map((name) => join(OUTPUT_DIR, name))];

/** Something shaped like a JWT (base64url JSON header and payload). */
const JWT_SHAPE = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\./;

const CANARY = {
  requestId: "zz-canary-request-0001",
  cookie: `canary-session-${Date.now().toString(36)}-do-not-log`,
  code: `canary-code-${Date.now().toString(36)}-do-not-log`,
};

function column(sql: string): string[] {
  const db = new Database(DB_FILE, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(sql).raw().all() as unknown[][])
      .flat()
      .filter((v): v is string => typeof v === "string" && v !== "");
  } finally {
    db.close();
  }
}

function secretsFromEnvFile(): string[] {
  const file = join(REPO_ROOT, ".env.local");
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const values = text
    .split("\n")
    .map(
      (line) =>
        /^(AUTH_SECRET|AUTH_CLIENT_SECRET|IDP_WEB_CLIENT_SECRET|IDP_COOKIE_KEYS|MANAGEMENT_CLIENT_SECRET|IDP_MANAGEMENT_CLIENT_SECRET)=(.*)$/.exec(
          line.trim(),
        )?.[2] ?? "",
    )
    .flatMap((value) => value.split(","))
    .filter(Boolean);
  const clientSecret = /^AUTH_CLIENT_SECRET=(.*)$/m.exec(text)?.[1];
  // The client's HTTP Basic credential is the secret in another spelling.
  if (clientSecret) values.push(Buffer.from(`claimtrip-web:${clientSecret}`).toString("base64"));
  const managementSecret = /^MANAGEMENT_CLIENT_SECRET=(.*)$/m.exec(text)?.[1];
  if (managementSecret) values.push(Buffer.from(`claimtrip-management:${managementSecret}`).toString("base64"));
  return values;
}

/** A secret, and for a JWT its signature alone (either would leak it). */
const spellings = (secret: string) => {
  const signature = secret.split(".")[2];
  return signature && signature.length >= 16 ? [secret, signature] : [secret];
};

const appLogLines = () =>
  readFileSync(APP_LOG, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

test("requests that carry secrets are refused and logged without them", async ({ request }) => {
  const headers = { "x-request-id": CANARY.requestId };
  // A cross-site post with a session cookie: refused (and logged) by proxy.ts.
  const forged = await request.post("/", {
    headers: { ...headers, origin: "https://evil.example", cookie: `authjs.session-token=${CANARY.cookie}` },
    multipart: { field: "value" },
  });
  expect(forged.status()).toBe(403);
  // alice's real access token, one character off: refused (and logged) by the API.
  const tampered = `${storedTokens(alice.email).accessToken}x`;
  const api = await request.get("/api/me", { headers: { ...headers, authorization: `Bearer ${tampered}` } });
  expect(api.status()).toBe(401);
  // A forged sign-in callback with a made-up code: refused (and logged) by Auth.js.
  await request.get(`/api/auth/callback/claimtrip?${new URLSearchParams({ code: CANARY.code, state: "forged" })}`, {
    headers,
    maxRedirects: 0,
  });

  await expect
    .poll(() =>
      appLogLines()
        .filter((line) => line.reqId === CANARY.requestId)
        .map((line) => line.event),
    )
    .toContain("csrf_refused");
});

test("no token, session id, password or secret appears in any log line of the run", async () => {
  const logs = LOGS.filter(existsSync).map((file) => [file, readFileSync(file, "utf8")] as const);
  expect(
    logs.map(([file]) => file),
    "the servers' logs were captured",
  ).toContain(APP_LOG);

  const needles: [what: string, value: string][] = [
    ...column("SELECT accessToken, refreshToken, idToken FROM SessionTokens").map(
      (v) => ["a stored token", v] as [string, string],
    ),
    ...column("SELECT sessionToken FROM Session").map((v) => ["a session cookie value", v] as [string, string]),
    ...column("SELECT id FROM idp_oidc_models WHERE kind IN ('RefreshToken', 'AuthorizationCode', 'AccessToken')").map(
      (v) => ["a token the IdP issued", v] as [string, string],
    ),
    ...[alice.password, bob.password].map((v) => ["a demo password", v] as [string, string]),
    ...secretsFromEnvFile().map((v) => ["a secret from .env.local", v] as [string, string]),
    ["the canary cookie", CANARY.cookie],
    ["the canary authorization code", CANARY.code],
  ];
  expect(
    needles.some(([what]) => what === "a stored token"),
    "the run stored tokens to look for",
  ).toBe(true);
  expect(
    needles.some(([what]) => what === "a secret from .env.local"),
    "the run's secrets are known",
  ).toBe(true);

  for (const [file, text] of logs) {
    for (const [what, secret] of needles) {
      for (const needle of spellings(secret)) expect(text.includes(needle), `${file} contains ${what}`).toBe(false);
    }
    expect(text, `${file} contains something shaped like a JWT`).not.toMatch(JWT_SHAPE);
    expect(text, `${file} contains an Authorization value`).not.toMatch(
      /\b(Bearer|Basic|DPoP) [A-Za-z0-9\-._~+/]{16,}/,
    );
  }
});

test("the app's log lines are JSON, and a request's lines carry its id", async () => {
  const lines = appLogLines();
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines)
    expect(line).toMatchObject({ service: "app", level: expect.any(String), time: expect.any(String) });
  expect(lines.some((line) => line.reqId === CANARY.requestId && line.event === "csrf_refused")).toBe(true);
});

test("the IdP's log lines are JSON in the app's shape: level names, ISO time, service, request id", async () => {
  const lines = readFileSync(join(OUTPUT_DIR, "idp.log"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatchObject({ service: "idp", level: expect.stringMatching(/^[a-z]+$/) });
    expect(String(line.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  expect(lines.some((line) => line.msg === "tokens issued" && typeof line.reqId === "string")).toBe(true);
});
