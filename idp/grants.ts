/**
 * Consent for first-party clients. Both Claimtrip clients belong to the operator, so their
 * users are never shown a consent screen (Auth0: "Allow Skipping User Consent" for first-party
 * applications): the grant simply covers what the client asked for, including
 * `offline_access`, which oidc-provider otherwise drops unless consent covers it.
 */
import type Koa from "koa";
import type { Grant, Interaction, KoaContextWithOIDC, Provider } from "oidc-provider";

/**
 * OpenID Connect Core §11 lets a provider honour `offline_access` only with `prompt=consent`
 * "unless other conditions for processing the request permitting offline access" hold, and
 * oidc-provider drops the scope otherwise. Being first-party is our condition: for those
 * clients an authorization request that asks for `offline_access` gets `consent` added to its
 * `prompt` (unless it is `none`), which the login step (or the consent interaction) grants
 * without a screen.
 * Auth0 behaves the same way for its first-party applications.
 */
export function offlineAccessConsent(authorizationPath: string, firstParty: ReadonlySet<string>): Koa.Middleware {
  return (ctx, next) => {
    if (ctx.path === authorizationPath && (ctx.method === "GET" || ctx.method === "HEAD")) {
      const params = new URLSearchParams(ctx.querystring);
      const clientId = params.get("client_id") ?? "";
      const scopes = (params.get("scope") ?? "").split(" ");
      const prompts = (params.get("prompt") ?? "").split(" ").filter(Boolean);
      // prompt=none must stay alone (OIDC Core §3.1.2.1): a silent request gets no new offline grant.
      if (
        firstParty.has(clientId) &&
        scopes.includes("offline_access") &&
        !prompts.includes("none") &&
        !prompts.includes("consent")
      ) {
        params.set("prompt", [...prompts, "consent"].join(" "));
        ctx.querystring = params.toString();
      }
    }
    return next();
  };
}

/**
 * oidc-provider's `loadExistingGrant`: the session's grant for this client, extended (or made)
 * to cover the requested scopes, claims and APIs when the client is first-party.
 */
export async function loadFirstPartyGrant(
  ctx: KoaContextWithOIDC,
  firstParty: ReadonlySet<string>,
): Promise<Grant | undefined> {
  const { client, account, session, provider } = ctx.oidc;
  if (!client || !account) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session?.grantIdFor(client.clientId);
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  // A grant from another user of this browser is not this user's consent.
  if (grant && grant.accountId !== account.accountId) grant = undefined;
  if (!firstParty.has(client.clientId)) return grant;

  grant ??= new provider.Grant({ accountId: account.accountId, clientId: client.clientId });
  const oidcScopes = [...ctx.oidc.requestParamOIDCScopes];
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(" "));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  // oidc-provider 9.13 always sets `resourceServers` (`{}` at first); @types marks it optional.
  for (const [indicator, server] of Object.entries(ctx.oidc.resourceServers ?? {})) {
    const scopes = [...ctx.oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
    if (scopes.length) grant.addResourceScope(indicator, scopes.join(" "));
  }
  await grant.save();
  return grant;
}

/**
 * An interaction together with the id of its client. oidc-provider starts an interaction only
 * for an authorization request whose client it has already loaded, so `params.client_id` is
 * always a string; @types/oidc-provider types every parameter as `unknown`.
 */
export type ClientInteraction = Interaction & { params: { client_id: string } };

export function isClientInteraction(interaction: Interaction): interaction is ClientInteraction {
  return typeof interaction.params.client_id === "string";
}

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/**
 * Grants what a consent prompt lists as missing (the path oidc-provider's example takes when
 * the user clicks "Continue"); used if a consent prompt reaches a first-party client anyway.
 * Returns the id of a new grant, or `undefined` when an existing one was extended.
 */
export async function grantPromptDetails(
  provider: Provider,
  interaction: ClientInteraction,
): Promise<string | undefined> {
  const details = interaction.prompt.details as ConsentDetails;
  const accountId = interaction.session?.accountId;
  if (!accountId) throw new Error("consent without a signed-in account");
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: interaction.params.client_id });
  if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(" "));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  const grantId = await grant.save();
  return existing ? undefined : grantId;
}
