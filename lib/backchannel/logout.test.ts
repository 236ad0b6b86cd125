/**
 * The back-channel logout handler on its own: the database, settings, keys and logger are
 * stand-ins, so every branch of reading the request, remembering the `jti` and ending sessions
 * is shown in milliseconds (the route's tests in app/api/auth/backchannel-logout/ run the same
 * handler against a real database and a hostile set of tokens). This is the file
 * `npm run test:mutation` runs against lib/backchannel/logout.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createTestKey, mintLogoutToken, type TestKey } from "@/test/tokens";

const ISSUER = "https://idp.example";
const FORM = "application/x-www-form-urlencoded";
const MAX_BODY_BYTES = 16 * 1024;

const state = vi.hoisted(() => ({
  key: undefined as unknown,
  keysDown: false,
  jtis: new Map<string, Date>(),
  endedSids: new Map<string, Date>(),
  accounts: [] as { provider: string; providerAccountId: string; userId: string }[],
  sessions: [] as { sid: string | null; userId: string }[],
  createError: undefined as unknown,
  upsertError: undefined as unknown,
  logs: [] as { level: string; fields: Record<string, unknown>; message: string }[],
  bindings: [] as Record<string, unknown>[],
  calls: [] as { model: string; method: string; args: unknown }[],
}));

vi.mock("../env", () => ({ env: { AUTH_ISSUER: "https://idp.example", AUTH_CLIENT_ID: "claimtrip-web" } }));
vi.mock("../auth/provider", () => ({ PROVIDER_ID: "claimtrip" }));
vi.mock("../issuer/keys", async () => {
  const { KeySourceError } = await import("../resource-server");
  return {
    ISSUER_KEYS_BACKOFF_MS: 5_000,
    issuerAlgorithms: ["RS256"],
    issuerKeys: async () => {
      if (state.keysDown) throw new KeySourceError("keys unavailable", { cause: new Error("jwks answered 500") });
      return state.key;
    },
  };
});
vi.mock("../logger", () => {
  const logger = {
    child: (bindings: Record<string, unknown>) => {
      state.bindings.push(bindings);
      return logger;
    },
    info: (fields: Record<string, unknown>, message: string) => state.logs.push({ level: "info", fields, message }),
    warn: (fields: Record<string, unknown>, message: string) => state.logs.push({ level: "warn", fields, message }),
    error: (fields: Record<string, unknown>, message: string) => state.logs.push({ level: "error", fields, message }),
  };
  return { loggerFor: () => logger };
});
vi.mock("../db", () => {
  const record = (model: string, method: string, args: unknown) => state.calls.push({ model, method, args });
  type Where = { where: Record<string, unknown> };
  const inUsers = (where: Record<string, unknown>, userId: string) =>
    where.userId === undefined || (where.userId as { in: string[] }).in.includes(userId);
  return {
    db: {
      logoutTokenJti: {
        deleteMany: async (args: { where: { expiresAt: { lt: Date } } }) => {
          record("logoutTokenJti", "deleteMany", args);
          for (const [id, expiresAt] of state.jtis) if (expiresAt < args.where.expiresAt.lt) state.jtis.delete(id);
        },
        findUnique: async (args: { where: { id: string } }) => {
          record("logoutTokenJti", "findUnique", args);
          return state.jtis.has(args.where.id) ? { id: args.where.id } : null;
        },
        create: async (args: { data: { id: string; expiresAt: Date } }) => {
          record("logoutTokenJti", "create", args);
          if (state.createError) throw state.createError;
          state.jtis.set(args.data.id, args.data.expiresAt);
        },
      },
      endedIdpSession: {
        deleteMany: async (args: { where: { expiresAt: { lt: Date } } }) => {
          record("endedIdpSession", "deleteMany", args);
          for (const [id, expiresAt] of state.endedSids)
            if (expiresAt < args.where.expiresAt.lt) state.endedSids.delete(id);
        },
        upsert: async (args: { where: { id: string }; create: { id: string; expiresAt: Date } }) => {
          record("endedIdpSession", "upsert", args);
          if (state.upsertError) throw state.upsertError;
          if (!state.endedSids.has(args.where.id)) state.endedSids.set(args.create.id, args.create.expiresAt);
        },
      },
      account: {
        findMany: async (args: { where: { provider: string; providerAccountId: string } }) => {
          record("account", "findMany", args);
          return state.accounts
            .filter((a) => a.provider === args.where.provider && a.providerAccountId === args.where.providerAccountId)
            .map((a) => ({ userId: a.userId }));
        },
      },
      session: {
        deleteMany: async (args: Where) => {
          record("session", "deleteMany", args);
          const { where } = args;
          const doomed = state.sessions.filter(
            (s) => (where.sid === undefined || s.sid === where.sid) && inUsers(where, s.userId),
          );
          state.sessions = state.sessions.filter((s) => !doomed.includes(s));
          return { count: doomed.length };
        },
      },
    },
  };
});

const { handleBackchannelLogout } = await import("./logout");

let key: TestKey;

beforeAll(async () => {
  key = await createTestKey("RS256");
  state.key = key.publicKey;
});

beforeEach(() => {
  state.keysDown = false;
  state.jtis.clear();
  state.endedSids.clear();
  state.accounts = [
    { provider: "claimtrip", providerAccountId: "bob", userId: "u-bob" },
    { provider: "claimtrip", providerAccountId: "carol", userId: "u-carol" },
    { provider: "other-idp", providerAccountId: "dave", userId: "u-dave" },
  ];
  state.sessions = [
    { sid: "s1", userId: "u-bob" },
    { sid: "s2", userId: "u-bob" },
    { sid: "s1", userId: "u-carol" },
    { sid: null, userId: "u-carol" },
    { sid: "s3", userId: "u-dave" },
  ];
  state.createError = undefined;
  state.upsertError = undefined;
  state.logs = [];
  state.bindings = [];
  state.calls = [];
});

const now = () => Math.floor(Date.now() / 1000);

/** A logout token from the IdP for the app, without a `kid` (the test's key set holds one key). */
function sign(claims: Record<string, unknown> = {}): Promise<string> {
  return mintLogoutToken(key, { issuer: ISSUER, claims, header: { kid: undefined } });
}

