/**
 * The contrast grant (token-exchange.ts): the local IdP issues, for the user of one of the web
 * app's live access tokens, what it would issue to the other client and for the other API, and
 * nothing else, to nobody else.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES_CLAIM } from "../lib/shared/claims.ts";
import { CLI_CLIENT_ID, managementAudience, WEB_CLIENT_ID } from "./clients.ts";
import { REPORTS_API } from "./resources.ts";
import { authorize, exchangeCode, startTestIdp, tokenRequest, type TestIdp } from "./testing/harness.ts";
import {
  ACCESS_TOKEN_TYPE,
  AS_CLIENT_PARAM,
  CONTRAST_TARGETS_FIELD,
  TOKEN_EXCHANGE_GRANT,
} from "../lib/shared/contrast.ts";

let t: TestIdp;
const API = "http://localhost:3000/api";

beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(() => t?.close());

async function accessToken(email = "alice@example.com", clientId = WEB_CLIENT_ID, resource = API): Promise<string> {
  const password = email.replace(/@.*/, "-password");
  const cli = clientId === CLI_CLIENT_ID;
  const result = await authorize(t, {
    email,
    password,
    clientId,
    ...(cli ? { redirectUri: "http://127.0.0.1:5123/callback" } : {}),
    params: { resource },
  });
  const tokens = await exchangeCode(t, result, cli ? "none" : "basic", cli ? { client_id: CLI_CLIENT_ID } : {});
  expect(tokens.status).toBe(200);
  return String(tokens.body.access_token);
}

const exchange = (subject: string, asClient: string, resource: string, auth: "basic" | "none" = "basic") =>
  tokenRequest(
    t,
    {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      [AS_CLIENT_PARAM]: asClient,
      resource,
      ...(auth === "none" ? { client_id: WEB_CLIENT_ID } : {}),
    },
    auth,
  );

describe("what a local IdP offers", () => {
  it("advertises the grant and its two targets in discovery", async () => {
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.grant_types_supported).toContain(TOKEN_EXCHANGE_GRANT);
    expect(discovery[CONTRAST_TARGETS_FIELD]).toEqual([
      { client_id: CLI_CLIENT_ID, resource: API },
      { client_id: WEB_CLIENT_ID, resource: REPORTS_API },
    ]);
  });

  it("issues alice's tokens for the other client and the other API, without the roles claim her own token has", async () => {
    const subject = await accessToken();
    const own = decodeJwt(subject);
    expect(own[ROLES_CLAIM]).toEqual(["admin"]);

    const cli = await exchange(subject, CLI_CLIENT_ID, API);
    expect(cli.status).toBe(200);
    expect(cli.body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer" });
    const cliClaims = decodeJwt(String(cli.body.access_token));
    expect(decodeProtectedHeader(String(cli.body.access_token)).typ).toBe("at+jwt");
    expect(cliClaims).toMatchObject({ sub: own.sub, client_id: CLI_CLIENT_ID, aud: API, iss: t.issuer });
    expect(cliClaims).not.toHaveProperty(ROLES_CLAIM);
    expect(cliClaims.exp).toBeLessThanOrEqual(own.exp!);

    const reports = await exchange(subject, WEB_CLIENT_ID, REPORTS_API);
    expect(reports.status).toBe(200);
    const reportsClaims = decodeJwt(String(reports.body.access_token));
    expect(reportsClaims).toMatchObject({ sub: own.sub, client_id: WEB_CLIENT_ID, aud: REPORTS_API });
    expect(reportsClaims).not.toHaveProperty(ROLES_CLAIM);
    expect(t.logs.some((line) => line.event === "token_exchange" && line.as_client_id === CLI_CLIENT_ID)).toBe(true);
  });
});

describe("what it refuses", () => {
  let subject: string;
  beforeAll(async () => {
    subject = await accessToken();
  });

  it("refuses a caller without claimtrip-web's secret", async () => {
    const anonymous = await exchange(subject, CLI_CLIENT_ID, API, "none");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toBe("invalid_client");
  });

  it("refuses the public client, which is not registered for the grant", async () => {
    const response = await fetch(new URL("/token", t.issuer), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: TOKEN_EXCHANGE_GRANT,
        client_id: CLI_CLIENT_ID,
        subject_token: subject,
        subject_token_type: ACCESS_TOKEN_TYPE,
        [AS_CLIENT_PARAM]: WEB_CLIENT_ID,
        resource: API,
      }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
  });

  it.each([
    ["the app's own client and API (a refresh without rotation)", WEB_CLIENT_ID, API],
    ["the Management API", WEB_CLIENT_ID, "http://127.0.0.1/api/v2/"],
    ["the CLI for the other API", CLI_CLIENT_ID, REPORTS_API],
    ["an unknown client", "someone-else", API],
  ])("refuses a target it does not advertise: %s", async (_name, asClient, resource) => {
    const target = resource.includes("/api/v2/") ? managementAudience(t.issuer) : resource;
    const response = await exchange(subject, asClient, target);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("invalid_target");
    expect(response.body).not.toHaveProperty("access_token");
  });

  it("refuses a subject token that is not the app's live access token for its API", async () => {
    const forReports = await accessToken("alice@example.com", WEB_CLIENT_ID, REPORTS_API);
    const cliToken = await accessToken("alice@example.com", CLI_CLIENT_ID, API);
    const [header, payload] = subject.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(subject), sub: "someone" })).toString("base64url")}.${subject.split(".")[2]}`;
    for (const bad of [forReports, cliToken, forged, `${header}.${payload}.`, "not-a-jwt"]) {
      const response = await exchange(bad, CLI_CLIENT_ID, API);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe("invalid_grant");
    }
  });

  it("refuses another subject token type", async () => {
    const response = await tokenRequest(t, {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: subject,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      [AS_CLIENT_PARAM]: CLI_CLIENT_ID,
      resource: API,
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("invalid_request");
  });
});
