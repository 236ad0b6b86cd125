/**
 * The doctor against the real local IdP (behind a gateway whose address is the issuer, so the
 * network between can fail too), in the default setup and in each broken one people report:
 * every broken setup fails exactly the check that names its problem.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPORTS_API } from "../../idp/resources.ts";
import { authorize, exchangeCode, startTestIdp, WEB_SECRET, type TestIdp } from "../../idp/testing/harness.ts";
import { probePostgres } from "../postgres.ts";
import { formatReport, readSettings, runDoctor, type Report } from "./index.ts";
import { startGateway, type Gateway } from "./testing/gateway.ts";

const TENANT_CLAIM = "https://tenant.example/roles";
const AUTH_SECRET = "doctor-test-auth-secret-0123456789abcdef";
const DPOP_KEY = JSON.stringify(
  generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }),
);
const root = resolve(import.meta.dirname, "../..");

let t: TestIdp;
let gateway: Gateway;
/** The test IdP as a browser reaches it: through the gateway, its issuer. */
let idp: TestIdp;

beforeAll(async () => {
  gateway = await startGateway();
  t = await startTestIdp({ env: { IDP_ISSUER: gateway.url, ROLES_CLAIM: TENANT_CLAIM } });
  gateway.target = t.issuer;
  idp = { ...t, issuer: gateway.url };
});
afterAll(async () => {
  await t?.close();
  await gateway?.close();
});
afterEach(() => {
  gateway.cut.clear();
  gateway.clockOffsetSeconds = 0;
});

/** The settings of an app set up against the test IdP; both sides read the same ROLES_CLAIM. */
function settings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    AUTH_SECRET,
    AUTH_ISSUER: gateway.url,
    IDP_ISSUER: gateway.url,
    AUTH_CLIENT_SECRET: WEB_SECRET,
    IDP_WEB_CLIENT_SECRET: WEB_SECRET,
    IDP_COOKIE_KEYS: "doctor-test-cookie-key-0123456789",
    DATABASE_URL: t.settings.DATABASE_URL,
    ROLES_CLAIM: TENANT_CLAIM,
    AUTH_DPOP_PRIVATE_KEY: DPOP_KEY,
    ...overrides,
  };
}

const failing = (report: Report) => report.checks.filter((check) => check.status === "fail").map((check) => check.name);
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!;

async function accessToken(params: Record<string, string>): Promise<string> {
  const tokens = await exchangeCode(idp, await authorize(idp, { params }));
  return String(tokens.body.access_token);
}

/** Whether a PostgreSQL server answers at 127.0.0.1:5432 (user postgres). */
const postgres = (await probePostgres("postgresql://postgres@127.0.0.1:5432/postgres")).state === "ready";

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

describe("the default setup", () => {
  it("passes every check, with the callback URL to register", async () => {
    const report = await runDoctor({ source: settings() });
    expect(report.checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report, "redirect").found).toContain("http://localhost:3000/api/auth/callback/claimtrip");
    expect(report.checks.map((c) => c.name)).toEqual([
      "settings",
      "roles-claim",
      "idp-settings",
      "discovery",
      "issuer",
      "clock",
      "jwks",
      "end-session",
      "dpop",
      "client",
      "redirect",
      "audience",
      "typ",
      "database",
    ]);
  });

  it("no DPoP key: warns that the app falls back to Bearer tokens; with API_DPOP=required, fails", async () => {
    const { AUTH_DPOP_PRIVATE_KEY: _key, ...withoutKey } = settings();
    expect(check(await runDoctor({ source: withoutKey }), "dpop")).toMatchObject({
      status: "warn",
      found: expect.stringContaining("AUTH_DPOP_PRIVATE_KEY is not set"),
    });
    const required = await runDoctor({ source: { ...withoutKey, API_DPOP: "required" } });
    expect(failing(required)).toEqual(["dpop"]);
  });

  it("passes a real access token: a JWT for the API with the roles under ROLES_CLAIM, accepted by the API's verifier", async () => {
    const report = await runDoctor({
      source: settings(),
      token: await accessToken({ audience: t.settings.API_AUDIENCE }),
    });
    expect(report.checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(check(report, "token-roles").found).toBe(`${TENANT_CLAIM} holds ["admin"]`);
  });
});

