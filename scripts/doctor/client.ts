/**
 * The app as a client of the IdP: its credentials at the token endpoint, its callback URL at
 * the authorization endpoint, how it names the API, and the token type the API will demand.
 * Nothing here signs anyone in: a made-up code and a silent (prompt=none) request are enough.
 */
import { createHash, randomBytes } from "node:crypto";
import { webRedirectUri } from "../../idp/clients.ts";
import { clientSecretBasic } from "../../lib/http/client-secret-basic.ts";
import { isAuth0, isKeycloak, request, unreachable, type DoctorContext, type ProviderMetadata } from "./context.ts";
import { fail, ok, skip, warn, type Check } from "./report.ts";

/** The callback URL Auth.js uses for the `claimtrip` provider, the one to register at the IdP. */
export function callbackUrl(appUrl: string): string {
  return webRedirectUri(appUrl);
}

/**
 * A made-up code must fail as `invalid_grant`; `invalid_client` means the id or secret is wrong.
 * The secret goes only to the token endpoint of the issuer AUTH_ISSUER names (`trusted`), and
 * over https unless that issuer is plain http itself (local development).
 */
export async function checkClient(
  ctx: DoctorContext,
  metadata: ProviderMetadata | undefined,
  trusted = false,
): Promise<Check> {
  const { AUTH_CLIENT_ID: clientId, AUTH_CLIENT_SECRET: secret, APP_URL: appUrl, AUTH_ISSUER: issuer } = ctx.env;
  if (!metadata) return skip("client", "discovery failed");
  if (!clientId || !secret || !appUrl || !issuer)
    return skip("client", "AUTH_CLIENT_ID, AUTH_CLIENT_SECRET, APP_URL or AUTH_ISSUER is not valid");
  if (!trusted)
    return skip(
      "client",
      "the client secret is sent only to the issuer AUTH_ISSUER names, and discovery names another",
    );
  if (typeof metadata.token_endpoint !== "string" || !URL.canParse(metadata.token_endpoint))
    return fail("client", "discovery has no token_endpoint");
  if (new URL(metadata.token_endpoint).protocol !== "https:" && new URL(issuer).protocol === "https:") {
    return fail(
      "client",
      `the token endpoint ${metadata.token_endpoint} is not https: the client secret would travel in the clear`,
    );
  }
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: `doctor-made-up-code-${randomBytes(12).toString("base64url")}`,
    redirect_uri: callbackUrl(appUrl),
    code_verifier: randomBytes(32).toString("base64url"),
  });
  let response: Response;
  try {
    response = await request(ctx, metadata.token_endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        authorization: clientSecretBasic(clientId, secret),
      },
      body,
    });
  } catch (error) {
    return fail("client", `cannot reach the token endpoint ${metadata.token_endpoint} (${unreachable(error)})`);
  }
  const error = await oauthError(response);
  if (error === "invalid_grant")
    return ok("client", `the token endpoint accepts ${clientId}'s secret (a made-up code got invalid_grant)`);
  if (error === "invalid_client" || response.status === 401) {
    return fail(
      "client",
      `the token endpoint refused client ${clientId}'s credentials (invalid_client)`,
      ctx.local
        ? "AUTH_CLIENT_SECRET must equal IDP_WEB_CLIENT_SECRET (npm run setup writes both to .env.local), and AUTH_CLIENT_ID be claimtrip-web"
        : "copy AUTH_CLIENT_ID and AUTH_CLIENT_SECRET from the application's settings at the IdP (Auth0: Settings → Basic Information)",
    );
  }
  if (error === "unauthorized_client") {
    return fail(
      "client",
      `client ${clientId} may not use the Authorization Code grant`,
      "enable the Authorization Code grant for the application at the IdP",
    );
  }
  return warn(
    "client",
    `the token endpoint answered a made-up code with HTTP ${response.status}${error ? ` ${error}` : ""}, not invalid_grant`,
    "check AUTH_CLIENT_ID and AUTH_CLIENT_SECRET",
  );
}

async function oauthError(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: unknown };
    return typeof body.error === "string" ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** What a silent authorization request showed. */
export interface ProbeResult {
  redirect: Check;
  /** The IdP's answer about the API, when it gave one (`invalid_target`, Auth0's "Service not found"). */
  audienceRefusal?: string;
}

