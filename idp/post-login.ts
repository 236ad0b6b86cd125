/**
 * Where post-login actions meet oidc-provider. Actions run:
 *
 * - at the authorization endpoint, once the user is known (fresh login or SSO), as the
 *   login's gate: a deny or a throw sends the browser back to the client with an OAuth error
 *   before any code is issued;
 * - at the token endpoint, whenever an access token is minted (code exchange and refresh):
 *   their access-token claims go into that token and their ID-token claims into the ID token
 *   of the same response, computed from the user as the database has them now.
 *
 * For a refresh they run before the old refresh token is rotated, so a deny (or a failing
 * action) leaves the client's refresh token usable instead of looking like token theft later.
 */
import {
  errors,
  type AccessToken,
  type Client,
  type ClientCredentials,
  type KoaContextWithOIDC,
  type Provider,
  type UnknownObject,
} from "oidc-provider";
import { TOKEN_EXCHANGE_GRANT } from "../lib/shared/contrast.ts";
import type { ClaimtripAccount } from "./account.ts";
import { ActionDeniedError, ActionFailedError, runPostLoginActions } from "./actions/runtime.ts";
import type { ActionOutcome, PostLoginAction, PostLoginEvent } from "./actions/types.ts";
import type { Logger } from "./logger.ts";

/** A post-login action failed: `server_error`, with a description that names no internals. */
export class ActionServerError extends errors.OIDCProviderError {
  constructor() {
    super(500, "server_error");
    this.error_description = "Sign-in could not be completed because a post-login action failed.";
    // Shown to the client (redirect or token response) rather than a generic 500 page.
    this.expose = true;
  }
}

export interface PostLoginOptions {
  actions: readonly PostLoginAction[];
  /** Handed to actions as `event.secrets` (e.g. API_AUDIENCE). */
  secrets: Readonly<Record<string, string>>;
  /** Picks one resource when a refresh token covers several (the same rule as `defaultResource`). */
  pickResource: (resources: readonly string[]) => string | undefined;
  logger: Logger;
}

export interface PostLoginHooks {
  /** Authorization endpoint (from `loadExistingGrant`): run the actions for each requested API. */
  gate(ctx: KoaContextWithOIDC): Promise<void>;
  /** Token endpoint, refresh grant, before rotation (from `rotateRefreshToken`). */
  beforeRefresh(ctx: KoaContextWithOIDC): Promise<void>;
  /**
   * oidc-provider's `extraTokenClaims`: the actions' access-token claims. Client-credentials
   * tokens (the Management API's) have no user, so no login, and get none.
   */
  extraTokenClaims(
    ctx: KoaContextWithOIDC,
    token: AccessToken | ClientCredentials,
  ): Promise<Record<string, unknown> | undefined>;
  /** Adds the actions' ID-token claims to ID tokens this provider issues. */
  install(provider: Provider): void;
}

type Protocol = PostLoginEvent["transaction"]["protocol"];

interface RunInput {
  account: ClaimtripAccount;
  /** The client the token is for. Default: the requesting client (they differ only in a token exchange). */
  client?: Client;
  resource: string | undefined;
  protocol: Protocol;
  requestedScopes: string[];
}

function stringEntries(source: object | undefined, keep: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source ?? {})) {
    if (keep(key) && typeof value === "string") out[key] = value;
  }
  return out;
}

/** The `resource` request parameter: a string, or an array when the request repeats it. */
function resourceParameter(params: UnknownObject | undefined): string | string[] | undefined {
  const value = params?.resource;
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item): item is string => typeof item === "string")) return value;
  return undefined;
}

/** Token-request parameters an action may see: never codes, verifiers, tokens or secrets. */
const VISIBLE_TOKEN_PARAMS = ["grant_type", "scope", "resource"] as const;

/** Authorization parameters that carry tokens or signed requests: kept from actions. */
const HIDDEN_AUTHORIZATION_PARAMS = new Set(["id_token_hint", "request", "login_hint_token"]);

