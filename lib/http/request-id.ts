/**
 * The request id: one per request, in the `x-request-id` header of the request (so server code
 * can tag its log lines) and of the response (so a user's report can be matched to the logs).
 *
 * An id a load balancer or caller already set is kept when it looks like an id, so one request
 * can be followed across hops; anything else (too long, odd characters that could forge log
 * lines or carry data) is replaced by a fresh UUID.
 */

/** The header that carries the request id, in both directions. */
export const REQUEST_ID_HEADER = "x-request-id";

/** 8 to 128 characters: letters, digits and `. _ : -`, starting with a letter or digit. */
const ACCEPTED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** Whether an incoming id may be kept as it is. */
export function isValidRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && ACCEPTED.test(value);
}

/** The incoming id when it is acceptable, otherwise a new one. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return isValidRequestId(incoming) ? incoming : crypto.randomUUID();
}
