/**
 * The login interaction: oidc-provider sends the browser to /interaction/:uid when it needs
 * the user to sign in. Every response here is `cache-control: no-store`, each handler asserts
 * the prompt it handles, and the interaction is bound to the browser by oidc-provider's
 * interaction cookie (SameSite=Lax, path-scoped), which a cross-site form post cannot carry;
 * the uid in the URL must match it too.
 */
import { errors, type InteractionResults, type Provider } from "oidc-provider";
import type Koa from "koa";
import { BodyTooLargeError, readBoundedBody } from "../lib/resource-server/body.ts";
import { normalizeEmail, type DirectoryUser, type UserDirectory } from "./account.ts";
import { grantPromptDetails, isClientInteraction, type ClientInteraction } from "./grants.ts";
import type { Logger } from "./logger.ts";
import type { LoginLimiter } from "./rate-limit.ts";
import { loginPage } from "./views/login.ts";
import { messagePage } from "./views/message.ts";

/** The one message for any failed sign-in: it never says which part was wrong. */
export const WRONG_CREDENTIALS = "Wrong email or password.";

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|abort))?\/?$/;
/** The Location of oidc-provider's redirect to an interaction (config.ts: `interactions.url`). */
const INTERACTION_LOCATION = /^\/interaction\/([A-Za-z0-9_-]{1,64})$/;
const FORM_LIMIT = 8 * 1024;

export interface InteractionOptions {
  provider: Provider;
  directory: UserDirectory;
  limiter: LoginLimiter;
  /** Clients whose users are not asked for consent. */
  firstParty: ReadonlySet<string>;
  logger: Logger;
  /** The authorization endpoint's path: its redirects to a login are answered with the login page itself. */
  authorizationPath?: string;
}

