import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { layout } from "./layout.ts";
import { html } from "./html.ts";
import { FALLBACK_CSS, pageStyles, pageStylesLoader } from "./styles.ts";

const dir = mkdtempSync(join(tmpdir(), "idp-styles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("the pages' inline CSS", () => {
  it("is the fallback until the build exists, then the build, re-read when the file changes", async () => {
    const path = join(dir, "styles.css");
    const load = pageStylesLoader(path);
    expect(await load()).toEqual({ css: FALLBACK_CSS, source: sha256(FALLBACK_CSS) });

    writeFileSync(path, ".a{color:red}");
    expect(await load()).toEqual({ css: ".a{color:red}", source: sha256(".a{color:red}") });

    writeFileSync(path, ".b{color:blue}");
    utimesSync(path, new Date(), new Date(Date.now() + 60_000));
    expect((await load()).css).toBe(".b{color:blue}");
  });

  it("is what the layout puts in its one <style> element, whose hash the loader reports", async () => {
    const path = join(dir, "layout.css");
    writeFileSync(path, "main{padding:1rem}");
    const { source } = await pageStylesLoader(path)();
    const page = layout({ title: "t", main: html`<p>x</p>` });
    const inline = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1];
    expect(inline).toBe(pageStyles().css);
    expect(sha256(inline ?? "")).toBe(source);
    expect(page).not.toMatch(/<link[^>]+stylesheet/);
  });

  it("cannot close its element early", async () => {
    const path = join(dir, "hostile.css");
    writeFileSync(path, "a{}</style><script>alert(1)</script>");
    const { css } = await pageStylesLoader(path)();
    expect(css).not.toMatch(/<\/style/i);
  });
});
