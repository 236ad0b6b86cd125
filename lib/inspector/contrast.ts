/**
 * The token inspector's contrast: the access token this app holds beside what the IdP issues, for
 * the same user at the same moment, to the other client and for the other API, each with the rule
 * of the post-login action (idp/actions/add-roles.ts, or its Auth0 twin in the README) that decided
 * whether the roles claim is in it.
 *
 * The other tokens come from the IdP itself, by OAuth 2.0 Token Exchange (RFC 8693) of the app's
 * access token, and only from an IdP that advertises the exchange and its targets
 * (lib/shared/contrast.ts); any other IdP gets no request, and the page says what it would need.
 * Raw tokens stay here: only decoded claims, for display, leave this module. Nothing here decides
 * anything.
 */
import "server-only";
import { decodeJwt } from "jose";
import { getAccessToken } from "../tokens/store";
import { providerMetadata } from "../issuer/discovery";
import { env } from "../env";
import { clientSecretBasic } from "../http/client-secret-basic";
import { requestLogger } from "../logger";
import {
  ACCESS_TOKEN_TYPE,
  AS_CLIENT_PARAM,
  CONTRAST_TARGETS_FIELD,
  type ContrastTarget,
  TOKEN_EXCHANGE_GRANT,
} from "../shared/contrast";

/** Milliseconds the IdP gets to answer one exchange. */
const TIMEOUT_MS = 5_000;

/** Which rule of add-roles decided a token, and whether the roles claim should be in it. */
export interface RuleVerdict {
  /** 1: the client check, 2: the audience check, 3: the claim is added. */
  rule: 1 | 2 | 3;
  /** What the rule found, after "decided by rule n of add-roles.ts, ". */
  text: string;
  expectsRoles: boolean;
}

export interface ContrastColumn {
  /** `this-app` (the token the app holds), `other-client` or `other-api`. */
  kind: "this-app" | "other-client" | "other-api";
  target: ContrastTarget;
  /** Decoded claims, or null when the IdP refused (see `error`). */
  claims: Record<string, unknown> | null;
  /** The IdP's OAuth error code, or `unreachable`. */
  error?: string;
  verdict: RuleVerdict | null;
  /** The roles claim is where the rule says it should be. */
  agrees: boolean | null;
}

export type Contrast =
  | { available: true; columns: ContrastColumn[] }
  | { available: false; reason: "not_offered" | "no_token" | "idp_unavailable" };

/** The expectations of add-roles, read against one token's claims. */
export function ruleVerdict(
  claims: Record<string, unknown>,
  app: { clientId: string; audience: string; rolesClaim: string },
): RuleVerdict {
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.client_id !== app.clientId) {
    return {
      rule: 1,
      expectsRoles: false,
      text: `the client check: this token is for ${String(claims.client_id)}, not ${app.clientId}, so the action returns before adding anything.`,
    };
  }
  if (!audiences.includes(app.audience)) {
    return {
      rule: 2,
      expectsRoles: false,
      text: `the audience check: this token is for ${audiences.map(String).join(", ")}, not this API (${app.audience}), so the action returns before adding anything.`,
    };
  }
  return {
    rule: 3,
    expectsRoles: true,
    text: `both checks passed (this app, this API), so the action set ${app.rolesClaim} to the user's roles.`,
  };
}

function column(kind: ContrastColumn["kind"], target: ContrastTarget, claims: Record<string, unknown>): ContrastColumn {
  const verdict = ruleVerdict(claims, {
    clientId: env.AUTH_CLIENT_ID,
    audience: env.API_AUDIENCE,
    rolesClaim: env.ROLES_CLAIM,
  });
  return { kind, target, claims, verdict, agrees: verdict.expectsRoles === Object.hasOwn(claims, env.ROLES_CLAIM) };
}

/** The targets the IdP advertises, when it advertises the exchange too; otherwise none. */
export function advertisedTargets(metadata: Record<string, unknown>): ContrastTarget[] {
  const grants = metadata.grant_types_supported;
  const targets = metadata[CONTRAST_TARGETS_FIELD];
  if (!Array.isArray(grants) || !grants.includes(TOKEN_EXCHANGE_GRANT) || !Array.isArray(targets)) return [];
  return targets.filter(
    (t): t is ContrastTarget =>
      typeof t === "object" && t !== null && typeof t.client_id === "string" && typeof t.resource === "string",
  );
}

async function exchange(tokenEndpoint: string, subjectToken: string, target: ContrastTarget): Promise<ContrastColumn> {
  const kind = target.client_id === env.AUTH_CLIENT_ID ? "other-api" : "other-client";
  let error: string;
  try {
    const response = await fetch(tokenEndpoint, {
      method: "POST",
      headers: {
        authorization: clientSecretBasic(env.AUTH_CLIENT_ID, env.AUTH_CLIENT_SECRET),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        [AS_CLIENT_PARAM]: target.client_id,
        resource: target.resource,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
    if (response.ok && typeof body.access_token === "string") return column(kind, target, decodeJwt(body.access_token));
    error =
      typeof body.error === "string" && /^[a-z_]{1,64}$/.test(body.error) ? body.error : `http_${response.status}`;
  } catch {
    // An unreachable IdP, a timeout, or a token that is not a JWT.
    error = "unreachable";
  }
  (await requestLogger()).warn(
    { event: "token_contrast_failed", code: error, as_client_id: target.client_id, resource: target.resource },
    "the IdP issued no contrast token",
  );
  return { kind, target, claims: null, error, verdict: null, agrees: null };
}

/**
 * The contrast for the signed-in user: the app's access token (as `getAccessToken` hands it out)
 * and what the IdP exchanges it for. Never throws.
 */
export async function loadContrast(sessionId: string): Promise<Contrast> {
  let metadata: Record<string, unknown> & { token_endpoint: string };
  try {
    metadata = (await providerMetadata()) as unknown as typeof metadata;
  } catch {
    return { available: false, reason: "idp_unavailable" };
  }
  const targets = advertisedTargets(metadata);
  if (targets.length === 0) return { available: false, reason: "not_offered" };
  let subjectToken: string;
  let own: Record<string, unknown>;
  try {
    subjectToken = await getAccessToken(sessionId);
    own = decodeJwt(subjectToken);
  } catch {
    return { available: false, reason: "no_token" };
  }
  const others = await Promise.all(targets.map((target) => exchange(metadata.token_endpoint, subjectToken, target)));
  const mine = column("this-app", { client_id: env.AUTH_CLIENT_ID, resource: env.API_AUDIENCE }, own);
  return { available: true, columns: [mine, ...others] };
}