function post(body: BodyInit | null, headers: Record<string, string> = { "content-type": FORM }): Request {
  return new Request("http://localhost:3000/api/auth/backchannel-logout", { method: "POST", body, headers });
}

const form = (token: string) => `logout_token=${encodeURIComponent(token)}`;

/** A body delivered in chunks of the given sizes, with no Content-Length. */
function chunked(sizes: number[], fill = "a"): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const size of sizes) controller.enqueue(new TextEncoder().encode(fill.repeat(size)));
      controller.close();
    },
  });
}

function postStream(stream: ReadableStream<Uint8Array>): Request {
  return new Request("http://localhost:3000/api/auth/backchannel-logout", {
    method: "POST",
    body: stream,
    headers: { "content-type": FORM },
    duplex: "half",
  } as RequestInit);
}

/** The reason logged for the last refusal, after checking the bare 400 the IdP gets. */
async function refusal(response: Response): Promise<unknown> {
  expect(response.status).toBe(400);
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(await response.json()).toEqual({ error: "invalid_request" });
  const warned = state.logs.filter((line) => line.level === "warn");
  expect(warned).toHaveLength(1);
  expect(warned[0]!.message).toBe("back-channel logout refused");
  expect(warned[0]!.fields.outcome).toBe("refused");
  return warned[0]!.fields.reason;
}

