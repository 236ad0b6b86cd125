/**
 * DPoP (RFC 9449) as the app will meet it: whether the app has its key, and whether the IdP
 * advertises DPoP. Without either, the app falls back to bearer tokens, which still work but
 * are not bound to anything: a copy of one works until it expires.
 */
import { DPOP_ALG, supportsDpop } from "../../lib/dpop/proof";
import type { DoctorContext, ProviderMetadata } from "./context.ts";
import { fail, ok, skip, warn, type Check } from "./report.ts";

export function checkDpop(ctx: Pick<DoctorContext, "env">, metadata: ProviderMetadata | undefined): Check {
  const required = ctx.env.API_DPOP === "required";
  if (!metadata) return skip("dpop", "discovery failed");
  if (!supportsDpop(metadata)) {
    const found = `the IdP does not advertise DPoP (no ${DPOP_ALG} in dpop_signing_alg_values_supported): the app falls back to Bearer tokens, which a copy can replay until they expire`;
    return required
      ? fail(
          "dpop",
          `${found}, and API_DPOP=required refuses them all`,
          "set API_DPOP=allowed, or use an IdP with DPoP",
        )
      : warn(
          "dpop",
          found,
          "enable DPoP at the IdP (Auth0: the application's DPoP setting) to bind tokens to the app's key",
        );
  }
  if (!ctx.env.AUTH_DPOP_PRIVATE_KEY) {
    const found = "the IdP does DPoP, but AUTH_DPOP_PRIVATE_KEY is not set: the app asks for Bearer tokens";
    return required
      ? fail(
          "dpop",
          `${found}, and API_DPOP=required refuses them all`,
          "run `npm run setup`, or set the key (README: DPoP)",
        )
      : warn("dpop", found, "run `npm run setup`, or set the key (README: DPoP)");
  }
  return ok(
    "dpop",
    `the IdP does DPoP (${DPOP_ALG}): access tokens are bound to the app's key (API_DPOP=${ctx.env.API_DPOP})`,
  );
}