describe("broken setups, each named by its own line", () => {
  it("wrong issuer: AUTH_ISSUER reaches a server whose discovery names another issuer", async () => {
    const report = await runDoctor({ source: settings({ AUTH_ISSUER: t.issuer }) });
    expect(failing(report)).toEqual(["issuer"]);
    expect(check(report, "issuer")).toMatchObject({
      found: expect.stringContaining(`"${gateway.url}", not "${t.issuer}"`),
      fix: `set AUTH_ISSUER=${gateway.url}`,
    });
    // The client secret goes to no token endpoint but the named issuer's.
    expect(check(report, "client")).toMatchObject({
      status: "skip",
      found: expect.stringContaining("sent only to the issuer AUTH_ISSUER names"),
    });
  });

  it("wrong issuer: nothing answers at AUTH_ISSUER", async () => {
    const report = await runDoctor({
      source: settings({ AUTH_ISSUER: `http://127.0.0.1:${await closedPort()}` }),
      timeoutMs: 2_000,
    });
    expect(failing(report)).toEqual(["discovery"]);
    expect(check(report, "discovery").found).toMatch(
      /^cannot reach http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration \(ECONNREFUSED\)$/,
    );
  });

  it("trailing slash: AUTH_ISSUER differs from the issuer by its slash", async () => {
    const report = await runDoctor({ source: settings({ AUTH_ISSUER: `${gateway.url}/` }) });
    expect(failing(report)).toEqual(["issuer"]);
    expect(check(report, "issuer")).toMatchObject({
      found: expect.stringContaining("only the trailing slash differs"),
      fix: `set AUTH_ISSUER=${gateway.url}`,
    });
    expect(check(report, "client").status).toBe("ok");
  });

  it("no audience: the request names no API, and the token is opaque", async () => {
    const report = await runDoctor({ source: settings({ AUTH_AUDIENCE_PARAM: "none" }), token: await accessToken({}) });
    expect(failing(report)).toEqual(["audience", "token"]);
    expect(check(report, "audience").found).toMatch(/^AUTH_AUDIENCE_PARAM=none: .*userinfo/);
    expect(check(report, "token").found).toMatch(/opaque, not a JWT/);
  });

  it("unknown audience: API_AUDIENCE is no API the IdP knows", async () => {
    const report = await runDoctor({ source: settings({ API_AUDIENCE: "https://api.unknown.example" }) });
    expect(failing(report)).toEqual(["audience"]);
    expect(check(report, "audience").found).toMatch(
      /^the IdP does not know API_AUDIENCE https:\/\/api\.unknown\.example \(invalid_target/,
    );
  });

  it("wrong secret: the token endpoint says invalid_client", async () => {
    const report = await runDoctor({ source: settings({ AUTH_CLIENT_SECRET: "not-the-registered-secret" }) });
    expect(failing(report)).toEqual(["client"]);
    expect(check(report, "client")).toMatchObject({
      found: "the token endpoint refused client claimtrip-web's credentials (invalid_client)",
      fix: expect.stringContaining("IDP_WEB_CLIENT_SECRET"),
    });
  });

  it("unreachable JWKS: discovery answers, the keys do not", async () => {
    gateway.cut.add("/jwks");
    const report = await runDoctor({ source: settings() });
    expect(failing(report)).toEqual(["jwks"]);
    expect(check(report, "jwks").found).toBe(
      `cannot fetch jwks_uri ${gateway.url}/jwks (connection closed without an answer)`,
    );
  });

  it("keys the API does not accept: API_ALGORITHMS leaves out the IdP's RS256", async () => {
    const report = await runDoctor({ source: settings({ API_ALGORITHMS: "ES256" }) });
    expect(failing(report)).toEqual(["jwks"]);
    expect(check(report, "jwks").fix).toBe(
      "set API_ALGORITHMS to the IdP's signing algorithm, e.g. API_ALGORITHMS=RS256",
    );
  });

  it("non-namespaced claim: ROLES_CLAIM=roles is a failed check with its reason, not a crash", async () => {
    const report = await runDoctor({ source: settings({ ROLES_CLAIM: "roles" }) });
    expect(failing(report)).toEqual(["roles-claim"]);
    expect(check(report, "roles-claim").found).toMatch(
      /^ROLES_CLAIM: "roles" is not namespaced .*Auth0 silently drops/,
    );
  });

  it("wrong redirect: the IdP does not know the app's callback URL", async () => {
    const report = await runDoctor({ source: settings({ APP_URL: "https://app.example" }) });
    expect(failing(report)).toEqual(["redirect"]);
    expect(check(report, "redirect")).toMatchObject({
      found: expect.stringContaining("would not send sign-ins back to https://app.example/api/auth/callback/claimtrip"),
      fix: expect.stringContaining("register https://app.example/api/auth/callback/claimtrip"),
    });
  });

  it("skewed clock: the IdP's Date is ten minutes off this machine's", async () => {
    gateway.clockOffsetSeconds = 600;
    const report = await runDoctor({ source: settings() });
    expect(failing(report)).toEqual(["clock"]);
    expect(check(report, "clock").found).toMatch(
      /^this machine's clock is about (599|600|601) s behind the IdP's .* expired tokens would still pass for that long$/,
    );
  });

  it("database not set up: no SQLite file at DATABASE_URL", async () => {
    const report = await runDoctor({
      source: settings({ DATABASE_URL: `file:${join(tmpdir(), "claimtrip-doctor-none", "missing.db")}` }),
    });
    expect(failing(report)).toEqual(["database"]);
    expect(check(report, "database").found).toMatch(/^database missing: no SQLite file at /);
    expect(check(report, "database").fix).toMatch(/npm run setup/);
  });

  it("database not migrated: an empty SQLite file says how many migrations are pending", async () => {
    const dir = mkdtempSync(join(tmpdir(), "claimtrip-doctor-empty-"));
    try {
      writeFileSync(join(dir, "empty.db"), "");
      const report = await runDoctor({ source: settings({ DATABASE_URL: `file:${join(dir, "empty.db")}` }) });
      expect(failing(report)).toEqual(["database"]);
      expect(check(report, "database").found).toMatch(/^migrations not applied \([1-9]\d* pending\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("database server down: cannot connect, told apart from a missing database", async () => {
    const port = await closedPort();
    const report = await runDoctor({
      source: settings({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/claimtrip` }),
    });
    expect(failing(report)).toEqual(["database"]);
    expect(check(report, "database").found).toBe(`cannot connect to PostgreSQL at 127.0.0.1:${port}: ECONNREFUSED`);
  });

  it.skipIf(!postgres)(
    "database missing: PostgreSQL answers but has no such database (PostgreSQL at 127.0.0.1:5432)",
    async () => {
      const name = `claimtrip_doctor_never_${process.pid}`;
      const report = await runDoctor({
        source: settings({ DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${name}` }),
      });
      expect(failing(report)).toEqual(["database"]);
      expect(check(report, "database").found).toBe(
        `database missing: PostgreSQL at 127.0.0.1:5432 has no database "${name}"`,
      );
      expect(check(report, "database").fix).toMatch(/^npm run setup creates it .*createdb/);
    },
  );

  it("lists every production setting the app refuses, one line each", async () => {
    const report = await runDoctor({
      source: settings({
        NODE_ENV: "production",
        APP_URL: "https://app.example",
        AUTH_SECRET: "dev-only-0123456789abcdefghijklmnopqrstuvwxyz",
        AUTH_CLIENT_SECRET: "dev-only-client",
        MANAGEMENT_CLIENT_SECRET: "dev-only-management",
      }),
    });
    expect(report.checks.filter((c) => c.name === "settings" && c.status === "fail").map((c) => c.found)).toEqual([
      "Invalid setting AUTH_SECRET: the generated development secret cannot be used in production",
      "Invalid setting AUTH_CLIENT_SECRET: the generated development secret cannot be used in production",
      "Invalid setting MANAGEMENT_CLIENT_SECRET: the generated development secret cannot be used in production",
    ]);
  });

  it("an instance on its own port behind APP_URL: says what that port can and cannot do", async () => {
    const report = await runDoctor({ source: settings({ PORT: "3001" }) });
    expect(check(report, "app-url")).toMatchObject({
      status: "warn",
      found:
        "this instance listens on port 3001, but APP_URL is http://localhost:3000: the address people use must be APP_URL",
    });
    expect(check(await runDoctor({ source: settings({ PORT: "3000" }) }), "app-url").status).toBe("ok");
  });

  it("a token for another API: wrong aud and no roles claim", async () => {
    const report = await runDoctor({ source: settings(), token: await accessToken({ audience: REPORTS_API }) });
    expect(failing(report)).toEqual(["token-aud", "token-roles", "token-verify"]);
    expect(check(report, "token-aud").found).toBe(`aud is ${REPORTS_API}, not API_AUDIENCE ${t.settings.API_AUDIENCE}`);
  });

  it("a claim name that differs between the API and the IdP: names the claim the token has", async () => {
    const report = await runDoctor({
      source: settings({ ROLES_CLAIM: "https://claimtrip.example/roles" }),
      token: await accessToken({ audience: t.settings.API_AUDIENCE }),
    });
    expect(failing(report)).toEqual(["token-roles"]);
    expect(check(report, "token-roles").fix).toBe(
      `set ROLES_CLAIM=${TENANT_CLAIM}, or name the claim https://claimtrip.example/roles in the IdP's action`,
    );
  });

  it("local IdP settings: names the one the IdP would refuse to start with", async () => {
    const report = await runDoctor({ source: settings({ IDP_COOKIE_KEYS: "short" }) });
    expect(failing(report)).toEqual(["idp-settings"]);
    expect(check(report, "idp-settings").found).toMatch(
      /^the local IdP would refuse to start: Invalid setting IDP_COOKIE_KEYS: /,
    );
  });

  it("reports every bad setting on its own line", async () => {
    const report = await runDoctor({ source: settings({ AUTH_SECRET: "short", AUTH_REFRESH_SKEW: "soon" }) });
    expect(report.checks.filter((c) => c.name === "settings").map((c) => c.found)).toEqual([
      "Invalid setting AUTH_SECRET: expected at least 32 characters (run `npm run setup`)",
      "Invalid setting AUTH_REFRESH_SKEW: Invalid input: expected number, received NaN",
    ]);
  });
});

describe("output", () => {
  it("never prints a secret or a token", async () => {
    const token = await accessToken({ audience: t.settings.API_AUDIENCE });
    const text = [
      formatReport(await runDoctor({ source: settings(), token })),
      formatReport(
        await runDoctor({
          source: settings({ AUTH_CLIENT_SECRET: "wrong-secret-0123456789abcdef" }),
          token: `${token}x`,
        }),
      ),
    ].join("\n");
    for (const secret of [
      AUTH_SECRET,
      WEB_SECRET,
      JSON.parse(DPOP_KEY).d,
      "wrong-secret-0123456789abcdef",
      ...token.split("."),
    ])
      expect(text).not.toContain(secret);
  });
});

describe("settings source", () => {
  it("takes the environment over .env.local", () => {
    const dir = mkdtempSync(join(tmpdir(), "claimtrip-doctor-"));
    try {
      const file = join(dir, ".env.local");
      writeFileSync(file, "AUTH_ISSUER=http://from-file.example\nAUTH_CLIENT_SECRET=from-file\n");
      expect(readSettings({ AUTH_ISSUER: "http://from-env.example" }, file)).toMatchObject({
        AUTH_ISSUER: "http://from-env.example",
        AUTH_CLIENT_SECRET: "from-file",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("npm run doctor (the CLI)", () => {
  function cli(
    env: Record<string, string>,
    args: string[] = [],
    stdin = "",
  ): Promise<{ code: number | null; out: string }> {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/doctor/cli.ts", ...args],
      {
        cwd: root,
        env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stdin.end(stdin);
    return new Promise((done) => child.on("exit", (code) => done({ code, out })));
  }

  it("exits 0 when the settings work, checking a token from standard input", async () => {
    const token = await accessToken({ audience: t.settings.API_AUDIENCE });
    const { code, out } = await cli(settings(), ["--token"], token);
    expect(out).toMatch(/^ok {3}token-verify {3}the API's verifier accepts it/m);
    expect(out).toMatch(/doctor: 18 ok, 0 warn, 0 fail, 0 skipped: these settings work\.\n$/);
    expect(code).toBe(0);
    for (const piece of token.split(".")) expect(out).not.toContain(piece);
  });

  it("exits 1 with a line naming the problem, for a variant given in the environment", async () => {
    const { code, out } = await cli(settings({ AUTH_ISSUER: `${gateway.url}/` }));
    expect(out).toMatch(
      /^fail issuer {9}discovery says issuer ".*only the trailing slash differs.* → set AUTH_ISSUER=/m,
    );
    expect(code).toBe(1);
  });
});