describe("an honest logout token", () => {
  it("ends the sessions of its sid, answers a bare 200 no-store, and logs how", async () => {
    const response = await handleBackchannelLogout(post(form(await sign())));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("");
    expect(state.sessions.map((s) => s.sid)).toEqual(["s2", null, "s3"]);
    expect(state.bindings).toEqual([{ event: "backchannel_logout" }]);
    expect(state.logs).toEqual([
      {
        level: "info",
        fields: { outcome: "done", by: "sid", ended: 2 },
        message: "back-channel logout: app sessions ended",
      },
    ]);
  });

  it("with sid and sub, ends only that user's sessions of that sid", async () => {
    const response = await handleBackchannelLogout(post(form(await sign({ sub: "bob" }))));
    expect(response.status).toBe(200);
    expect(state.sessions).toEqual([
      { sid: "s2", userId: "u-bob" },
      { sid: "s1", userId: "u-carol" },
      { sid: null, userId: "u-carol" },
      { sid: "s3", userId: "u-dave" },
    ]);
    expect(state.logs[0]!.fields).toEqual({ outcome: "done", by: "sid", ended: 1 });
  });

  it("with only sub, ends every session of that user at this IdP", async () => {
    const response = await handleBackchannelLogout(post(form(await sign({ sid: undefined, sub: "carol" }))));
    expect(response.status).toBe(200);
    expect(state.sessions.map((s) => s.userId)).toEqual(["u-bob", "u-bob", "u-dave"]);
    expect(state.calls.find((c) => c.model === "session")?.args).toStrictEqual({
      where: { userId: { in: ["u-carol"] } },
    });
    expect(state.logs[0]!.fields).toEqual({ outcome: "done", by: "sub", ended: 2 });
    expect(state.calls.find((c) => c.model === "account")?.args).toEqual({
      where: { provider: "claimtrip", providerAccountId: "carol" },
      select: { userId: true },
    });
  });

  it("with a sub no account here has, or one of another provider, ends nothing", async () => {
    for (const sub of ["nobody", "dave"]) {
      state.logs = [];
      const response = await handleBackchannelLogout(post(form(await sign({ sub }))));
      expect(response.status).toBe(200);
      expect(state.logs[0]!.fields).toEqual({ outcome: "done", by: "sid", ended: 0 });
    }
    expect(state.sessions).toHaveLength(5);
    expect(state.calls.filter((c) => c.model === "session")).toEqual([]);
  });

  it("remembers the jti, hashed with the issuer, until the token could no longer be accepted", async () => {
    const jti = randomUUID();
    const issued = now();
    await handleBackchannelLogout(post(form(await sign({ jti, iat: issued, exp: issued + 60 }))));
    const id = createHash("sha256").update(`${ISSUER}\n${jti}`).digest("hex");
    expect([...state.jtis]).toEqual([[id, new Date((issued + 65) * 1000)]]);
  });

  it("forgets the jtis that expired before remembering a new one", async () => {
    const before = Date.now();
    state.jtis.set("old", new Date(before - 1000));
    state.jtis.set("live", new Date(before + 60_000));
    await handleBackchannelLogout(post(form(await sign())));
    const cutoff = (state.calls[0]!.args as { where: { expiresAt: { lt: Date } } }).where.expiresAt.lt.getTime();
    expect(cutoff).toBeGreaterThanOrEqual(before);
    expect(cutoff).toBeLessThanOrEqual(Date.now());
    expect(state.jtis.has("old")).toBe(false);
    expect(state.jtis.has("live")).toBe(true);
  });

  it("accepts a form content type with parameters, in any case and with spaces", async () => {
    for (const type of [`${FORM}; charset=utf-8`, "Application/X-WWW-Form-Urlencoded", `${FORM} ; charset=utf-8`]) {
      const response = await handleBackchannelLogout(post(form(await sign()), { "content-type": type }));
      expect(response.status, type).toBe(200);
    }
  });

  it("accepts a Content-Length of exactly the limit, with up to 9 digits", async () => {
    for (const length of [String(MAX_BODY_BYTES), "000016384", "0"]) {
      const request = post(form(await sign()), { "content-type": FORM, "content-length": length });
      expect((await handleBackchannelLogout(request)).status, length).toBe(200);
    }
  });

  it("reads a body of exactly the limit, in chunks", async () => {
    const token = form(await sign());
    const padding = `&pad=${"p".repeat(MAX_BODY_BYTES - token.length - 5)}`;
    const body = token + padding;
    expect(body.length).toBe(MAX_BODY_BYTES);
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 1000));
        controller.enqueue(bytes.subarray(1000));
        controller.close();
      },
    });
    expect((await handleBackchannelLogout(postStream(stream))).status).toBe(200);
  });
});

