import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { prettifier } from "../lib/shared/logging.ts";
import { IdpListenError } from "../idp/listen.ts";
import { SettingsError } from "../idp/env.ts";
import { ActionDefinitionError } from "../idp/actions/runtime.ts";
import { APP_NODE_FLAGS, appPort, devPrograms, outputLine, parseArgs, TYPESCRIPT_FLAGS } from "./run.ts";
import { startupErrorText } from "../lib/shared/startup-error.ts";

describe("the start scripts", () => {
  const root = join(import.meta.dirname, "..");
  const scripts: Record<string, string> = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
  const withFlags = (...rest: string[]) => ["node", ...TYPESCRIPT_FLAGS, ...APP_NODE_FLAGS, "scripts/run.ts", ...rest];

  it("give the process that hosts the app its heap flags: npm start, start:app and the Dockerfile's command", () => {
    expect(scripts.start?.split(/\s+/)).toEqual(withFlags("start"));
    expect(scripts["start:app"]?.split(/\s+/)).toEqual(withFlags("start", "app"));
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(root, "Dockerfile"), "utf8"))?.[1];
    expect(JSON.parse(cmd ?? "[]")).toEqual(withFlags("start", "app", "--port", "3000"));
  });

  it("bound the heap: a smaller young generation and an old-space ceiling", () => {
    expect(APP_NODE_FLAGS).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(APP_NODE_FLAGS).toContainEqual(expect.stringMatching(/^--max-old-space-size=\d+$/));
  });
});

describe("devPrograms", () => {
  it("watches the IdP (types stripped by Node) and runs next dev on APP_URL's port", () => {
    const [idp, app] = devPrograms({ APP_URL: "http://localhost:3305" });
    expect(idp.command).toBe(process.execPath);
    expect(idp.args).toEqual([...TYPESCRIPT_FLAGS, "--watch", "idp/server.ts"]);
    expect(app.command).toBe(process.execPath);
    expect(app.args[0]).toMatch(/node_modules\/next\/dist\/bin\/next$/);
    expect(app.args.slice(1)).toEqual(["dev", "-p", "3305"]);
  });

  it("gives the app the port it was asked for", () => {
    const [, app] = devPrograms({ APP_URL: "https://claimtrip.example" }, "3001");
    expect(app.args.slice(-3)).toEqual(["dev", "-p", "3001"]);
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

describe("startupErrorText", () => {
  it("gives the operator one line for a setting or a port", () => {
    for (const error of [
      new Error("Invalid setting APP_URL: expected a URL"),
      new SettingsError("IDP_ISSUER must be an http(s) URL"),
      new ActionDefinitionError("Every post-login action needs a name."),
      new IdpListenError("idp could not listen: listen EADDRINUSE (port 4000 is taken)"),
    ])
      expect(startupErrorText(error, { plainErrorsToo: true })).toBe(error.message);
  });

  it("counts a plain Error as the operator's only where asked (npm start), not in the IdP on its own", () => {
    const error = new Error("something the IdP did not expect");
    expect(startupErrorText(error)).toContain("run.test.ts");
    for (const named of [new SettingsError("x"), new ActionDefinitionError("y"), new IdpListenError("z")])
      expect(startupErrorText(named)).toBe(named.message);
  });

  it("keeps the stack of anything else, which is a bug to report", () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'issuer')");
    const text = startupErrorText(error, { plainErrorsToo: true });
    expect(text).toContain("TypeError: Cannot read properties of undefined");
    expect(text).toContain("run.test.ts");
    class LibraryError extends Error {}
    expect(startupErrorText(new LibraryError("engine crashed"), { plainErrorsToo: true })).toContain("run.test.ts");
  });

  it("prints what was thrown when it is not an Error", () => {
    expect(startupErrorText("plain string")).toBe("plain string");
  });
});
