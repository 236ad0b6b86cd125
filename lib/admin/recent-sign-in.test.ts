/**
 * Gate 3 ("you signed in recently") is about the session that acts, not the user: a newer sign-in
 * in another browser must not vouch for an old one (a forgotten laptop, a stolen cookie). Driven
 * through the real sign-in write path (lib/auth/new-session.ts), the session's own stored ID token
 * and the real verifier, against a local issuer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRouteHarness, type RouteHarness } from "@/test/api-route";
import { CLIENT_ID, mintIdToken } from "@/test/tokens";

let harness: RouteHarness;
type Modules = {
  db: typeof import("@/lib/db").db;
  signIn: typeof import("@/lib/auth/new-session");
  tokens: typeof import("@/lib/tokens/store");
  recent: typeof import("./recent-sign-in");
  change: typeof import("./change");
};
let m: Modules;
let userId: string;

const now = () => Math.floor(Date.now() / 1000);
const MAX_AGE = 300;

beforeAll(async () => {
  harness = await startRouteHarness();
  m = {
    db: (await import("@/lib/db")).db,
    signIn: await import("@/lib/auth/new-session"),
    tokens: await import("@/lib/tokens/store"),
    recent: await import("./recent-sign-in"),
    change: await import("./change"),
  };
  userId = (await m.db.user.create({ data: { email: "alice@example.com", name: "Alice" } })).id;
});
afterAll(() => harness?.close());

/** A sign-in of alice whose ID token says she typed her password `ago` seconds ago; its session id. */
async function signInAlice(name: string, ago: number): Promise<string> {
  const idToken = await mintIdToken(harness.key, {
    issuer: harness.idp.issuer,
    claims: { aud: CLIENT_ID, sub: "alice", auth_time: now() - ago, sid: `sid-${name}` },
  });
  await m.signIn.withSignIn(async () => {
    m.signIn.rememberSignIn(`sid-${name}`, {
      provider: "claimtrip",
      providerAccountId: "alice",
      type: "oidc",
      access_token: `at-${name}`,
      id_token: idToken,
    });
    await m.signIn.createSessionWithTokens({ sessionToken: name, userId, expires: new Date(Date.now() + 3_600_000) });
  });
  return (await m.db.session.findUniqueOrThrow({ where: { sessionToken: name } })).id;
}

/** Gate 3 as lib/admin/actions.ts asks it for a session. */
async function recentFor(sessionId: string): Promise<boolean> {
  const idToken = (await m.tokens.readTokens(sessionId))?.idToken ?? null;
  return m.change.isRecent(await m.recent.verifiedAuthTime(idToken, "alice"), MAX_AGE);
}

describe("recent sign-in, per session", () => {
  it("refuses an old session after a newer sign-in elsewhere, and passes the newer one", async () => {
    const laptop = await signInAlice("laptop", 2 * MAX_AGE);
    const phone = await signInAlice("phone", 10);
    expect(await recentFor(laptop)).toBe(false);
    expect(await recentFor(phone)).toBe(true);
  });

  it("a re-authentication of one session leaves the other's sign-in time as it was", async () => {
    const a = await signInAlice("a", 2 * MAX_AGE);
    const b = await signInAlice("b", 2 * MAX_AGE);
    const aAgain = await signInAlice("a-again", 1); // browser A typed the password again
    expect(await recentFor(aAgain)).toBe(true);
    expect(await recentFor(a)).toBe(false);
    expect(await recentFor(b)).toBe(false);
  });

  it("counts an ID token for another user, or none at all, as not recent", async () => {
    const session = await signInAlice("other", 10);
    const idToken = (await m.tokens.readTokens(session))?.idToken ?? null;
    expect(await m.recent.verifiedAuthTime(idToken, "bob")).toBeNull();
    expect(await m.recent.verifiedAuthTime(null, "alice")).toBeNull();
  });
});