/** The parameter naming the API, as lib/auth/provider.ts sends it. */
function audienceParams(ctx: DoctorContext): Record<string, string> {
  const param = ctx.env.AUTH_AUDIENCE_PARAM;
  return param && param !== "none" && ctx.env.API_AUDIENCE ? { [param]: ctx.env.API_AUDIENCE } : {};
}

/**
 * An authorization request like the app's, with prompt=none: an IdP that knows the callback URL
 * sends the browser straight back to it (with login_required); one that does not shows an error page.
 */
export async function probeAuthorization(
  ctx: DoctorContext,
  metadata: ProviderMetadata | undefined,
): Promise<ProbeResult> {
  const { AUTH_CLIENT_ID: clientId, APP_URL: appUrl, AUTH_SCOPE: scope } = ctx.env;
  if (!metadata) return { redirect: skip("redirect", "discovery failed") };
  if (!clientId || !appUrl || !scope)
    return { redirect: skip("redirect", "AUTH_CLIENT_ID, APP_URL or AUTH_SCOPE is not valid") };
  if (typeof metadata.authorization_endpoint !== "string")
    return { redirect: fail("redirect", "discovery has no authorization_endpoint") };
  const callback = callbackUrl(appUrl);
  const url = new URL(metadata.authorization_endpoint);
  const verifier = randomBytes(32).toString("base64url");
  for (const [name, value] of Object.entries({
    client_id: clientId,
    response_type: "code",
    redirect_uri: callback,
    scope,
    state: randomBytes(12).toString("base64url"),
    nonce: randomBytes(12).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    prompt: "none",
    ...audienceParams(ctx),
  })) {
    url.searchParams.set(name, value);
  }
  const register = `register ${callback} as an allowed callback URL for ${clientId} (Auth0: Allowed Callback URLs; Keycloak: Valid redirect URIs), or set APP_URL to the app's public origin`;
  let location = url;
  try {
    // Up to a few hops inside the IdP (some show errors on a page of their own).
    for (let hop = 0; hop < 5; hop++) {
      const response = await request(ctx, location);
      const next = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && next) {
        await response.body?.cancel();
        const target = new URL(next, location);
        if (target.origin + target.pathname === callback) return probeAnswer(target, callback);
        if (target.origin !== url.origin) break;
        location = target;
        continue;
      }
      const page = (await response.text()).toLowerCase();
      const aboutRedirect = /redirect|callback/.test(page);
      if (response.status < 400 && !aboutRedirect) {
        // An IdP that shows its login page despite prompt=none: nothing learnt about the callback URL.
        return {
          redirect: warn(
            "redirect",
            `the IdP answered a silent sign-in with a page (HTTP ${response.status}), so ${callback} is not confirmed`,
            `make sure ${callback} is an allowed callback URL`,
          ),
        };
      }
      const hint = aboutRedirect
        ? " (its page is about the redirect URI)"
        : page.includes("client")
          ? " (its page is about the client; is AUTH_CLIENT_ID right?)"
          : "";
      return {
        redirect: fail(
          "redirect",
          `the IdP would not send sign-ins back to ${callback}: HTTP ${response.status}${hint}`,
          register,
        ),
      };
    }
  } catch (error) {
    return { redirect: fail("redirect", `cannot reach the authorization endpoint (${unreachable(error)})`) };
  }
  return {
    redirect: warn(
      "redirect",
      `the IdP sent a silent sign-in elsewhere, so ${callback} is not confirmed`,
      `make sure ${callback} is an allowed callback URL`,
    ),
  };
}

function probeAnswer(target: URL, callback: string): ProbeResult {
  const error = target.searchParams.get("error") ?? "";
  const description = target.searchParams.get("error_description") ?? "";
  const redirect = ok("redirect", `the IdP sends sign-ins back to ${callback} (the callback URL to register)`);
  if (error === "invalid_target" || /service not found|audience|resource/i.test(description)) {
    return { redirect, audienceRefusal: `${error}${description ? `: ${description.slice(0, 160)}` : ""}` };
  }
  if (
    !error ||
    ["login_required", "interaction_required", "consent_required", "account_selection_required"].includes(error)
  )
    return { redirect };
  return {
    redirect: warn(
      "redirect",
      `the IdP sends sign-ins back to ${callback}, but with ${error}${description ? `: ${description.slice(0, 160)}` : ""}`,
    ),
  };
}

