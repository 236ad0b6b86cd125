/**
 * The issuer as the app and the API will meet it: its discovery document, the exact issuer
 * string, the clock behind its Date header, its signing keys and its sign-out endpoint.
 */
import {
  DEFAULT_CLOCK_TOLERANCE as CLOCK_TOLERANCE_SECONDS,
  discoveryUrl,
  fetchDiscovery,
} from "../../lib/resource-server";
import { request, unreachable, type DoctorContext, type ProviderMetadata } from "./context.ts";
import { fail, ok, skip, warn, type Check } from "./report.ts";

export interface IssuerFindings {
  checks: Check[];
  /** The discovery document, when it could be read. */
  metadata?: ProviderMetadata;
  /** Discovery names the issuer AUTH_ISSUER means (a trailing slash aside): its endpoints may get the client secret. */
  trusted?: boolean;
}

export async function checkIssuer(ctx: DoctorContext): Promise<IssuerFindings> {
  const issuer = ctx.env.AUTH_ISSUER;
  if (!issuer) {
    return {
      checks: ["discovery", "issuer", "clock", "jwks", "end-session"].map((name) =>
        skip(name, "AUTH_ISSUER is not valid"),
      ),
    };
  }
  const url = discoveryUrl(issuer);
  const started = Date.now();
  let response: Response;
  try {
    response = await fetchDiscovery(issuer, { timeout: ctx.timeoutMs });
  } catch (error) {
    return {
      checks: [
        fail("discovery", `cannot reach ${url} (${unreachable(error)})`, startHint(ctx)),
        ...["issuer", "clock", "jwks", "end-session"].map((name) => skip(name, "discovery failed")),
      ],
    };
  }
  const finished = Date.now();
  const metadata = await readJson(response);
  if (response.status !== 200 || !metadata || typeof metadata.issuer !== "string") {
    const what = response.status !== 200 ? `HTTP ${response.status}` : "no discovery document";
    return {
      checks: [
        fail(
          "discovery",
          `${url} answered ${what}`,
          "AUTH_ISSUER must be the issuer whose /.well-known/openid-configuration is the discovery document " +
            "(Auth0: https://YOUR_TENANT.us.auth0.com/; Keycloak: https://HOST/realms/YOUR_REALM)",
        ),
        ...["issuer", "jwks", "end-session"].map((name) => skip(name, "discovery failed")),
        clockCheck(response, started, finished),
      ],
    };
  }
  return {
    metadata,
    trusted: metadata.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, ""),
    checks: [
      ok("discovery", `${url} answers`),
      issuerCheck(metadata.issuer, issuer),
      clockCheck(response, started, finished),
      await jwksCheck(ctx, metadata, issuer),
      endSessionCheck(metadata),
    ],
  };
}

function startHint(ctx: DoctorContext): string {
  return ctx.local
    ? "start the local IdP (npm start, npm run dev or npm run idp), or correct AUTH_ISSUER"
    : "check AUTH_ISSUER (your tenant's or realm's issuer URL) and that this machine can reach it";
}

async function readJson(response: Response): Promise<ProviderMetadata | undefined> {
  try {
    const body: unknown = await response.json();
    return body && typeof body === "object" && !Array.isArray(body) ? (body as ProviderMetadata) : undefined;
  } catch {
    return undefined;
  }
}

function issuerCheck(advertised: string, configured: string): Check {
  if (advertised === configured)
    return ok("issuer", `discovery's issuer is AUTH_ISSUER, byte for byte (${configured})`);
  const slash = advertised.replace(/\/+$/, "") === configured.replace(/\/+$/, "");
  return fail(
    "issuer",
    slash
      ? `discovery says issuer "${advertised}", AUTH_ISSUER is "${configured}": only the trailing slash differs, and the API compares iss byte for byte, so it would refuse every token`
      : `discovery at AUTH_ISSUER names another issuer: "${advertised}", not "${configured}"`,
    `set AUTH_ISSUER=${advertised}`,
  );
}