describe("refusals: a bare 400, the reason in the log", () => {
  it("refuses a body that is not a form, or says no type", async () => {
    const token = form(await sign());
    const types: Record<string, string>[] = [{ "content-type": "text/plain" }, { "content-type": `${FORM}x` }];
    for (const headers of types) {
      state.logs = [];
      expect(await refusal(await handleBackchannelLogout(post(token, headers)))).toBe("content_type");
    }
    state.logs = [];
    const untyped = new Request("http://localhost:3000/api/auth/backchannel-logout", {
      method: "POST",
      body: chunked([10]),
      duplex: "half",
    } as RequestInit);
    expect(untyped.headers.get("content-type")).toBeNull();
    expect(await refusal(await handleBackchannelLogout(untyped))).toBe("content_type");
  });

  it("refuses a Content-Length over the limit or not a plain number of at most 9 digits (anchored both ends), before reading", async () => {
    for (const length of [String(MAX_BODY_BYTES + 1), "1000000000", "a12", "12a", "1e3", "-1", "0x10"]) {
      state.logs = [];
      const request = post(form(await sign()), { "content-type": FORM, "content-length": length });
      expect(await refusal(await handleBackchannelLogout(request)), length).toBe("body_too_large");
      expect(request.bodyUsed, length).toBe(false);
    }
  });

  it("stops reading a body one byte over the limit, whatever the chunks", async () => {
    for (const sizes of [[MAX_BODY_BYTES + 1], [MAX_BODY_BYTES, 1], [10, MAX_BODY_BYTES - 9]]) {
      state.logs = [];
      expect(await refusal(await handleBackchannelLogout(postStream(chunked(sizes)))), String(sizes)).toBe(
        "body_too_large",
      );
    }
  });

  it("refuses a body without a logout_token, or with two", async () => {
    const token = await sign();
    for (const [body, reason] of [
      [null, "missing"],
      ["", "missing"],
      ["token=x", "missing"],
      [`${form(token)}&${form(token)}`, "repeated"],
    ] as const) {
      state.logs = [];
      expect(await refusal(await handleBackchannelLogout(post(body))), String(body)).toBe(reason);
    }
  });

  it("refuses a body that is not UTF-8", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("logout_token=a"), 0xff, 0xfe]);
    expect(await refusal(await handleBackchannelLogout(post(bytes)))).toBe("body_encoding");
  });

  it("refuses a token it verified before: a replay, here or from another instance", async () => {
    const token = await sign();
    expect((await handleBackchannelLogout(post(form(token)))).status).toBe(200);
    state.logs = [];
    expect(await refusal(await handleBackchannelLogout(post(form(token))))).toBe("replayed");
    expect(state.calls.filter((c) => c.method === "create")).toHaveLength(1);
    const id = createHash("sha256")
      .update(`${ISSUER}\n${JSON.parse(atob(token.split(".")[1]!)).jti}`)
      .digest("hex");
    expect(state.calls.filter((c) => c.method === "findUnique").map((c) => c.args)).toEqual([
      { where: { id }, select: { id: true } },
      { where: { id }, select: { id: true } },
    ]);
  });

  it("refuses the second of two deliveries racing to record the same jti", async () => {
    state.createError = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
    expect(await refusal(await handleBackchannelLogout(post(form(await sign()))))).toBe("replayed");
    expect(state.sessions).toHaveLength(5);
  });

  it("passes on the verifier's reason", async () => {
    expect(await refusal(await handleBackchannelLogout(post(form(await sign({ aud: "someone-else" })))))).toBe(
      "aud_check_failed",
    );
  });
});

