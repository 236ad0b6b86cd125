import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOp, type FakeOp } from "@/test/fake-op";

const issuer = "http://127.0.0.1:9";

describe("signInProblem", () => {
  let signInProblem: typeof import("./sign-in-problem").signInProblem;

  beforeAll(async () => {
    vi.stubEnv("AUTH_SECRET", "sign-in-problem-test-secret-0123456789ab");
    vi.stubEnv("AUTH_CLIENT_SECRET", "sign-in-problem-client-secret");
    vi.stubEnv("AUTH_ISSUER", issuer);
    vi.resetModules();
    ({ signInProblem } = await import("./sign-in-problem"));
  });
  afterAll(() => vi.unstubAllEnvs());

  it("names the IdP that is not answering when Auth.js reports a configuration error", async () => {
    const problem = await signInProblem("Configuration", issuer, async () => false);
    expect(problem.unreachable).toBe(true);
    expect(problem.message).toContain(`The identity provider at ${issuer} is not answering`);
  });

  it("keeps the generic message when the IdP answers (a real configuration problem)", async () => {
    const problem = await signInProblem("Configuration", issuer, async () => true);
    expect(problem).toEqual({ unreachable: false, message: "The sign-in could not be completed." });
  });

  it("says why for a denied login and for an expired session, without asking the IdP", async () => {
    const answers = vi.fn(async () => false);
    expect((await signInProblem("access_denied", issuer, answers)).message).toMatch(/did not let this sign-in through/);
    expect((await signInProblem("session_expired", issuer, answers)).message).toMatch(/sign in again/);
    expect(answers).not.toHaveBeenCalled();
  });

  it("gives the generic message for codes that name Object.prototype's members", async () => {
    for (const code of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      expect(await signInProblem(code, issuer, async () => true)).toEqual({
        unreachable: false,
        message: "The sign-in could not be completed.",
      });
    }
  });

  it("never repeats an unknown error code back to the page", async () => {
    const problem = await signInProblem("<script>alert(1)</script>", issuer, async () => true);
    expect(problem.message).toBe("The sign-in could not be completed.");
  });

  describe("asking the IdP", () => {
    let up: FakeOp;

    beforeAll(async () => {
      up = await startFakeOp();
    });
    afterAll(() => up.close());

    it("finds a closed port not answering, and a live discovery endpoint answering", async () => {
      const { idpAnswers } = await import("../issuer/discovery");
      // AUTH_ISSUER points at port 9 (discard), where nothing listens here.
      expect(await idpAnswers()).toBe(false);
      vi.stubEnv("AUTH_ISSUER", up.issuer);
      vi.resetModules();
      const fresh = await import("../issuer/discovery");
      expect(await fresh.idpAnswers()).toBe(true);
    });
  });
});
