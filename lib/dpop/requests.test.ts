/**
 * The client's DPoP requests: a proof on the token endpoint's POSTs only, the nonce of a
 * `use_dpop_nonce` answer put in one retry and in every later proof, never a retry loop, and
 * no proof at all when there is no key (the Bearer fallback).
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";

import { createDpopKey } from "../../test/dpop";
import type { DpopKey } from "./proof";
import { withDpopAtTokenEndpoint } from "./requests";

let key: DpopKey;
beforeAll(async () => {
  key = await createDpopKey();
});

interface Seen {
  url: string;
  dpop: string | null;
  body: string;
}

/** A token endpoint that wants `nonce` in proofs; `nonce` undefined means it takes any proof. */
function fakeIdp(origin: string, nonces: string[]) {
  const seen: Seen[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const dpop = headers.get("dpop");
    seen.push({ url: String(input), dpop, body: String(init?.body ?? "") });
    const wanted = nonces[0];
    const sent = dpop ? (decodeJwt(dpop).nonce as string | undefined) : undefined;
    if (dpop && wanted !== undefined && sent !== wanted) {
      return Response.json(
        { error: "use_dpop_nonce", error_description: "nonce is required" },
        { status: 400, headers: { "dpop-nonce": wanted } },
      );
    }
    return Response.json({ access_token: "at", token_type: dpop ? "DPoP" : "Bearer" });
  };
  const tokenEndpoint = `${origin}/token`;
  return { seen, fetchImpl, tokenEndpoint };
}

const form = () => new URLSearchParams({ grant_type: "refresh_token", refresh_token: "rt" });

describe("withDpopAtTokenEndpoint", () => {
  it("signs the token request, and retries once with the nonce the IdP asks for", async () => {
    const idp = fakeIdp("https://id-a.example", ["n-1"]);
    const send = withDpopAtTokenEndpoint(
      idp.fetchImpl,
      async () => idp.tokenEndpoint,
      async () => key,
    );
    const response = await send(idp.tokenEndpoint, { method: "POST", body: form() });
    expect(await response.json()).toMatchObject({ token_type: "DPoP" });
    expect(idp.seen).toHaveLength(2);
    const [first, second] = idp.seen.map((seen) => decodeJwt(seen.dpop ?? ""));
    expect(first).toMatchObject({ htm: "POST", htu: idp.tokenEndpoint });
    expect(first?.nonce).toBeUndefined();
    expect(second).toMatchObject({ htm: "POST", htu: idp.tokenEndpoint, nonce: "n-1" });
    expect(second?.jti).not.toBe(first?.jti);
    expect(idp.seen[1]?.body).toBe(idp.seen[0]?.body);
    expect(decodeProtectedHeader(idp.seen[0]?.dpop ?? "")).toMatchObject({ typ: "dpop+jwt", alg: "ES256" });

    // The nonce is remembered for this origin: the next request needs no second round trip.
    await send(idp.tokenEndpoint, { method: "POST", body: form() });
    expect(idp.seen).toHaveLength(3);
    expect(decodeJwt(idp.seen[2]?.dpop ?? "").nonce).toBe("n-1");
  });

  it("does not loop when the new nonce does not help", async () => {
    const idp = fakeIdp("https://id-b.example", ["n-1"]);
    const stubborn = async (input: string | URL | Request, init?: RequestInit) => {
      await idp.fetchImpl(input, init);
      return Response.json(
        { error: "use_dpop_nonce" },
        { status: 400, headers: { "dpop-nonce": `n-${idp.seen.length}` } },
      );
    };
    const send = withDpopAtTokenEndpoint(
      stubborn,
      async () => idp.tokenEndpoint,
      async () => key,
    );
    const response = await send(idp.tokenEndpoint, { method: "POST", body: form() });
    expect(response.status).toBe(400);
    expect(idp.seen).toHaveLength(2);
  });

  it("leaves other requests, and every request without a key, untouched (Bearer fallback)", async () => {
    const idp = fakeIdp("https://id-c.example", []);
    const signed = withDpopAtTokenEndpoint(
      idp.fetchImpl,
      async () => idp.tokenEndpoint,
      async () => key,
    );
    await signed("https://id-c.example/.well-known/openid-configuration");
    await signed("https://id-c.example/token/revocation", { method: "POST", body: form() });
    const unsigned = withDpopAtTokenEndpoint(
      idp.fetchImpl,
      async () => idp.tokenEndpoint,
      async () => undefined,
    );
    const response = await unsigned(idp.tokenEndpoint, { method: "POST", body: form() });
    expect(await response.json()).toMatchObject({ token_type: "Bearer" });
    expect(idp.seen.map((seen) => seen.dpop)).toEqual([null, null, null]);
  });
});
