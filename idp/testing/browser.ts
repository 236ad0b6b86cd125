/**
 * A minimal browser for tests: fetch with a cookie jar and manual redirects, so a test walks
 * through the IdP's real pages (authorize → login form → redirect back) as a person would.
 */

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Page {
  url: URL;
  status: number;
  headers: Headers;
  body: string;
}

export class Browser {
  readonly #origin: string;
  readonly #jar = new Map<string, Cookie>();

  /** Cookies are kept for `origin` only; redirects elsewhere end a navigation. */
  constructor(origin: string) {
    this.#origin = new URL(origin).origin;
  }

  /** The Cookie header this browser would send to `target`. */
  cookieHeader(target: string | URL): string {
    return this.#cookieHeader(new URL(target, this.#origin));
  }

  #cookieHeader(url: URL): string {
    return [...this.#jar.values()]
      .filter(
        (c) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`) ||
          c.path === "/",
      )
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  #store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname;
      let expired = value === "";
      for (const attribute of attributes) {
        const [key = "", val = ""] = attribute.split("=");
        if (key.toLowerCase() === "path") path = val;
        if (key.toLowerCase() === "expires" && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === "max-age" && Number(val) <= 0) expired = true;
      }
      const key = `${name}|${path}`;
      if (expired) this.#jar.delete(key);
      else this.#jar.set(key, { name, value, path });
    }
  }

  /** One request, no redirect following. */
  async request(
    target: string | URL,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const url = new URL(target, this.#origin);
    const headers = new Headers(init.headers);
    if (url.origin === this.#origin) {
      const cookie = this.#cookieHeader(url);
      if (cookie) headers.set("cookie", cookie);
    }
    if (!headers.has("accept")) headers.set("accept", "text/html");
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    if (body) headers.set("content-type", "application/x-www-form-urlencoded");
    const response = await fetch(url, {
      method: init.method ?? (body ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    if (url.origin === this.#origin) this.#store(url, response.headers);
    return { url, status: response.status, headers: response.headers, body: await response.text() };
  }

  /**
   * Requests `target` and follows redirects within the origin. Returns the last page, or
   * the first redirect that leaves the origin (its `url` is where it points, status 0).
   */
  async navigate(target: string | URL, init: Parameters<Browser["request"]>[1] = {}): Promise<Page> {
    let page = await this.request(target, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = page.headers.get("location");
      if (page.status < 300 || page.status >= 400 || !location) return page;
      const next = new URL(location, page.url);
      if (next.origin !== this.#origin) return { url: next, status: 0, headers: page.headers, body: "" };
      page = await this.request(next);
    }
    throw new Error("too many redirects");
  }
}

/** The sign-in form's action on a login page, or undefined when the page has none. */
export function loginFormAction(page: Page): string | undefined {
  return /<form method="post" action="([^"]+\/login)"/.exec(page.body)?.[1];
}

/** The hidden fields of a page's form (oidc-provider's logout confirmation), to post them back. */
export function hiddenFields(page: Page): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of page.body.matchAll(
    /<input type="hidden"(?: form="op.logoutForm")? name="([^"]+)" value="([^"]*)"/g,
  )) {
    if (name) fields[name] = value ?? "";
  }
  return fields;
}
