/**
 * Requests signed with a DPoP proof, and the server nonces of RFC 9449 §8 and §9: a server may
 * answer `use_dpop_nonce` with a `DPoP-Nonce` to put in the proof. The latest nonce of each
 * origin is kept here and put in every proof to it; a request refused for want of one is sent
 * once more, with a new proof carrying the new nonce (never twice: a nonce that does not help
 * is the server's problem, not a loop).
 */
import "server-only";
import { createProof, type DpopKey, type ProofClaims } from "./proof";

/** The latest `DPoP-Nonce` each origin sent. Nonces are not secret; they only bound a proof's age. */
const nonces = new Map<string, string>();

/** What {@link sendWithProof} needs to read from an answer, whatever the HTTP client. */
export interface Answer {
  status: number;
  header(name: string): string | null;
  /** The OAuth `error` of a token endpoint's JSON body (RFC 6749 §5.2), when there is one. */
  oauthError(): Promise<string | undefined>;
}

/** Whether the server asked for a proof with its nonce: 400 at a token endpoint, 401 at an API. */
async function asksForNonce(answer: Answer): Promise<boolean> {
  if (answer.status === 401) return /\berror="use_dpop_nonce"/.test(answer.header("www-authenticate") ?? "");
  return answer.status === 400 && (await answer.oauthError()) === "use_dpop_nonce";
}

/**
 * Sends a request with a fresh proof for `claims` (through `send`, which puts it in the `DPoP`
 * header), and once more when the server asks for a nonce it has just sent.
 */
export async function sendWithProof<T>(
  key: DpopKey,
  claims: Omit<ProofClaims, "nonce">,
  send: (proof: string) => Promise<T>,
  read: (response: T) => Answer,
): Promise<T> {
  const origin = new URL(claims.htu).origin;
  const attempt = async () => {
    const sent = nonces.get(origin);
    const response = await send(await createProof(key, { ...claims, nonce: sent }));
    const answer = read(response);
    const received = answer.header("dpop-nonce");
    if (received) nonces.set(origin, received);
    return { response, answer, fresh: Boolean(received) && received !== sent };
  };
  const first = await attempt();
  if (!first.fresh || !(await asksForNonce(first.answer))) return first.response;
  return (await attempt()).response;
}

/** {@link Answer} of a Fetch `Response` (its body read from a clone). */
export function fetchAnswer(response: Response): Answer {
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    async oauthError() {
      try {
        const body = (await response.clone().json()) as { error?: unknown };
        return typeof body?.error === "string" ? body.error : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * `fetchImpl` with a DPoP proof on every POST to the IdP's token endpoint, when `keyFor` gives a
 * key (the app has one and the IdP advertises DPoP); other requests pass through untouched.
 * Auth.js hands its code exchange to this (the provider's `customFetch`); the refresh uses it too.
 */
export function withDpopAtTokenEndpoint(
  fetchImpl: Fetch,
  tokenEndpoint: () => Promise<string>,
  keyFor: () => Promise<DpopKey | undefined>,
): Fetch {
  return async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (input instanceof Request || (init?.method ?? "GET").toUpperCase() !== "POST") return fetchImpl(input, init);
    const key = await keyFor();
    if (!key || url !== (await tokenEndpoint())) return fetchImpl(input, init);
    const headers = new Headers(init?.headers);
    return sendWithProof(
      key,
      { htm: "POST", htu: url },
      (proof) => {
        headers.set("dpop", proof);
        return fetchImpl(url, { ...init, headers });
      },
      fetchAnswer,
    );
  };
}
