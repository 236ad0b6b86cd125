import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { prettifier } from "../lib/shared/logging.ts";
import { appPort, outputLine, programs, TYPESCRIPT_FLAGS } from "./run.ts";

describe("programs", () => {
  it("runs the IdP with plain node (types stripped) and next start on APP_URL's port", () => {
    const [idp, app] = programs("start", { APP_URL: "http://localhost:3305" });
    expect(idp.command).toBe(process.execPath);
    expect(idp.args).toEqual([...TYPESCRIPT_FLAGS, "idp/server.ts"]);
    expect(app.command).toBe(process.execPath);
    expect(app.args.slice(1)).toEqual(["start", "-p", "3305"]);
    expect(app.args[0]).toMatch(/node_modules\/next\/dist\/bin\/next$/);
  });

  it("watches the IdP and runs next dev in development", () => {
    const [idp, app] = programs("dev", {});
    expect(idp.args).toContain("--watch");
    expect(app.args.slice(1)).toEqual(["dev", "-p", "3000"]);
  });
});

describe("appPort", () => {
  it("reads the port, or the scheme's default", () => {
    expect(appPort("https://app.example")).toBe("443");
    expect(appPort("http://app.example")).toBe("80");
    expect(appPort("http://localhost:3100/")).toBe("3100");
  });
});

describe("outputLine", () => {
  const idp = { name: "idp", color: 35 };
  const json = '{"level":"info","time":"2026-12-03T09:00:00.000Z","service":"idp","msg":"IdP listening"}';
  const plain = (text: string) => stripVTControlCharacters(text);

  it("shows a JSON log line pretty on a terminal, one line with the service and no JSON", () => {
    const out = plain(outputLine(json, idp, prettifier()));
    expect(out.trimEnd().split("\n")).toHaveLength(1);
    expect(out).toMatch(/INFO: idp {2}IdP listening/);
    expect(out).not.toContain("{");
  });

  it("passes a JSON log line through as it is for LOG_FORMAT=json, and prefixes anything else", () => {
    expect(outputLine(json, idp)).toBe(`${json}\n`);
    expect(plain(outputLine("   ▲ Next.js 16", idp, prettifier()))).toBe("idp |    ▲ Next.js 16\n");
    expect(plain(outputLine("{not json", idp))).toBe("idp | {not json\n");
  });
});
