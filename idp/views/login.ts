/**
 * The sign-in page. Labels and the button text are part of the contract (docs/contract.md):
 * inputs labelled `Email` and `Password`, a submit button named `Sign in`.
 */
import { html } from "./html.ts";
import { layout } from "./layout.ts";

export interface LoginPageOptions {
  /** The interaction the form posts back to. */
  uid: string;
  /** The client the user is signing in to, shown in the title. */
  clientName: string;
  /** Kept in the field after a failed attempt. */
  email?: string;
  /** One generic message; never says which part was wrong. */
  error?: string;
}

export function loginPage({ uid, clientName, email, error }: LoginPageOptions): string {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  const input =
    "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40";
  return layout({
    title: `Sign in to ${clientName}`,
    main: html`
      <h1 class="text-xl font-semibold">Sign in to ${clientName}</h1>
      ${error ? html`<p role="alert" class="mt-4 rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-200">${error}</p>` : ""}
      <form method="post" action="${action}/login" class="mt-6 space-y-4" autocomplete="on">
        <div>
          <label for="email" class="block text-sm font-medium text-slate-700">Email</label>
          <input id="email" name="email" type="email" required autocomplete="username" value="${email ?? ""}" class="${input}" ${email ? "" : html`autofocus`}>
        </div>
        <div>
          <label for="password" class="block text-sm font-medium text-slate-700">Password</label>
          <input id="password" name="password" type="password" required autocomplete="current-password" class="${input}" ${email ? html`autofocus` : ""}>
        </div>
        <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow hover:bg-indigo-500">Sign in</button>
      </form>
      <form method="post" action="${action}/abort" class="mt-3">
        <button type="submit" class="w-full rounded-lg px-4 py-2 text-sm text-slate-600 hover:bg-slate-100">Cancel</button>
      </form>`,
  });
}
