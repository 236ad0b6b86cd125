import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Floor, startFloor, timePasswordCheck } from "./floor";

/** One request, redirects not followed: `METHOD origin-path status`, as e2e/sign-in-hops.spec.ts writes them. */
async function hop(floor: Floor, method: "GET" | "POST", url: string) {
  const response = await fetch(url, { method, redirect: "manual", ...(method === "POST" ? { body: "a=b" } : {}) });
  const { origin, pathname } = new URL(url);
  const side = origin === floor.target.appUrl ? "app" : origin === floor.target.idpUrl ? "idp" : origin;
  return {
    line: `${method} ${side}${pathname.replace(/\/floor\b/, "/<uid>")} ${response.status}`,
    location: response.headers.get("location"),
    body: await response.text(),
  };
}

describe("the sign-in floor", () => {
  let floor: Floor;
  beforeAll(async () => {
    floor = await startFloor();
  });
  afterAll(() => floor.stop());

  // The real chain is asserted hop for hop by e2e/sign-in-hops.spec.ts: the floor makes the same one.
  it("answers the sign-in's hops, in order, with the status codes of the real one", async () => {
    const landing = await hop(floor, "GET", `${floor.target.appUrl}/`);
    expect(landing.body).toMatch(/<form method="post" action="\/auth\/sign-in">.*Sign in/);

    const lines: string[] = [];
    let next = await hop(floor, "POST", `${floor.target.appUrl}/auth/sign-in`);
    lines.push(next.line);
    next = await hop(floor, "GET", new URL(next.location!, floor.target.appUrl).toString());
    lines.push(next.line);
    expect(next.body).toContain('<input id="email"');
    expect(lines).toEqual(["POST app/auth/sign-in 303", "GET idp/auth 200"]);

    lines.length = 0;
    let url = `${floor.target.idpUrl}/interaction/floor/login`;
    next = await hop(floor, "POST", url);
    lines.push(next.line);
    while (next.location) {
      url = new URL(next.location, url).toString();
      next = await hop(floor, "GET", url);
      lines.push(next.line);
    }
    expect(lines).toEqual([
      "POST idp/interaction/<uid>/login 303",
      "GET idp/auth/<uid> 303",
      "GET app/api/auth/callback/<uid> 302",
      "GET app/dashboard 200",
    ]);
    expect(next.body).toContain('data-testid="api-view"');
  });

  it("times the IdP's own password check", async () => {
    const [ms] = await timePasswordCheck(1);
    expect(ms).toBeGreaterThan(0);
  });
});