/** How the app names the API (AUTH_AUDIENCE_PARAM) against what this IdP understands. */
export function checkAudience(ctx: DoctorContext, probe: ProbeResult): Check {
  const { AUTH_AUDIENCE_PARAM: param, API_AUDIENCE: audience, AUTH_ISSUER: issuer } = ctx.env;
  if (!param || !audience || !issuer)
    return skip("audience", "AUTH_AUDIENCE_PARAM, API_AUDIENCE or AUTH_ISSUER is not valid");
  if (probe.audienceRefusal) {
    return fail(
      "audience",
      `the IdP does not know API_AUDIENCE ${audience} (${probe.audienceRefusal})`,
      "set API_AUDIENCE to the identifier of the API registered at the IdP (Auth0: APIs → Identifier)",
    );
  }
  const opaque =
    "with no API named, the IdP issues an access token for its own userinfo endpoint: opaque or without your API in aud, and without your claim";
  if (ctx.local) {
    if (param === "none")
      return fail(
        "audience",
        `AUTH_AUDIENCE_PARAM=none: ${opaque}`,
        "set AUTH_AUDIENCE_PARAM=audience (or resource); the local IdP accepts both",
      );
    return ok("audience", `the app names ${audience} with ${param}, which the local IdP accepts`);
  }
  if (isAuth0(issuer)) {
    if (param === "audience") return ok("audience", `the app names ${audience} with audience, as Auth0 expects`);
    if (param === "none")
      return fail(
        "audience",
        `AUTH_AUDIENCE_PARAM=none on Auth0: ${opaque} (unless the tenant has a default audience)`,
        "set AUTH_AUDIENCE_PARAM=audience",
      );
    return warn(
      "audience",
      "Auth0 reads audience; it ignores resource unless the tenant's Resource Parameter Compatibility Profile is on",
      "set AUTH_AUDIENCE_PARAM=audience",
    );
  }
  if (isKeycloak(issuer)) {
    if (param === "none")
      return ok(
        "audience",
        "Keycloak puts the API in aud through an Audience mapper, not a request parameter (confirm with --token)",
      );
    return warn(
      "audience",
      `Keycloak ignores ${param}; its Audience mapper decides aud`,
      "set AUTH_AUDIENCE_PARAM=none and add an Audience mapper for API_AUDIENCE to the client's dedicated scope",
    );
  }
  if (param === "none")
    return warn(
      "audience",
      `AUTH_AUDIENCE_PARAM=none: ${opaque}, unless the IdP adds the API itself`,
      "confirm with --token that aud holds API_AUDIENCE",
    );
  if (param === "audience")
    return warn(
      "audience",
      "audience is Auth0's parameter; an RFC 8707 IdP reads resource",
      "use AUTH_AUDIENCE_PARAM=resource unless this IdP documents audience (confirm with --token)",
    );
  return ok("audience", `the app names ${audience} with resource (RFC 8707)`);
}

/** The `typ` the API demands (API_TOKEN_TYP) against what this IdP is known to send. */
export function checkTyp(ctx: DoctorContext): Check {
  const { API_TOKEN_TYP: typ, AUTH_ISSUER: issuer } = ctx.env;
  if (typ === undefined || !issuer) return skip("typ", "API_TOKEN_TYP or AUTH_ISSUER is not valid");
  if (typ === "")
    return warn(
      "typ",
      "API_TOKEN_TYP is empty: the API accepts any typ, and only aud keeps ID tokens out",
      "set API_TOKEN_TYP=at+jwt if the IdP sends RFC 9068 access tokens",
    );
  if (typ.toLowerCase() !== "at+jwt") return ok("typ", `the API requires typ ${typ} (confirm with --token)`);
  if (ctx.local) return ok("typ", "the API requires typ at+jwt, which the local IdP sends (RFC 9068)");
  if (isAuth0(issuer))
    return warn(
      "typ",
      "the API requires typ at+jwt, which Auth0 sends only with the API's JSON Web Token Profile set to RFC 9068",
      "set that profile, or API_TOKEN_TYP= (empty) for Auth0's default profile",
    );
  if (isKeycloak(issuer))
    return fail("typ", "the API requires typ at+jwt, and Keycloak sends JWT", "set API_TOKEN_TYP= (empty)");
  return warn("typ", "the API requires typ at+jwt (RFC 9068); not every IdP sends it", "confirm with --token");
}
