import { describe, expect, it } from "vitest";
import { APP_NODE_FLAGS, appPort, programs, TYPESCRIPT_FLAGS } from "./run.ts";

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

describe("appPort", () => {
  it("reads the port, or the scheme's default", () => {
    expect(appPort("https://app.example")).toBe("443");
    expect(appPort("http://app.example")).toBe("80");
    expect(appPort("http://localhost:3100/")).toBe("3100");
  });
});
