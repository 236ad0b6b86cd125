/**
 * The import boundaries the layout promises, checked over the real import graph (every
 * `import`/`export … from`/`import()` of every TypeScript file git knows), so CI fails the day one
 * is crossed:
 * - the app (`app/`, `lib/`, `proxy.ts`) never imports the IdP (`idp/`), which is its own program;
 * - the IdP imports nothing of the app but `lib/shared/` (constants, settings rules) and
 *   `lib/resource-server/` (the token verifier its Management API uses);
 * - `lib/resource-server/` is a library for any Node server: no Auth.js, no app settings, no
 *   Next.js, no `server-only` (the app guards it where it wires it);
 * - a client component (`"use client"`) never reaches a server-only module, directly or through
 *   another module.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.tsx", "*.mts", "*.mjs"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => f && !f.startsWith("prisma/generated/") && existsSync(join(root, f)));

const source = new Map(files.map((f) => [f, readFileSync(join(root, f), "utf8")]));

/** Every module specifier a file imports or re-exports at run time, static or dynamic (not `import type`). */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s+(?!type\s)[^;]*?\sfrom\s*["']([^"']+)["']/gms,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/** A specifier resolved to a repository file, or the bare package name. */
function resolve(from: string, specifier: string): string {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = relative(root, join(root, dirname(from), specifier));
  else return specifier;
  const stem = base.replace(/\.(m?js|tsx?)$/, "");
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.mjs`, `${stem}/index.ts`]) {
    if (source.has(candidate)) return candidate;
  }
  return base;
}

const graph = new Map(files.map((f) => [f, specifiers(source.get(f) ?? "").map((s) => resolve(f, s))]));
const isTest = (f: string) =>
  /\.test\.tsx?$/.test(f) || /(^|\/)test-[^/]*$/.test(f) || /^(e2e|test|bench)\//.test(f) || f.includes("/testing/");

function violations(from: (f: string) => boolean, forbidden: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    if (!from(file) || isTest(file)) continue;
    for (const target of targets) if (forbidden(target)) out.push(`${file} -> ${target}`);
  }
  return out;
}

describe("import boundaries", () => {
  it("reads the graph (a sanity check that the parser sees imports)", () => {
    expect(graph.get("lib/api/guard.ts")?.length ?? 0).toBeGreaterThan(0);
    expect(
      specifiers(
        `import a from "x";\nexport { b } from './y';\nimport "z";\nawait import("w");\nimport type { T } from "t";`,
      ).sort(),
    ).toEqual(["./y", "w", "x", "z"]);
  });

  it("the app never imports the IdP", () => {
    const app = (f: string) => f.startsWith("app/") || f.startsWith("lib/") || f === "proxy.ts";
    expect(violations(app, (t) => t.startsWith("idp/"))).toEqual([]);
  });

  it("the IdP imports nothing of the app but lib/shared/ and lib/resource-server/", () => {
    const allowed = (t: string) => t.startsWith("lib/shared/") || t.startsWith("lib/resource-server/");
    const appCode = (t: string) => (t.startsWith("app/") || t.startsWith("lib/")) && !allowed(t);
    expect(violations((f) => f.startsWith("idp/"), appCode)).toEqual([]);
    // Not vacuous: the IdP does use both, and anything else of lib/ would count.
    const idpTargets = [...graph].filter(([f]) => f.startsWith("idp/") && !isTest(f)).flatMap(([, t]) => t);
    expect(idpTargets.some((t) => t.startsWith("lib/resource-server/"))).toBe(true);
    expect(idpTargets.some((t) => t.startsWith("lib/shared/"))).toBe(true);
    expect(appCode("lib/api/guard.ts") && appCode("lib/env.ts") && appCode("app/page.tsx")).toBe(true);
  });

  it("lib/resource-server stands alone: no Auth.js, app settings, Next.js or server-only", () => {
    const forbidden = (t: string) =>
      t === "server-only" ||
      t.startsWith("next") ||
      t.startsWith("@auth/") ||
      ((t.startsWith("lib/") || t.startsWith("app/")) && !t.startsWith("lib/resource-server/"));
    expect(violations((f) => f.startsWith("lib/resource-server/"), forbidden)).toEqual([]);
  });

  // A cycle makes load order decide what a module sees at import time; the seed command line
  // (idp/cli.ts) is apart from idp/seed.ts so that idp/app.ts can use the latter without one.
  it("no module imports itself through others", () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]) => {
      if (path.includes(file)) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      if (done.has(file)) return;
      for (const next of graph.get(file) ?? []) if (source.has(next) && !isTest(next)) visit(next, [...path, file]);
      done.add(file);
    };
    for (const file of graph.keys()) if (!isTest(file)) visit(file, []);
    expect(cycles).toEqual([]);
  });

  // A "use server" module is a boundary: the client bundle gets references to its actions, never its code.
  it("no client component reaches a server-only module", () => {
    const serverOnly = new Set(
      [...source].filter(([, text]) => /^\s*import\s+["']server-only["']/m.test(text)).map(([f]) => f),
    );
    const clients = [...source]
      .filter(([f, text]) => !isTest(f) && /^\s*["']use client["']/m.test(text))
      .map(([f]) => f);
    expect(clients.length).toBeGreaterThan(0);
    const reached: string[] = [];
    for (const client of clients) {
      const seen = new Set<string>();
      const stack = [client];
      while (stack.length) {
        const file = stack.pop() as string;
        if (seen.has(file)) continue;
        seen.add(file);
        if (file !== client && /^\s*["']use server["']/m.test(source.get(file) ?? "")) continue;
        if (serverOnly.has(file)) reached.push(`${client} -> ${file}`);
        for (const next of graph.get(file) ?? []) if (source.has(next)) stack.push(next);
      }
    }
    expect(reached).toEqual([]);
  });
});