function clockCheck(response: Response, started: number, finished: number): Check {
  const date = Date.parse(response.headers.get("date") ?? "");
  if (Number.isNaN(date))
    return warn(
      "clock",
      "the IdP sent no Date header, so its clock cannot be compared",
      "make sure this machine's clock is synchronised (NTP)",
    );
  // The header has whole seconds: compare with the middle of the request, allowing that second.
  const skew = ((started + finished) / 2 - date) / 1000;
  const apart = Math.max(0, Math.abs(skew) - 1);
  if (apart <= CLOCK_TOLERANCE_SECONDS)
    return ok("clock", `this machine and the IdP agree within ${CLOCK_TOLERANCE_SECONDS} s`);
  const direction = skew > 0 ? "ahead of" : "behind";
  const effect = skew > 0 ? "fresh tokens would look expired" : "expired tokens would still pass for that long";
  return fail(
    "clock",
    `this machine's clock is about ${Math.round(Math.abs(skew))} s ${direction} the IdP's (its Date header); the API tolerates ${CLOCK_TOLERANCE_SECONDS} s, so ${effect}`,
    "synchronise the clock (NTP, e.g. timedatectl set-ntp true)",
  );
}

/** Algorithms a JWK can verify: its `alg`, or what its key type allows. */
function keyAlgorithms(key: Record<string, unknown>): string[] {
  if (typeof key.alg === "string") return [key.alg];
  if (key.kty === "RSA") return ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];
  if (key.kty === "EC")
    return (
      ({ "P-256": ["ES256"], "P-384": ["ES384"], "P-521": ["ES512"] } as Record<string, string[]>)[String(key.crv)] ??
      []
    );
  if (key.kty === "OKP" && key.crv === "Ed25519") return ["EdDSA", "Ed25519"];
  return [];
}

async function jwksCheck(ctx: DoctorContext, metadata: ProviderMetadata, issuer: string): Promise<Check> {
  if (typeof metadata.jwks_uri !== "string" || !URL.canParse(metadata.jwks_uri)) {
    return fail(
      "jwks",
      "discovery has no jwks_uri: the API could not verify any token",
      "use an OpenID Provider that publishes its signing keys",
    );
  }
  const uri = metadata.jwks_uri;
  // The verifier's rule: keys over https, except from an http issuer (local development).
  if (new URL(uri).protocol !== "https:" && new URL(issuer).protocol === "https:") {
    return fail("jwks", `jwks_uri ${uri} is not https, and the API refuses keys over plain http from an https issuer`);
  }
  const unreachableFix =
    "the API fetches these keys to verify every token and would answer 503 without them: check the IdP, or a proxy or firewall between";
  let response: Response;
  try {
    response = await request(ctx, uri, { headers: { accept: "application/json" } });
  } catch (error) {
    return fail("jwks", `cannot fetch jwks_uri ${uri} (${unreachable(error)})`, unreachableFix);
  }
  const body = (await readJson(response)) as { keys?: unknown } | undefined;
  if (response.status !== 200 || !Array.isArray(body?.keys)) {
    return fail(
      "jwks",
      `jwks_uri ${uri} answered HTTP ${response.status}${response.status === 200 ? " without a key set" : ""}`,
      unreachableFix,
    );
  }
  const keys = (body.keys as unknown[]).filter(
    (key): key is Record<string, unknown> => !!key && typeof key === "object",
  );
  const signing = keys.filter((key) => key.use !== "enc" && key.kty !== "oct");
  const allowed = ctx.env.API_ALGORITHMS ?? [];
  const usable = signing.filter((key) => keyAlgorithms(key).some((alg) => (allowed as string[]).includes(alg)));
  const offered = [...new Set(signing.flatMap(keyAlgorithms))];
  if (usable.length === 0) {
    return fail(
      "jwks",
      `${signing.length} signing key(s) at ${uri}, none for API_ALGORITHMS ${allowed.join(",") || "(invalid)"}${offered.length ? `; they sign with ${offered.join(", ")}` : ""}`,
      offered.length
        ? `set API_ALGORITHMS to the IdP's signing algorithm, e.g. API_ALGORITHMS=${offered[0]}`
        : "the IdP must publish asymmetric signing keys",
    );
  }
  return ok("jwks", `${usable.length} signing key(s) at ${uri} that API_ALGORITHMS (${allowed.join(",")}) accepts`);
}

function endSessionCheck(metadata: ProviderMetadata): Check {
  if (typeof metadata.end_session_endpoint === "string")
    return ok("end-session", `sign-out ends the IdP session too (${metadata.end_session_endpoint})`);
  return warn(
    "end-session",
    "discovery has no end_session_endpoint: sign-out ends the app's session, not the IdP's, so the next sign-in may skip the password",
    "Auth0: Tenant settings → Advanced → RP-Initiated Logout End Session Endpoint Discovery",
  );
}
