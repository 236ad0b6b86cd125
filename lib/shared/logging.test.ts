import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { createLogger as createIdpLogger } from "../../idp/logger.ts";
import { createLogger as createAppLogger } from "../logger";
import { prettifier } from "./logging";
import { resolveLogFormat } from "./settings";

vi.mock("../env", () => ({ env: { LOG_LEVEL: "silent" } }));

/** A stream collecting what a logger writes, line by line. */
function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("one log shape for both programs", () => {
  it("writes level names, ISO time and the service, in the same fields", () => {
    const app = sink();
    const idp = sink();
    createAppLogger("info", app.stream).info({ event: "x" }, "hello");
    createIdpLogger("info", idp.stream).info({ event: "x" }, "hello");
    const [appLine, idpLine] = [app.lines[0], idp.lines[0]].map((line) => JSON.parse(String(line)));
    for (const [line, service] of [
      [appLine, "app"],
      [idpLine, "idp"],
    ] as const) {
      expect(line).toMatchObject({ level: "info", service, event: "x", msg: "hello" });
      expect(line.time).toMatch(ISO);
    }
    expect(Object.keys(appLine).sort()).toEqual(Object.keys(idpLine).sort());
  });

  it("prettifies a line into one line with the level, the service and the message, without the JSON", () => {
    const app = sink();
    createAppLogger("info", app.stream).warn({ userId: "u1" }, "something odd");
    const pretty = prettifier()(String(app.lines[0]));
    expect(pretty.trimEnd().split("\n")).toHaveLength(1);
    const plain = stripVTControlCharacters(pretty);
    expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: app {2}something odd {"userId":"u1"}/);
    expect(plain).not.toContain('"service"');
  });

  it("writes pretty lines when asked, still redacted", () => {
    const out = sink();
    createIdpLogger("info", out.stream, "pretty").info({ password: "hunter2-hunter2" }, "signed in");
    const plain = stripVTControlCharacters(out.lines.join("\n"));
    expect(plain).toMatch(/INFO: idp {2}signed in/);
    expect(plain).not.toContain("hunter2");
  });
});

describe("resolveLogFormat", () => {
  it("takes LOG_FORMAT when set, else pretty on a terminal only", () => {
    expect(resolveLogFormat(undefined, true)).toBe("pretty");
    expect(resolveLogFormat(undefined, false)).toBe("json");
    expect(resolveLogFormat(undefined, undefined)).toBe("json");
    expect(resolveLogFormat("json", true)).toBe("json");
    expect(resolveLogFormat("pretty", false)).toBe("pretty");
  });
});