export function createPostLoginHooks(options: PostLoginOptions): PostLoginHooks {
  const { actions, secrets, pickResource, logger } = options;
  // Outcomes per request and API, computed once (a refresh computes them before rotating).
  const outcomes = new WeakMap<object, Map<string, ActionOutcome>>();
  // The outcome behind the access token of a request, so the ID token next to it matches.
  const minted = new WeakMap<object, ActionOutcome>();

  function event(ctx: KoaContextWithOIDC, input: RunInput): PostLoginEvent {
    const client = input.client ?? ctx.oidc.client;
    const atToken = ctx.oidc.route === "token";
    const { user } = input.account;
    return {
      user: { user_id: user.id, email: user.email, name: user.name, app_metadata: user.appMetadata },
      authorization: { roles: [...user.roles] },
      client: { client_id: client?.clientId ?? "", name: client?.clientName ?? client?.clientId ?? "" },
      ...(input.resource ? { resource_server: { identifier: input.resource } } : {}),
      request: {
        ip: ctx.ip,
        hostname: ctx.hostname,
        method: ctx.method,
        ...(ctx.get("user-agent") ? { user_agent: ctx.get("user-agent") } : {}),
        query: atToken ? {} : stringEntries(ctx.oidc.params, (key) => !HIDDEN_AUTHORIZATION_PARAMS.has(key)),
        body: atToken
          ? stringEntries(ctx.oidc.params, (key) => (VISIBLE_TOKEN_PARAMS as readonly string[]).includes(key))
          : {},
      },
      transaction: { requested_scopes: input.requestedScopes, protocol: input.protocol },
      secrets,
    };
  }

  async function run(ctx: KoaContextWithOIDC, input: RunInput): Promise<ActionOutcome> {
    const fields = {
      client_id: (input.client ?? ctx.oidc.client)?.clientId,
      sub: input.account.accountId,
      resource: input.resource,
      protocol: input.protocol,
    };
    try {
      const outcome = await runPostLoginActions(actions, event(ctx, input));
      let byResource = outcomes.get(ctx);
      if (!byResource) {
        byResource = new Map();
        outcomes.set(ctx, byResource);
      }
      byResource.set(input.resource ?? "", outcome);
      return outcome;
    } catch (error) {
      if (error instanceof ActionDeniedError) {
        logger.info({ ...fields, action: error.action, reason: error.reason }, "post-login action denied access");
        throw new errors.AccessDenied(error.reason);
      }
      if (error instanceof ActionFailedError) {
        logger.error(
          { ...fields, action: error.action, err: error.cause },
          "post-login action failed; sign-in stopped",
        );
        throw new ActionServerError();
      }
      throw error;
    }
  }

  function tokenAccount(ctx: KoaContextWithOIDC): ClaimtripAccount {
    const account = ctx.oidc.entities.Account as ClaimtripAccount | undefined;
    if (!account?.user) throw new Error("post-login actions need the account loaded for this token");
    return account;
  }

  function tokenProtocol(ctx: KoaContextWithOIDC): Protocol {
    const grantType = ctx.oidc.params?.grant_type;
    if (grantType === "refresh_token") return "oauth2-refresh-token";
    if (grantType === TOKEN_EXCHANGE_GRANT) return "oauth2-token-exchange";
    return "oidc-basic-profile";
  }

  function tokenScopes(ctx: KoaContextWithOIDC): string[] {
    const source = ctx.oidc.entities.RefreshToken ?? ctx.oidc.entities.AuthorizationCode;
    return [...(source?.scopes ?? new Set<string>())];
  }

  return {
    async gate(ctx) {
      // The user is about to sign in again (prompt=login): the gate runs for whoever does.
      if (ctx.oidc.promptPending("login")) return;
      const account = ctx.oidc.account as ClaimtripAccount | undefined;
      if (!account?.user) return;
      // oidc-provider 9.13 always sets `resourceServers` (`{}` at first); @types marks it optional.
      const resources = Object.keys(ctx.oidc.resourceServers ?? {});
      for (const resource of resources.length ? resources : [undefined]) {
        await run(ctx, {
          account,
          resource,
          protocol: "oidc-basic-profile",
          requestedScopes: [...ctx.oidc.requestParamScopes],
        });
      }
    },

    async beforeRefresh(ctx) {
      const refreshToken = ctx.oidc.entities.RefreshToken;
      const requested = resourceParameter(ctx.oidc.params) ?? refreshToken?.resource;
      const resource = Array.isArray(requested) ? pickResource(requested) : requested;
      await run(ctx, {
        account: tokenAccount(ctx),
        resource,
        protocol: "oauth2-refresh-token",
        requestedScopes: tokenScopes(ctx),
      });
    },

    async extraTokenClaims(ctx, token) {
      if (token.kind === "ClientCredentials") return undefined;
      const resource = token.resourceServer?.identifier();
      const outcome =
        outcomes.get(ctx)?.get(resource ?? "") ??
        (await run(ctx, {
          account: tokenAccount(ctx),
          client: token.client,
          resource,
          protocol: tokenProtocol(ctx),
          requestedScopes: tokenScopes(ctx),
        }));
      minted.set(ctx, outcome);
      return Object.keys(outcome.accessTokenClaims).length ? outcome.accessTokenClaims : undefined;
    },

    install(provider) {
      const proto = provider.IdToken.prototype;
      const issue = proto.issue;
      // oidc-provider has no hook for extra ID-token claims; wrapping this provider's IdToken
      // class is the maintainer's suggested way (panva/node-oidc-provider#200).
      proto.issue = async function issueWithActionClaims(this: typeof proto, issueOptions) {
        const ctx = this.ctx;
        if (issueOptions.use === "idtoken" && ctx?.oidc) {
          const outcome =
            minted.get(ctx) ??
            (await run(ctx, {
              account: tokenAccount(ctx),
              resource: undefined,
              protocol: tokenProtocol(ctx),
              requestedScopes: tokenScopes(ctx),
            }));
          for (const [name, value] of Object.entries(outcome.idTokenClaims)) this.set(name, value);
        }
        return issue.call(this, issueOptions);
      };
    },
  };
}