/** What oidc-provider leaves on the context of the request that started an interaction. */
interface StartedInteraction {
  uid: string;
  prompt: { name: string };
  params: Record<string, unknown>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function readForm(ctx: Koa.Context): Promise<URLSearchParams> {
  if (!ctx.is("application/x-www-form-urlencoded"))
    throw new HttpError(415, "Send the form as application/x-www-form-urlencoded.");
  const bytes = await readBoundedBody(ctx.req, FORM_LIMIT).catch((error: unknown) => {
    throw error instanceof BodyTooLargeError ? new HttpError(413, "The form is too large.") : error;
  });
  return new URLSearchParams(Buffer.from(bytes).toString("utf8"));
}

/** A single text field, or `undefined` when it is missing, repeated or oversized. */
function field(form: URLSearchParams, name: string, max: number): string | undefined {
  const values = form.getAll(name);
  return values.length === 1 && (values[0] ?? "").length <= max ? values[0] : undefined;
}

function html(ctx: Koa.Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = "html";
  ctx.body = body;
}

export function interactionRoutes(options: InteractionOptions): Koa.Middleware {
  const { provider, directory, limiter, firstParty, logger, authorizationPath } = options;

  async function load(ctx: Koa.Context, uid: string, prompt?: string): Promise<ClientInteraction> {
    const interaction = await provider.interactionDetails(ctx.req, ctx.res);
    if (interaction.uid !== uid) throw new errors.SessionNotFound("interaction mismatch");
    if (!isClientInteraction(interaction)) throw new Error("oidc-provider interaction without a client_id");
    if (prompt && interaction.prompt.name !== prompt)
      throw new HttpError(400, "This sign-in step is not expected now.");
    return interaction;
  }

  async function finish(ctx: Koa.Context, result: InteractionResults): Promise<void> {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(returnTo);
  }

  async function clientName(interaction: ClientInteraction): Promise<string> {
    const client = await provider.Client.find(interaction.params.client_id);
    return client?.clientName ?? interaction.params.client_id;
  }

  async function show(ctx: Koa.Context, uid: string): Promise<void> {
    const interaction = await load(ctx, uid);
    switch (interaction.prompt.name) {
      case "login": {
        const hint = interaction.params.login_hint;
        return html(
          ctx,
          200,
          loginPage({
            uid,
            clientName: await clientName(interaction),
            email: typeof hint === "string" ? hint : undefined,
          }),
        );
      }
      case "consent": {
        if (!firstParty.has(interaction.params.client_id)) {
          return finish(ctx, {
            error: "consent_required",
            error_description: "this IdP only serves first-party clients",
          });
        }
        const grantId = await grantPromptDetails(provider, interaction);
        return finish(ctx, { consent: grantId ? { grantId } : {} });
      }
      default:
        throw new HttpError(400, "This sign-in step is not supported.");
    }
  }

  /**
   * The authorization endpoint answers "log in first" with a 303 to /interaction/<uid>, which the
   * browser follows only to fetch the login page: answer with that page at once, one browser
   * round trip less. oidc-provider has already saved the interaction and set its cookies on this
   * very response (the interaction cookie, path /interaction/<uid>, and the resume cookie), so
   * the form posts to /interaction/<uid>/login and resumes exactly as after the redirect. Any
   * other prompt (consent) keeps the redirect; GET /interaction/<uid> still shows the page.
   */
  async function loginInPlace(ctx: Koa.Context): Promise<void> {
    if (ctx.status !== 303) return;
    const uid = INTERACTION_LOCATION.exec(ctx.response.get("Location"))?.[1];
    const oidc = (ctx as Koa.Context & { oidc?: { entities?: { Interaction?: StartedInteraction } } }).oidc;
    const interaction = oidc?.entities?.Interaction;
    if (!uid || interaction?.uid !== uid || interaction.prompt.name !== "login") return;
    const clientId = interaction.params.client_id;
    const client = typeof clientId === "string" ? await provider.Client.find(clientId) : undefined;
    if (!client) return;
    const hint = interaction.params.login_hint;
    ctx.remove("Location");
    ctx.set("Cache-Control", "no-store");
    html(
      ctx,
      200,
      loginPage({
        uid,
        clientName: client.clientName ?? client.clientId,
        email: typeof hint === "string" ? hint : undefined,
      }),
    );
  }

  async function login(ctx: Koa.Context, uid: string): Promise<void> {
    const interaction = await load(ctx, uid, "login");
    const form = await readForm(ctx);
    const email = field(form, "email", 320) ?? "";
    const password = field(form, "password", 1024) ?? "";
    const account = normalizeEmail(email);
    const name = await clientName(interaction);

    // Counted before the password is checked (and given back on success), so that parallel
    // posts cannot all be judged before the first failure is recorded.
    const wait = limiter.reserve(account, ctx.ip);
    if (wait > 0) {
      const minutes = Math.ceil(wait / 60_000);
      ctx.set("Retry-After", String(Math.ceil(wait / 1000)));
      logger.warn({ client_id: interaction.params.client_id }, "sign-in rate limited");
      // The trade-off, said plainly: the pause holds even for the right password, or guessing
      // would simply go on until it found it.
      const error =
        `Too many attempts, try again in ${minutes} minute${minutes === 1 ? "" : "s"}. ` +
        "Sign-in pauses after repeated wrong passwords for one account or from one network, even for the right password, so that guessing cannot go on.";
      return html(ctx, 429, loginPage({ uid, clientName: name, email, error }));
    }

    let user: DirectoryUser | undefined;
    try {
      user = email && password ? await directory.authenticate(email, password) : undefined;
    } catch (error) {
      limiter.release(account, ctx.ip);
      throw error;
    }
    if (!user) {
      logger.info({ client_id: interaction.params.client_id }, "sign-in failed");
      return html(ctx, 401, loginPage({ uid, clientName: name, email, error: WRONG_CREDENTIALS }));
    }
    limiter.succeeded(account, ctx.ip);
    logger.info({ client_id: interaction.params.client_id, sub: user.id }, "signed in");
    // First-party clients need no consent: settle it now and spare the browser another round trip.
    const consent = firstParty.has(interaction.params.client_id) ? { consent: {} } : {};
    return finish(ctx, { login: { accountId: user.id, amr: ["pwd"], remember: true }, ...consent });
  }

  async function abort(ctx: Koa.Context, uid: string): Promise<void> {
    await load(ctx, uid);
    return finish(ctx, { error: "access_denied", error_description: "End-User aborted interaction" });
  }

  const isAuthorization = (path: string) =>
    authorizationPath !== undefined && (path === authorizationPath || path.startsWith(`${authorizationPath}/`));

  return async (ctx, next) => {
    const match = ROUTE.exec(ctx.path);
    if (!match) {
      await next();
      if (isAuthorization(ctx.path) && (ctx.method === "GET" || ctx.method === "POST")) await loginInPlace(ctx);
      return;
    }
    ctx.set("Cache-Control", "no-store");
    const [, uid = "", step] = match;
    try {
      if (!step && (ctx.method === "GET" || ctx.method === "HEAD")) return await show(ctx, uid);
      if (step === "login" && ctx.method === "POST") return await login(ctx, uid);
      if (step === "abort" && ctx.method === "POST") return await abort(ctx, uid);
      throw new HttpError(405, "This sign-in step does not accept that request.");
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        return html(
          ctx,
          400,
          messagePage({
            title: "Sign-in expired",
            message:
              "This sign-in page has expired or belongs to another browser. Go back to the application and sign in again.",
          }),
        );
      }
      if (error instanceof HttpError) {
        return html(ctx, error.status, messagePage({ title: "Sign-in problem", message: error.message }));
      }
      throw error;
    }
  };
}
