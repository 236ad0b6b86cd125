/**
 * The slice of oidc-provider 9 the IdP uses, written from its docs/README.md and lib/ sources.
 * The project ships no @types/oidc-provider; these declarations cover only what idp/ touches.
 * Delete this file if @types/oidc-provider is ever added to package.json.
 */
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import Koa from "koa";

  export type UnknownObject = Record<string, unknown>;

  // ---------------------------------------------------------------------------------------
  // Storage
  // ---------------------------------------------------------------------------------------

  /** What the provider hands an adapter and expects back; fields vary by model. */
  export interface AdapterPayload {
    [key: string]: unknown;
    jti?: string;
    kind?: string;
    exp?: number;
    iat?: number;
    grantId?: string;
    userCode?: string;
    uid?: string;
    consumed?: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export type AdapterFactory = (name: string) => Adapter;

  // ---------------------------------------------------------------------------------------
  // Accounts, clients, resource servers
  // ---------------------------------------------------------------------------------------

  export interface AccountClaims {
    sub: string;
    [key: string]: unknown;
  }

  export interface Account {
    accountId: string;
    claims(
      use: string,
      scope: string,
      claims: Record<string, null | UnknownObject>,
      rejected: string[],
    ): AccountClaims | Promise<AccountClaims>;
  }

  export type FindAccount = (
    ctx: KoaContextWithOIDC,
    sub: string,
    token?: unknown,
  ) => Promise<Account | undefined> | Account | undefined;

  export interface ClientMetadata {
    client_id: string;
    client_name?: string;
    client_secret?: string;
    application_type?: "web" | "native";
    grant_types?: string[];
    response_types?: string[];
    redirect_uris?: string[];
    post_logout_redirect_uris?: string[];
    token_endpoint_auth_method?: string;
    id_token_signed_response_alg?: string;
    scope?: string;
    [key: string]: unknown;
  }

  export interface Client {
    readonly clientId: string;
    readonly clientName?: string;
    readonly applicationType: "web" | "native";
    readonly clientAuthMethod: string;
    readonly redirectUris: string[];
    grantTypeAllowed(type: string): boolean;
    redirectUriAllowed(value: string): boolean;
    [key: string]: unknown;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: "opaque" | "jwt";
    jwt?: { sign?: { alg?: string; kid?: string } | false };
  }

  export interface ResourceServer extends ResourceServerInfo {
    identifier(): string;
    readonly scopes: Set<string>;
  }

  // ---------------------------------------------------------------------------------------
  // Models
  // ---------------------------------------------------------------------------------------

  interface BaseToken {
    jti: string;
    kind: string;
    clientId: string;
    accountId?: string;
    grantId?: string;
    scope?: string;
    readonly scopes: Set<string>;
    resource?: string | string[];
    readonly resourceServer?: ResourceServer;
    readonly client?: Client;
    gty?: string;
    consumed?: unknown;
  }

  export type AccessToken = BaseToken;
  export type RefreshToken = BaseToken;
  export type AuthorizationCode = BaseToken;

  export interface Grant {
    readonly jti: string;
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    getOIDCScope(): string;
    getResourceScope(resource: string): string;
    save(): Promise<string>;
  }

  interface GrantConstructor {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface Interaction {
    readonly uid: string;
    readonly jti: string;
    prompt: { name: string; reasons: string[]; details: UnknownObject };
    params: UnknownObject & { client_id: string; scope?: string; login_hint?: string };
    session?: { accountId?: string; uid?: string };
    grantId?: string;
    lastSubmission?: UnknownObject;
    returnTo: string;
  }

  export interface IdTokenInstance {
    ctx?: KoaContextWithOIDC;
    set(key: string, value: unknown): void;
    issue(options: { use: string; expiresAt?: number | null }): Promise<string>;
  }

  interface IdTokenConstructor {
    prototype: IdTokenInstance;
  }

  // ---------------------------------------------------------------------------------------
  // Request context
  // ---------------------------------------------------------------------------------------

  export interface OIDCContext {
    readonly route: string;
    readonly provider: Provider;
    readonly client?: Client;
    readonly account?: Account;
    readonly grant?: Grant;
    readonly session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    readonly params?: UnknownObject & { resource?: string | string[]; scope?: string };
    readonly result?: UnknownObject & { consent?: { grantId?: string }; login?: UnknownObject };
    readonly entities: {
      readonly Account?: Account;
      readonly Client?: Client;
      readonly Grant?: Grant;
      readonly RefreshToken?: RefreshToken;
      readonly AuthorizationCode?: AuthorizationCode;
      readonly RotatedRefreshToken?: RefreshToken;
      readonly [key: string]: unknown;
    };
    readonly resourceServers: Record<string, ResourceServer>;
    readonly requestParamScopes: Set<string>;
    readonly requestParamOIDCScopes: Set<string>;
    readonly requestParamClaims: Set<string>;
    promptPending(name: string): boolean;
  }

  export type KoaContextWithOIDC = Koa.Context & { oidc: OIDCContext };

  // ---------------------------------------------------------------------------------------
  // Configuration
  // ---------------------------------------------------------------------------------------

  export interface ErrorOut {
    error: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface JWTStructured {
    header: UnknownObject | undefined;
    payload: UnknownObject;
  }

  export interface Configuration {
    adapter?: AdapterFactory;
    clients?: ClientMetadata[];
    clientDefaults?: Partial<ClientMetadata>;
    claims?: Record<string, null | string[]>;
    conformIdTokenClaims?: boolean;
    cookies?: {
      keys?: string[];
      long?: UnknownObject;
      short?: UnknownObject;
      names?: Record<string, string>;
    };
    discovery?: UnknownObject;
    enabledJWA?: Record<string, string[]>;
    extraTokenClaims?: (ctx: KoaContextWithOIDC, token: AccessToken) => Promise<UnknownObject | undefined>;
    features?: {
      devInteractions?: { enabled: boolean };
      pushedAuthorizationRequests?: { enabled: boolean };
      introspection?: { enabled: boolean };
      revocation?: { enabled: boolean };
      userinfo?: { enabled: boolean };
      clientCredentials?: { enabled: boolean };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void> | void;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void> | void;
      };
      resourceIndicators?: {
        enabled: boolean;
        defaultResource?: (
          ctx: KoaContextWithOIDC,
          client: Client,
          oneOf?: string[],
        ) => Promise<string | string[] | undefined>;
        getResourceServerInfo?: (
          ctx: KoaContextWithOIDC,
          resourceIndicator: string,
          client: Client,
        ) => Promise<ResourceServerInfo>;
        useGrantedResource?: (ctx: KoaContextWithOIDC, model: BaseToken) => Promise<boolean> | boolean;
      };
    };
    findAccount?: FindAccount;
    formats?: {
      customizers?: {
        jwt?: (ctx: KoaContextWithOIDC, token: AccessToken, jwt: JWTStructured) => Promise<void> | void;
      };
    };
    interactions?: { url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => Promise<string> | string };
    issueRefreshToken?: (ctx: KoaContextWithOIDC, client: Client, code: BaseToken) => Promise<boolean>;
    jwks?: { keys: UnknownObject[] };
    loadExistingGrant?: (ctx: KoaContextWithOIDC) => Promise<Grant | undefined>;
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    renderError?: (ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) => Promise<void> | void;
    responseTypes?: string[];
    rotateRefreshToken?: boolean | ((ctx: KoaContextWithOIDC) => Promise<boolean> | boolean);
    routes?: Record<string, string>;
    scopes?: string[];
    ttl?: Record<string, number | ((ctx: KoaContextWithOIDC, token: BaseToken, client: Client) => number)>;
  }

  export interface InteractionResults {
    login?: { accountId: string; acr?: string; amr?: string[]; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export class Provider extends Koa {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Client: { find(id: string): Promise<Client | undefined> };
    readonly Grant: GrantConstructor;
    readonly IdToken: IdTokenConstructor;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    urlFor(name: string, options?: UnknownObject): string;
    on(event: string, listener: (...args: never[]) => void): this;
  }

  // ---------------------------------------------------------------------------------------
  // Errors
  // ---------------------------------------------------------------------------------------

  export namespace errors {
    class OIDCProviderError extends Error {
      constructor(status: number, message: string);
      error: string;
      error_description?: string;
      error_detail?: string;
      status: number;
      statusCode: number;
      expose: boolean;
      allow_redirect: boolean;
    }
    class AccessDenied extends OIDCProviderError {
      constructor(description?: string, detail?: string);
    }
    class InvalidTarget extends OIDCProviderError {
      constructor(description?: string, detail?: string);
    }
    class InvalidGrant extends OIDCProviderError {
      constructor(detail?: string);
    }
    class InvalidRequest extends OIDCProviderError {
      constructor(description?: string, code?: number);
    }
    class SessionNotFound extends InvalidRequest {}
  }

  export default Provider;
}
