/** Plain pages with a heading and a sentence: errors, sign-out done, rate limits. */
import { html, type SafeHtml } from "./html.ts";
import { layout } from "./layout.ts";

export interface MessagePageOptions {
  title: string;
  message: string;
  /** Extra markup under the message (built with `html`). */
  extra?: SafeHtml;
}

export function messagePage({ title, message, extra }: MessagePageOptions): string {
  return layout({
    title,
    main: html`
      <h1 class="text-xl font-semibold">${title}</h1>
      <p class="mt-3 text-sm text-slate-600">${message}</p>
      ${extra ?? ""}`,
  });
}

/** oidc-provider's error output as a page: the error code and description, nothing else. */
export function errorPage(out: { error: string; error_description?: string }): string {
  return messagePage({
    title: "Sign-in problem",
    message: out.error_description ?? "Something went wrong.",
    extra: html`<p class="mt-4 font-mono text-xs text-slate-500">${out.error}</p>`,
  });
}
