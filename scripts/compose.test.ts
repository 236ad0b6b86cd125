/**
 * deploy/compose.yaml is a valid Compose file describing the scale-out (nginx, two app instances,
 * the IdP, PostgreSQL, setup once): `docker compose config` (or Debian's `docker-compose config`)
 * parses and interpolates it with deploy/compose.env.example, without an engine and without
 * pulling or building an image. Skipped, and said so in the test's name, when neither is installed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const file = join(root, "deploy/compose.yaml");
const envFile = join(root, "deploy/compose.env.example");

/** The first Compose CLI that answers `version`: the docker plugin, then the standalone program. */
function composeCommand(): string[] | undefined {
  for (const command of [["docker", "compose"], ["docker-compose"]]) {
    try {
      execFileSync(command[0]!, [...command.slice(1), "version"], { stdio: "ignore", timeout: 20_000 });
      return command;
    } catch {
      // not installed, or the docker client has no compose plugin
    }
  }
  return undefined;
}

const compose = composeCommand();
if (!compose) console.warn("compose.test.ts: skipped: neither `docker compose` nor `docker-compose` is installed");
const run = (args: string[], env: Record<string, string> = {}) =>
  execFileSync(compose![0]!, [...compose!.slice(1), "-f", file, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
    stdio: ["ignore", "pipe", "pipe"],
  });

describe(`deploy/compose.yaml${compose ? ` (${compose.join(" ")})` : ""}`, () => {
  it.skipIf(!compose)(
    compose
      ? "validates, with nginx, two app instances, the IdP, PostgreSQL and setup"
      : "validates: skipped, neither `docker compose` nor `docker-compose` is installed",
    () => {
      expect(run(["--env-file", envFile, "config", "--quiet"])).toBe("");
      const services = run(["--env-file", envFile, "config", "--services"]).trim().split("\n").sort();
      expect(services).toEqual(["app-a", "app-b", "idp", "nginx", "postgres", "setup"]);
    },
  );

  it.skipIf(!compose)(
    compose
      ? "names the setting that is missing instead of starting without it"
      : "names a missing setting: skipped, neither `docker compose` nor `docker-compose` is installed",
    () => {
      const { APP_URL: _, ...withoutAppUrl } = parseEnv(readFileSync(envFile, "utf8")) as Record<string, string>;
      expect(() => run(["config", "--quiet"], { ...withoutAppUrl, APP_URL: "" })).toThrow(/APP_URL/);
    },
  );
});
