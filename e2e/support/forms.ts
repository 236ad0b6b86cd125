/**
 * Replaying a server-action form the way another site's page, or a script, would post it.
 *
 * Next.js renders every form whose action is a server action with the hidden fields that name
 * the action (`$ACTION_ID_…`, or `$ACTION_REF_…` and its bound state for `useActionState`), so a
 * plain HTML form post runs it. These helpers read those fields from the page as the server
 * sent it (JavaScript off, so nothing on the page changes them) and post them again with the
 * headers a test chooses: the attack is real, only its origin differs.
 */
import type { APIRequestContext, APIResponse, Browser, BrowserContext } from "@playwright/test";
import { APP_URL } from "../settings";

export interface ActionForm {
  /** The page the form posts to (its `action` is empty: the page itself). */
  path: string;
  /** The form's fields, hidden ones included, in document order. */
  fields: [name: string, value: string][];
}

/**
 * The fields of the form that holds the button named `button`, on `path`, as `context`'s user
 * sees it. Opens the page in a throwaway JavaScript-free copy of the context.
 */
export async function readActionForm(
  browser: Browser,
  context: BrowserContext,
  path: string,
  button: string | RegExp,
): Promise<ActionForm> {
  const snapshot = await browser.newContext({ storageState: await context.storageState(), javaScriptEnabled: false });
  try {
    const page = await snapshot.newPage();
    await page.goto(path);
    const form = page
      .locator("form")
      .filter({ has: page.getByRole("button", { name: button }) })
      .first();
    const fields = await form.evaluate((element) =>
      Array.from(
        new FormData(element as HTMLFormElement).entries(),
        ([name, value]) => [name, String(value)] as [string, string],
      ),
    );
    if (!fields.some(([name]) => name.startsWith("$ACTION_")))
      throw new Error(`the form of "${button}" on ${path} posts no server action`);
    return { path, fields };
  } finally {
    await snapshot.close();
  }
}

/** Posts the form as a browser would (multipart), from `origin`, without following redirects. */
export async function postActionForm(
  request: APIRequestContext,
  form: ActionForm,
  origin: string,
  replace: Record<string, string> = {},
): Promise<APIResponse> {
  const multipart = Object.fromEntries(form.fields.map(([name, value]) => [name, replace[name] ?? value]));
  const sameOrigin = origin === APP_URL;
  return request.post(form.path, {
    multipart,
    headers: { origin, "sec-fetch-site": sameOrigin ? "same-origin" : "cross-site", "sec-fetch-mode": "navigate" },
    maxRedirects: 0,
  });
}

/** An HTML page that posts the form to the app as soon as it loads: the attacker's page. */
export function autoSubmittingPage(form: ActionForm): string {
  const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const inputs = form.fields
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  return `<!doctype html><title>You won a prize</title>
<form method="POST" action="${APP_URL}${form.path}" enctype="multipart/form-data">${inputs}</form>
<script>document.forms[0].submit()</script>`;
}
