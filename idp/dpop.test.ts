/**
 * DPoP at the IdP (RFC 9449): discovery advertises it; a client that sends a proof (with the
 * nonce the IdP hands out on `use_dpop_nonce`) gets access tokens bound to its key (`cnf.jkt`,
 * token_type DPoP), the public CLI client as much as the web app; a client that sends none still
 * gets bearer tokens.
 */
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createProof, type DpopKey } from "../lib/dpop/proof.ts";
import { createDpopKey } from "../test/dpop.ts";
import { CLI_CLIENT_ID, WEB_CLIENT_ID } from "./clients.ts";
import {
  authorize,
  exchangeCode,
  startTestIdp,
  WEB_SECRET,
  type AuthorizeResult,
  type TestIdp,
} from "./testing/harness.ts";

let t: TestIdp;
let key: DpopKey;
const API = "http://localhost:3000/api";

beforeAll(async () => {
  t = await startTestIdp();
  key = await createDpopKey();
});
afterAll(() => t?.close());

interface Answer {
  status: number;
  body: Record<string, unknown>;
  nonce: string | null;
}

/** A token request with a DPoP proof (and `nonce` in it, when given). */
async function dpopTokenRequest(form: Record<string, string>, client: "web" | "cli", nonce?: string): Promise<Answer> {
  const url = new URL("/token", t.issuer).href;
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    dpop: await createProof(key, { htm: "POST", htu: url, nonce }),
  };
  if (client === "web")
    headers.authorization = `Basic ${Buffer.from(`${WEB_CLIENT_ID}:${WEB_SECRET}`).toString("base64")}`;
  const body = new URLSearchParams(client === "cli" ? { ...form, client_id: CLI_CLIENT_ID } : form);
  const response = await fetch(url, { method: "POST", headers, body });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    nonce: response.headers.get("dpop-nonce"),
  };
}

/** The exchange the app makes: first without a nonce, then once more with the one the IdP asked for. */
async function withNonceRetry(form: Record<string, string>, client: "web" | "cli"): Promise<Answer> {
  const first = await dpopTokenRequest(form, client);
  expect(first).toMatchObject({ status: 400, body: { error: "use_dpop_nonce" }, nonce: expect.any(String) });
  const second = await dpopTokenRequest(form, client, first.nonce ?? undefined);
  // A nonce stays good until the IdP sends another; it sends one only when it changes.
  return { ...second, nonce: second.nonce ?? first.nonce };
}

const codeForm = (result: AuthorizeResult) => ({
  grant_type: "authorization_code",
  code: result.callback.searchParams.get("code") ?? "",
  redirect_uri: result.redirectUri,
  code_verifier: result.verifier,
});

describe("DPoP at the IdP", () => {
  it("is advertised in discovery", async () => {
    const discovery = (await (await fetch(new URL("/.well-known/openid-configuration", t.issuer))).json()) as Record<
      string,
      unknown
    >;
    expect(discovery.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(["ES256"]));
  });

  it("binds the web app's access tokens to its key, at the code exchange and at every refresh", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await withNonceRetry(codeForm(result), "web");
    expect(tokens).toMatchObject({ status: 200, body: { token_type: "DPoP" } });
    expect(decodeJwt(String(tokens.body.access_token)).cnf).toEqual({ jkt: key.thumbprint });

    // The nonce the IdP last sent serves the next request: no second round trip.
    const refreshed = await dpopTokenRequest(
      { grant_type: "refresh_token", refresh_token: String(tokens.body.refresh_token) },
      "web",
      tokens.nonce ?? undefined,
    );
    expect(refreshed).toMatchObject({ status: 200, body: { token_type: "DPoP" } });
    expect(decodeJwt(String(refreshed.body.access_token)).cnf).toEqual({ jkt: key.thumbprint });
  });

  it("binds the public CLI client's tokens too", async () => {
    const redirectUri = "http://127.0.0.1:53124/callback";
    const result = await authorize(t, { clientId: CLI_CLIENT_ID, redirectUri, params: { audience: API } });
    const tokens = await withNonceRetry(codeForm(result), "cli");
    expect(tokens).toMatchObject({ status: 200, body: { token_type: "DPoP" } });
    expect(decodeJwt(String(tokens.body.access_token)).cnf).toEqual({ jkt: key.thumbprint });
  });

  it("still issues bearer tokens to a client that sends no proof", async () => {
    const result = await authorize(t, { params: { audience: API } });
    const tokens = await exchangeCode(t, result);
    expect(tokens).toMatchObject({ status: 200, body: { token_type: "Bearer" } });
    expect(decodeJwt(String(tokens.body.access_token)).cnf).toBeUndefined();
  });
});
