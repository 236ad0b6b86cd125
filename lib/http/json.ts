/**
 * A JSON answer that no cache may keep: every JSON answer of this app is about one user, one
 * token or the app's state right now, so none is ever stored by a browser or a proxy.
 */
export function jsonNoStore(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("cache-control", "no-store");
  return Response.json(body, { ...init, headers });
}
