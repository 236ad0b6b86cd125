/**
 * The IdP pages' CSS, inlined in a `<style>` element of each page rather than linked: a linked
 * stylesheet is a render-blocking round trip before the login form shows. The CSP stays
 * strict: it allows exactly this CSS by its SHA-256 hash (`style-src 'sha256-…'`), no
 * 'unsafe-inline' and no other style.
 *
 * The CSS is the Tailwind build `npm run idp:css` (and the production build) writes; until it
 * exists, plain element styles keep the pages readable. It is read again when the file changes,
 * so `npm run dev` picks up the build it starts in the background.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";

/** Readable pages before the Tailwind build exists: element styles, no classes. */
export const FALLBACK_CSS = `body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;display:flex;justify-content:center;padding:3rem 1rem}
main{background:#fff;max-width:24rem;width:100%;padding:2rem;border-radius:1rem;box-shadow:0 4px 16px #0001}
label{display:block;font-size:.875rem;margin-top:1rem}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;border:1px solid #cbd5e1;border-radius:.5rem}
h1{font-size:1.25rem}p{font-size:.875rem}
button{width:100%;margin-top:1rem;padding:.5rem;border-radius:.5rem;border:0;background:#4f46e5;color:#fff;font-weight:600}
form+form button,button+button{background:none;color:#475569}[role=alert]{color:#b91c1c}`;

export interface PageStyles {
  /** The text of the page's `<style>` element. */
  css: string;
  /** Its CSP source expression: `'sha256-<base64>'`. */
  source: string;
}

function pageStylesOf(css: string): PageStyles {
  // A `</style` inside would end the element early; Tailwind's output never has one.
  const safe = css.replace(/<\/style/gi, "<\\/style");
  return { css: safe, source: `'sha256-${createHash("sha256").update(safe, "utf8").digest("base64")}'` };
}

let current = pageStylesOf(FALLBACK_CSS);

/** The CSS every page inlines now, and its hash (the same pair the CSP header names). */
export function pageStyles(): PageStyles {
  return current;
}

/**
 * Reads the CSS at `path` when it appeared or changed since the last call (one `stat` per page
 * otherwise), or keeps the fallback while it does not exist. Returns what pages inline now.
 */
export function pageStylesLoader(path: string): () => Promise<PageStyles> {
  let seen: number | undefined;
  return async () => {
    const modified = await stat(path).then(
      (info) => info.mtimeMs,
      () => -1,
    );
    if (modified !== seen) {
      seen = modified;
      current = pageStylesOf(modified < 0 ? FALLBACK_CSS : await readFile(path, "utf8").catch(() => FALLBACK_CSS));
    }
    return current;
  };
}
