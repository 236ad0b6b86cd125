/**
 * lib/resource-server/ is usable by any Node server: the README's "protect another endpoint"
 * example, taken from README.md as it is written, runs under plain `node` (no tsx, no Vite, no
 * `--conditions=react-server`, no Next.js) as a `node:http` server, and answers a local issuer's
 * tokens the way the app's API does. A `server-only` import, an app setting or an
 * extensionless import creeping into the folder makes the child process fail, and this test
 * with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ADMIN_ROLE, ROLES_CLAIM } from "../lib/shared/claims";
import { startFakeOp, type FakeOp } from "./fake-op";
import { createTestKey, mintAccessToken, type TestKey } from "./tokens";

const ROOT = join(import.meta.dirname, "..");
const AUDIENCE = "https://api.example";
const IMPORT = '"./lib/resource-server/index.ts"';

/** The fenced TypeScript block that follows "To protect another Node endpoint" in README.md. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("To protect another Node endpoint"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README.md has no TypeScript example after 'To protect another Node endpoint'");
  return block;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let issuer: FakeOp;
let key: TestKey;
let child: ChildProcess;
let output = "";
let origin: string;
let dir: string;

beforeAll(async () => {
  key = await createTestKey("RS256");
  issuer = await startFakeOp({ keys: [key] });
  const example = readmeExample();
  expect(example).toContain(IMPORT);
  dir = mkdtempSync(join(tmpdir(), "claimtrip-plain-node-"));
  // The README's file sits at the checkout's root; this copy sits elsewhere, so it names the folder by URL.
  const file = join(dir, "server.mts");
  writeFileSync(
    file,
    example.replace(IMPORT, JSON.stringify(pathToFileURL(join(ROOT, "lib/resource-server/index.ts")).href)),
  );

  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // Node 22.18+ strips types by default; 22.12 to 22.17 need the flag.
  const flags = process.features.typescript ? [] : ["--experimental-strip-types"];
  child = spawn(process.execPath, ["--no-warnings", ...flags, file], {
    cwd: dir,
    // Only what the example reads, and nothing that could load a loader or a condition.
    env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", ISSUER: issuer.issuer, AUDIENCE, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the example exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(origin);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the example did not start listening:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await issuer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (token?: string) => fetch(origin, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const mint = (claims: Record<string, unknown>) =>
  mintAccessToken(key, { issuer: issuer.issuer, claims: { aud: AUDIENCE, ...claims } });

describe("the README's resource-server example under plain node", () => {
  it("answers an admin's token with 200 and the subject", async () => {
    const response = await get(await mint({ [ROLES_CLAIM]: [ADMIN_ROLE] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: "user-alice" });
  });

  it("answers a valid token without the role with 403 insufficient_scope", async () => {
    const response = await get(await mint({ sub: "user-bob", [ROLES_CLAIM]: [] }));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope"/);
    expect(await response.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("answers a token for another API with 401 invalid_token, and no token with a bare challenge", async () => {
    const other = await get(await mint({ aud: "urn:claimtrip:reports", [ROLES_CLAIM]: [ADMIN_ROLE] }));
    expect(other.status).toBe(401);
    expect(other.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
    const none = await get();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    for (const response of [other, none]) expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("fetched the issuer's discovery document and keys itself", () => {
    expect(issuer.count("/.well-known/openid-configuration")).toBe(1);
    expect(issuer.count("/jwks")).toBe(1);
  });
});
