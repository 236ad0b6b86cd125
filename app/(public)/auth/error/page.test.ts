import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

type Page = typeof import("./page").default;
let AuthErrorPage: Page;

beforeAll(async () => {
  vi.stubEnv("AUTH_SECRET", "auth-error-page-test-secret-0123456789ab");
  vi.stubEnv("AUTH_CLIENT_SECRET", "auth-error-page-client-secret");
  vi.stubEnv("AUTH_ISSUER", "http://127.0.0.1:9");
  vi.resetModules();
  ({ default: AuthErrorPage } = await import("./page"));
});
afterAll(() => vi.unstubAllEnvs());

async function render(searchParams: Record<string, string>): Promise<string> {
  return renderToStaticMarkup(await AuthErrorPage({ searchParams: Promise.resolve(searchParams) }));
}

it("shows the fixed message for the code, and nothing else of the URL", async () => {
  const html = await render({ error: "OAuthCallbackError", reason: "Your account is locked. Call +1 555 0100" });
  expect(html).toContain("The identity provider answered the sign-in with an error.");
  expect(html).not.toContain("Call +1");
});
