/**
 * The discovery cache: one fetch per issuer while the copy is fresh (as the IdP's caching
 * headers say), a new fetch once it is stale or after a failure, and a stale copy served while
 * the IdP is failing. Auth.js's reads (through discoveryFetch) come from the same copy.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

class Issuer {
  issuer = "";
  hits = 0;
  status = 200;
  headers: Record<string, string> = {};
  private server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== "/.well-known/openid-configuration") return void res.writeHead(404).end();
    this.hits += 1;
    if (this.status !== 200) return void res.writeHead(this.status).end("down");
    res.writeHead(200, { "content-type": "application/json", ...this.headers });
    res.end(
      JSON.stringify({ issuer: this.issuer, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks` }),
    );
  });

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close() {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(resolve));
  }
}

const idp = new Issuer();
type Discovery = typeof import("./discovery");

async function freshModule(): Promise<Discovery> {
  vi.resetModules();
  return import("./discovery");
}

beforeAll(() => idp.start());
afterAll(() => idp.close());

beforeEach(() => {
  idp.hits = 0;
  idp.status = 200;
  idp.headers = {};
  vi.stubEnv("AUTH_ISSUER", idp.issuer);
  vi.stubEnv("AUTH_SECRET", "discovery-test-secret-0123456789abcdefghij");
  vi.stubEnv("AUTH_CLIENT_SECRET", "discovery-test-client-secret");
  vi.stubEnv("LOG_LEVEL", "silent");
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe("freshnessMs", () => {
  it("follows max-age less Age, and no-store / no-cache mean zero", async () => {
    const { freshnessMs, DEFAULT_FRESHNESS_MS } = await freshModule();
    expect(freshnessMs(new Headers({ "cache-control": "public, max-age=15, stale-while-revalidate=15" }))).toBe(15_000);
    expect(freshnessMs(new Headers({ "cache-control": "max-age=60", age: "20" }))).toBe(40_000);
    expect(freshnessMs(new Headers({ "cache-control": "no-store" }))).toBe(0);
    expect(freshnessMs(new Headers({ "cache-control": "no-cache, max-age=600" }))).toBe(0);
    expect(freshnessMs(new Headers({ "cache-control": "max-age=banana" }))).toBe(0);
    expect(freshnessMs(new Headers())).toBe(DEFAULT_FRESHNESS_MS);
  });

  it("falls back to Expires against Date, and never keeps a copy for more than a day", async () => {
    const { freshnessMs } = await freshModule();
    const date = "Mon, 30 Nov 2026 08:00:00 GMT";
    expect(freshnessMs(new Headers({ date, expires: "Mon, 30 Nov 2026 08:05:00 GMT" }))).toBe(300_000);
    expect(freshnessMs(new Headers({ date, expires: "0" }))).toBe(0);
    expect(freshnessMs(new Headers({ "cache-control": "max-age=31536000" }))).toBe(24 * 60 * 60_000);
  });
});

describe("providerMetadata", () => {
  it("fetches once per issuer while fresh, and again once stale", async () => {
    const discovery = await freshModule();
    idp.headers = { "cache-control": "max-age=60" };
    const [a, b] = await Promise.all([discovery.providerMetadata(), discovery.providerMetadata()]);
    await discovery.providerMetadata();
    expect(a.token_endpoint).toBe(`${idp.issuer}/token`);
    expect(b).toEqual(a);
    expect(idp.hits).toBe(1);

    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ["Date"] });
    await discovery.providerMetadata();
    expect(idp.hits).toBe(2);
  });

  it("asks every time when the IdP says no-store", async () => {
    const discovery = await freshModule();
    idp.headers = { "cache-control": "no-store" };
    await discovery.providerMetadata();
    await discovery.providerMetadata();
    expect(idp.hits).toBe(2);
  });

  it("does not cache a failure, and serves a stale copy while the IdP fails", async () => {
    const discovery = await freshModule();
    idp.status = 503;
    await expect(discovery.providerMetadata()).rejects.toMatchObject({ code: "idp_unavailable" });
    idp.status = 200;
    idp.headers = { "cache-control": "max-age=1" };
    const metadata = await discovery.providerMetadata();
    expect(idp.hits).toBe(2);

    vi.useFakeTimers({ now: Date.now() + 5_000, toFake: ["Date"] });
    idp.status = 503;
    await expect(discovery.providerMetadata()).resolves.toEqual(metadata);
    expect(idp.hits).toBe(3);
  });

  it("hands Auth.js the cached document, and forgets it when the IdP cannot be reached", async () => {
    const discovery = await freshModule();
    const url = discovery.discoveryUrl();
    const first = await discovery.discoveryFetch(url, { method: "GET" });
    const second = await discovery.discoveryFetch(url, { method: "GET" });
    expect(await first.json()).toEqual(await second.json());
    expect(idp.hits).toBe(1);

    await expect(discovery.discoveryFetch("http://127.0.0.1:1/token", { method: "POST" })).rejects.toThrow();
    await discovery.discoveryFetch(url, { method: "GET" });
    expect(idp.hits).toBe(2);
  });
});
