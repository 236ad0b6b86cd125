import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { prettifier } from "../lib/shared/logging.ts";
import { APP_NODE_FLAGS, appPort, outputLine, parseArgs, programs, TYPESCRIPT_FLAGS } from "./run.ts";

describe("programs", () => {
  it("runs the IdP with plain node (types stripped) and next start on APP_URL's port", () => {
    const [idp, app] = programs("start", { APP_URL: "http://localhost:3305" });
    expect(idp.command).toBe(process.execPath);
    expect(idp.args).toEqual([...TYPESCRIPT_FLAGS, "idp/server.ts"]);
    expect(app.command).toBe(process.execPath);
    const flags = APP_NODE_FLAGS.length;
    expect(app.args.slice(0, flags)).toEqual(APP_NODE_FLAGS);
    expect(app.args.slice(flags + 1)).toEqual(["start", "-p", "3305"]);
    expect(app.args[flags]).toMatch(/node_modules\/next\/dist\/bin\/next$/);
  });

  it("bounds next-server's heap under npm start: a smaller young generation and an old-space ceiling", () => {
    const [, app] = programs("start", {});
    expect(app.args).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(app.args).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
  });

  it("gives npm start's own process, which hosts the app, the same heap flags", () => {
    const start: string = JSON.parse(readFileSync(join(import.meta.dirname, "../package.json"), "utf8")).scripts.start;
    const args = start.split(/\s+/);
    expect(args.slice(0, 2 + APP_NODE_FLAGS.length)).toEqual(["node", ...TYPESCRIPT_FLAGS, ...APP_NODE_FLAGS]);
    expect(args.slice(2 + APP_NODE_FLAGS.length)).toEqual(["scripts/run.ts", "start"]);
  });

  it("leaves next-server's heap to a NODE_OPTIONS that sizes it", () => {
    const [, app] = programs("start", { NODE_OPTIONS: "--max-old-space-size=1024" });
    expect(app.args.filter((arg) => arg.startsWith("--max-"))).toEqual([]);
  });

  it("watches the IdP and runs next dev in development", () => {
    const [idp, app] = programs("dev", {});
    expect(idp.args).toContain("--watch");
    expect(app.args.slice(1)).toEqual(["dev", "-p", "3000"]);
  });
});

describe("parseArgs", () => {
  it("reads the mode, one role and the app's port", () => {
    expect(parseArgs(["start"])).toEqual({ mode: "start" });
    expect(parseArgs(["start", "app", "--port", "3001"])).toEqual({ mode: "start", only: "app", port: "3001" });
    expect(parseArgs(["start", "app", "--port=3002"])).toEqual({ mode: "start", only: "app", port: "3002" });
    expect(parseArgs(["start", "idp"])).toEqual({ mode: "start", only: "idp" });
  });

  it("refuses what it does not know, and a port for the IdP (its port is IDP_ISSUER's)", () => {
    for (const args of [[], ["serve"], ["start", "web"], ["start", "app", "--port"], ["start", "idp", "--port", "1"]])
      expect(parseArgs(args), args.join(" ")).toBeUndefined();
  });

  it("gives the app the port it was asked for", () => {
    const [, app] = programs("start", { APP_URL: "https://claimtrip.example" }, "3001");
    expect(app!.args.slice(-3)).toEqual(["start", "-p", "3001"]);
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
