/**
 * RP-initiated logout. With a valid `id_token_hint` issued to the account signed in here, the
 * client has proved which session it means, so the page signs out at once (a nonce'd script
 * submits the form); otherwise (no hint, or someone else's ID token) the user confirms with a
 * `Sign out` button, so a stray link cannot sign anyone out.
 */
import { html, raw } from "./html.ts";
import { layout } from "./layout.ts";

export interface LogoutPageOptions {
  /** oidc-provider's `<form id="op.logoutForm">` with its xsrf field. */
  form: string;
  /** Submit without asking. */
  autoSubmit: boolean;
  /** The CSP nonce of this response, for the auto-submit script. */
  nonce: string;
  clientName?: string;
}

export function logoutPage({ form, autoSubmit, nonce, clientName }: LogoutPageOptions): string {
  const button =
    "w-full rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow hover:bg-indigo-500";
  return layout({
    title: "Sign out",
    main: html`
      <h1 class="text-xl font-semibold">Sign out</h1>
      <p class="mt-3 text-sm text-slate-600">${autoSubmit ? "Signing you out…" : `Sign out of Claimtrip${clientName ? ` (${clientName})` : ""}?`}</p>
      ${raw(form)}
      <div class="mt-6 space-y-3">
        ${
          autoSubmit
            ? html`<input type="hidden" form="op.logoutForm" name="logout" value="yes">
        <script nonce="${nonce}">document.getElementById("op.logoutForm").submit();</script>
        <noscript><button type="submit" form="op.logoutForm" class="${button}">Sign out</button></noscript>`
            : html`<button autofocus type="submit" form="op.logoutForm" name="logout" value="yes" class="${button}">Sign out</button>
        <button type="submit" form="op.logoutForm" class="w-full rounded-lg px-4 py-2 text-sm text-slate-600 hover:bg-slate-100">Stay signed in</button>`
        }
      </div>`,
  });
}