describe("failures", () => {
  it("answers 503 with Retry-After when the IdP's keys cannot be fetched, so the IdP retries", async () => {
    state.keysDown = true;
    const response = await handleBackchannelLogout(post(form(await sign())));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ error: "temporarily_unavailable" });
    expect(state.logs).toHaveLength(1);
    expect(state.logs[0]).toMatchObject({
      level: "error",
      fields: { outcome: "keys_unavailable" },
      message: "back-channel logout: the IdP's keys cannot be fetched",
    });
    expect((state.logs[0]!.fields.err as Error).message).toBe("jwks answered 500");
  });

  it("answers a bare 500 when the database fails, and ends nothing", async () => {
    const failure = Object.assign(new Error("disk full"), { code: "SQLITE_FULL" });
    state.createError = failure;
    const response = await handleBackchannelLogout(post(form(await sign())));
    expect(response.status).toBe(500);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ error: "server_error" });
    expect(state.logs).toEqual([
      { level: "error", fields: { outcome: "error", err: failure }, message: "back-channel logout failed" },
    ]);
    expect(state.sessions).toHaveLength(5);
  });
});

describe("an ended IdP session is remembered", () => {
  const key = (sid: string) => createHash("sha256").update(`${ISSUER}\n${sid}`).digest("hex");

  it("by the SHA-256 of issuer and sid, until the token could no longer be accepted, before the sessions go", async () => {
    const issued = now();
    expect(
      (await handleBackchannelLogout(post(form(await sign({ iat: issued, exp: issued + 60, sid: "s1" }))))).status,
    ).toBe(200);
    expect([...state.endedSids]).toEqual([[key("s1"), new Date((issued + 65) * 1000)]]);
    expect(state.calls.filter((c) => c.method === "upsert").map((c) => c.args)).toEqual([
      { where: { id: key("s1") }, create: { id: key("s1"), expiresAt: new Date((issued + 65) * 1000) }, update: {} },
    ]);
    const order = state.calls.map((c) => `${c.model}.${c.method}`);
    expect(order.indexOf("endedIdpSession.upsert")).toBeLessThan(order.indexOf("session.deleteMany"));
  });

  it("and forgotten once expired; a token without sid records nothing", async () => {
    state.endedSids.set("old", new Date(Date.now() - 1_000));
    state.endedSids.set("live", new Date(Date.now() + 60_000));
    expect((await handleBackchannelLogout(post(form(await sign({ sub: "bob", sid: undefined }))))).status).toBe(200);
    expect([...state.endedSids.keys()]).toEqual(["old", "live"]);
    expect((await handleBackchannelLogout(post(form(await sign({ sid: "s2" }))))).status).toBe(200);
    expect([...state.endedSids.keys()]).toEqual(["live", key("s2")]);
  });
});

describe("two tokens for one sid at once", () => {
  it("the second one finds the sid recorded by the first (a unique violation) and still ends the sessions", async () => {
    state.upsertError = Object.assign(new Error("Unique constraint failed"), { code: "P2002" });
    expect((await handleBackchannelLogout(post(form(await sign({ sid: "s1" }))))).status).toBe(200);
    expect(state.sessions.map((s) => s.sid)).toEqual(["s2", null, "s3"]);
  });

  it("any other database error while recording the sid is a 500, and ends nothing", async () => {
    const failure = Object.assign(new Error("disk full"), { code: "SQLITE_FULL" });
    state.upsertError = failure;
    const response = await handleBackchannelLogout(post(form(await sign({ sid: "s1" }))));
    expect(response.status).toBe(500);
    expect(state.logs).toEqual([
      { level: "error", fields: { outcome: "error", err: failure }, message: "back-channel logout failed" },
    ]);
    expect(state.sessions).toHaveLength(5);
  });
});
