import { describe, expect, it } from "vitest";
import { escapeHtml, html, raw } from "./html.ts";

describe("html", () => {
  it("escapes interpolated values", () => {
    expect(html`<p title="${'"x"'}">${"<b>&</b>"}</p>`.value).toBe(
      '<p title="&quot;x&quot;">&lt;b&gt;&amp;&lt;/b&gt;</p>',
    );
    expect(escapeHtml("'`")).toBe("&#39;&#96;");
  });

  it("nests templates and trusted markup without double escaping", () => {
    const inner = html`<i>${"<"}</i>`;
    expect(html`<p>${inner}${raw("<br>")}${[html`<a>`, "&"]}${undefined}${false}</p>`.value).toBe(
      "<p><i>&lt;</i><br><a>&amp;</p>",
    );
  });
});
