/**
 * The token inspector against the Auth0-shaped fake OP of the tests, which offers no token
 * exchange: the page renders its columns, readable times, and no contrast, and no error.
 */
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startFakeOp, type FakeOp } from "@/test/fake-op";
import { createTestKey, mintAccessToken, mintIdToken } from "@/test/tokens";

const SECRET = "tokens-page-test-client-secret";
const tokens = vi.hoisted(() => ({ access: "", id: "" }));
vi.mock("@/lib/auth/session", () => ({
  requireUser: async () => ({ id: "user-1", name: "Alice", email: "alice@example.com" }),
}));
vi.mock("@/lib/api/client", () => ({
  callApi: async () => ({ ok: true, data: { claims: { sub: "user-alice" } } }),
}));
vi.mock("@/lib/tokens/store", () => ({
  readTokens: async () => ({
    accessToken: tokens.access,
    idToken: tokens.id,
    expiresAt: Math.floor(Date.now() / 1000) + 300,
    hasRefreshToken: true,
  }),
  getAccessToken: async () => tokens.access,
}));

let op: FakeOp;
let TokensPage: typeof import("./page").default;

beforeAll(async () => {
  const key = await createTestKey();
  op = await startFakeOp({ keys: [key], client: { secret: SECRET }, trailingSlash: true });
  tokens.access = await mintAccessToken(key, { issuer: op.issuer });
  tokens.id = await mintIdToken(key, { issuer: op.issuer });
  vi.stubEnv("AUTH_SECRET", "tokens-page-test-secret-0123456789abcdef");
  vi.stubEnv("AUTH_CLIENT_SECRET", SECRET);
  vi.stubEnv("AUTH_ISSUER", op.issuer);
  vi.resetModules();
  ({ default: TokensPage } = await import("./page"));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await op.close();
});

it("renders without the contrast, saying what the IdP would need, and without an error", async () => {
  const html = renderToStaticMarkup(await TokensPage());
  expect(html).toContain("Token inspector");
  expect(html).toContain('data-testid="access-token-claims"');
  expect(html).toContain('data-testid="contrast-unavailable"');
  expect(html).toContain("Token Exchange, RFC 8693");
  expect(html).not.toContain('data-testid="token-contrast"');
  expect(html).not.toMatch(/could not be fetched|role="alert"/);
  // Time claims: the number, the UTC date-time and the relative time.
  expect(html).toMatch(
    /<time [^>]*dateTime="\d{4}-\d\d-\d\dT[\d:.]+Z"[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time>/,
  );
  expect(html).toMatch(/in 5 min|in 4 min \d+ s/);
  // Nothing was asked of the IdP's token endpoint.
  expect(op.tokenRequests).toHaveLength(0);
  expect(html).not.toContain(tokens.access);
});
