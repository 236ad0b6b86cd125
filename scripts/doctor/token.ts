/**
 * An actual access token (`npm run doctor -- --token`, read from standard input), checked the
 * way the API will check it. Its claims are read here only to explain a refusal; the verdict is
 * the API's own verifier's. Nothing of the token is printed but claim names, aud and the roles.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import {
  BearerError,
  createAccessTokenVerifier,
  isCompactJwe,
  isCompactJws,
  type AsymmetricAlgorithm,
} from "../../lib/resource-server";
import type { DoctorContext } from "./context.ts";
import { fail, ok, skip, warn, type Check } from "./report.ts";

export async function checkToken(ctx: DoctorContext, token: string): Promise<Check[]> {
  const names = ["token-typ", "token-aud", "token-roles", "token-verify"];
  if (isCompactJwe(token)) {
    return [
      fail(
        "token",
        "the access token is encrypted (a JWE): the API cannot read it",
        "turn off access-token encryption for the API at the IdP (Auth0: the API's Token Encryption)",
      ),
      ...names.map((name) => skip(name, "not a signed JWT")),
    ];
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    if (!isCompactJws(token)) throw new Error("not a JWS");
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    return [
      fail(
        "token",
        "the access token is opaque, not a JWT: the IdP issued it for its own userinfo endpoint because the request named no API it knows",
        "set AUTH_AUDIENCE_PARAM (audience on Auth0) and make API_AUDIENCE the identifier of the API registered at the IdP",
      ),
      ...names.map((name) => skip(name, "not a JWT")),
    ];
  }
  return [
    ok("token", `a signed JWT (alg ${String(header.alg)})`),
    typCheck(ctx, header.typ),
    audCheck(ctx, claims.aud),
    rolesCheck(ctx, claims),
    await verifyCheck(ctx, token),
  ];
}

/** jose's comparison: case-insensitive, with or without `application/`. */
function normalTyp(typ: string): string {
  return typ.toLowerCase().replace(/^application\//, "");
}

function typCheck(ctx: DoctorContext, typ: unknown): Check {
  const required = ctx.env.API_TOKEN_TYP;
  if (required === undefined) return skip("token-typ", "API_TOKEN_TYP is not valid");
  const sent = typeof typ === "string" ? typ : "(none)";
  if (required === "") return ok("token-typ", `typ ${sent}; the API accepts any typ`);
  if (typeof typ === "string" && normalTyp(typ) === normalTyp(required))
    return ok("token-typ", `typ ${typ}, as the API requires`);
  return fail(
    "token-typ",
    `the token's typ is ${sent}, the API requires ${required}`,
    "set API_TOKEN_TYP= (empty) to accept it, or have the IdP send RFC 9068 access tokens (Auth0: the API's JSON Web Token Profile → RFC 9068)",
  );
}

function audCheck(ctx: DoctorContext, aud: unknown): Check {
  const audience = ctx.env.API_AUDIENCE;
  if (!audience) return skip("token-aud", "API_AUDIENCE is not valid");
  const values = (Array.isArray(aud) ? aud : [aud]).filter((value): value is string => typeof value === "string");
  if (values.includes(audience)) return ok("token-aud", `aud contains API_AUDIENCE (${audience})`);
  return fail(
    "token-aud",
    `aud is ${values.length ? values.join(", ") : "missing"}, not API_AUDIENCE ${audience}`,
    "request the token for the API (AUTH_AUDIENCE_PARAM), and make API_AUDIENCE the API's identifier at the IdP",
  );
}

function rolesCheck(ctx: DoctorContext, claims: Record<string, unknown>): Check {
  const name = ctx.env.ROLES_CLAIM;
  if (!name) return skip("token-roles", "ROLES_CLAIM is not valid");
  const value = Object.hasOwn(claims, name) ? claims[name] : undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return ok("token-roles", `${name} holds ${JSON.stringify(value)}`);
  }
  if (value !== undefined)
    return fail(
      "token-roles",
      `${name} is not a list of strings, so the API reads no roles from it`,
      "set the claim to an array of role names in the IdP's action",
    );
  const lookalikes = Object.keys(claims).filter((claim) => /roles?$/i.test(claim));
  if (lookalikes.length) {
    return fail(
      "token-roles",
      `no ${name} claim; the token has ${lookalikes.join(", ")}`,
      `set ROLES_CLAIM=${lookalikes[0]}, or name the claim ${name} in the IdP's action`,
    );
  }
  return fail(
    "token-roles",
    `no ${name} claim in the access token`,
    "add it to the ACCESS token in the IdP's post-login action (api.accessToken.setCustomClaim), for this client and this API; a claim in the ID token never reaches the API",
  );
}

async function verifyCheck(ctx: DoctorContext, token: string): Promise<Check> {
  const { AUTH_ISSUER: issuer, API_AUDIENCE: audience, API_ALGORITHMS: algorithms, API_TOKEN_TYP: typ } = ctx.env;
  if (!issuer || !audience || !algorithms || typ === undefined)
    return skip("token-verify", "the API's settings are not valid");
  const verifier = createAccessTokenVerifier({
    issuer,
    audience,
    algorithms: algorithms as AsymmetricAlgorithm[],
    requiredTyp: typ || false,
    timeoutDuration: ctx.timeoutMs,
  });
  try {
    await verifier.verify(token);
    return ok("token-verify", "the API's verifier accepts it (signature, alg, typ, iss, aud, exp)");
  } catch (error) {
    if (!(error instanceof BearerError)) throw error;
    const why = `${error.description} (${error.reason})`;
    if (error.reason === "expired")
      return warn("token-verify", `${why}: the other checks read it anyway`, "check a fresh token");
    return fail("token-verify", `the API would refuse it: ${why}`);
  }
}
