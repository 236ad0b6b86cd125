import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";

vi.mock("./env", () => ({ env: { LOG_LEVEL: "silent" } }));

const { createLogger, loggerFor, scrub } = await import("./logger");

const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
const OPAQUE = "opaque-refresh-token-Zm9vYmFyYmF6cXV4";

/** A logger writing into an array of parsed lines. */
function capture(level: "info" | "debug" | "warn" = "debug") {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { log: createLogger(level, stream), lines, raw: () => raw.join("\n") };
}

describe("createLogger", () => {
  it("writes JSON lines with level, time, service and message", () => {
    const { log, lines } = capture();
    log.info({ event: "sign_in", userId: "u1" }, "signed in");
    expect(lines[0]).toMatchObject({ level: "info", service: "app", event: "sign_in", userId: "u1", msg: "signed in" });
    expect(typeof lines[0]?.time).toBe("string");
  });

  it("names the instance in every line when given one", () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line)) }, "json", "app-a");
    log.child({ reqId: "r1" }).info("hello");
    expect(lines[0]).toMatchObject({ service: "app", instance: "app-a", reqId: "r1" });
  });

  it("respects the level", () => {
    const { log, lines } = capture("warn");
    log.info("hidden");
    log.warn("shown");
    expect(lines.map((l) => l.msg)).toEqual(["shown"]);
  });

  it("redacts credential fields at the top level and one level down", () => {
    const { log, lines, raw } = capture();
    log.info({
      authorization: `Bearer ${JWT}`,
      cookie: `authjs.session-token=${OPAQUE}`,
      access_token: JWT,
      refresh_token: OPAQUE,
      password: "alice-password",
      request: { headers: { authorization: "x" }, cookie: OPAQUE, token: OPAQUE },
      account: { refreshToken: OPAQUE, id_token: JWT, client_secret: "s3cret-value" },
    });
    expect(lines[0]).toMatchObject({ authorization: "[redacted]", cookie: "[redacted]", password: "[redacted]" });
    for (const needle of [JWT, OPAQUE, "alice-password", "s3cret-value"]) expect(raw()).not.toContain(needle);
  });

  it("scrubs JWTs and credentials from messages and any string value", () => {
    const { log, raw } = capture();
    log.info(`calling with Bearer ${JWT}`);
    log.warn({ detail: { deep: [`token is ${JWT}`] }, url: `/cb?code=${OPAQUE}&state=x` }, "refused");
    log.info("basic %s", `Basic ${Buffer.from("claimtrip-web:s3cret-value").toString("base64")}`);
    expect(raw()).not.toContain(JWT.split(".")[1]);
    expect(raw()).not.toContain(OPAQUE);
    expect(raw()).not.toContain(Buffer.from("claimtrip-web:s3cret-value").toString("base64"));
    expect(raw()).toContain("[redacted-jwt]");
  });

  it("logs an error's name, code and reason, never its cause or a token in its message", () => {
    const { log, lines, raw } = capture();
    const cause = new Error(`token endpoint answered {"access_token":"${OPAQUE}"}`);
    const error = Object.assign(new Error(`jwt ${JWT} expired`, { cause }), {
      code: "invalid_token",
      reason: "expired",
    });
    log.error({ err: error }, "failed");
    expect(lines[0]?.err).toMatchObject({ type: "Error", code: "invalid_token", reason: "expired" });
    expect(raw()).not.toContain(OPAQUE);
    expect(raw()).not.toContain(JWT.split(".")[1]);
  });
});

describe("scrub", () => {
  it("leaves ordinary text alone", () => {
    expect(scrub("user u1 signed in from /dashboard")).toBe("user u1 signed in from /dashboard");
  });
});

describe("loggerFor", () => {
  it("tags lines with the request id that proxy.ts put on the request", () => {
    const child = loggerFor(new Headers({ "x-request-id": "req-12345678" }));
    expect(child.bindings()).toMatchObject({ reqId: "req-12345678" });
  });
});
