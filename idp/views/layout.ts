/**
 * The page frame every IdP page shares: its CSS inline in one `<style>` element, which the CSP
 * allows by hash (./styles.ts), so the form renders without a stylesheet round trip; and a
 * centred card.
 */
import { html, raw, type SafeHtml } from "./html.ts";
import { pageStyles } from "./styles.ts";

export interface LayoutOptions {
  /** The document title (tab and window name). */
  title: string;
  /** The card's contents. */
  main: SafeHtml;
}

export function layout({ title, main }: LayoutOptions): string {
  return html`<!doctype html>
<html lang="en" class="h-full bg-slate-50">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${title}</title>
    <style>${raw(pageStyles().css)}</style>
  </head>
  <body class="flex min-h-full items-center justify-center px-4 py-12 font-sans text-slate-900 antialiased">
    <main class="w-full max-w-sm rounded-2xl bg-white p-8 shadow-lg ring-1 ring-slate-200">
      <p class="mb-6 text-xs font-semibold uppercase tracking-widest text-indigo-600">Claimtrip identity</p>
      ${main}
    </main>
  </body>
</html>
`.value;
}
