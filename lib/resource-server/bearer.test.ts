import { describe, expect, it } from "vitest";

import {
  assertNoTokenInBody,
  extractBearerToken,
  extractBearerTokenFromNode,
  parseAuthorizationHeader,
} from "./bearer";
import { BearerError, InvalidRequestError, InvalidTokenError } from "./errors";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
const API = "http://localhost:3000/api/me";

function refusal(run: () => unknown): BearerError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BearerError);
    return error as BearerError;
  }
  return expect.unreachable("the credential was accepted");
}

const requestWith = (authorization?: string | string[], url = API) => {
  const headers = new Headers();
  for (const value of [authorization ?? []].flat()) headers.append("authorization", value);
  return new Request(url, { headers });
};

describe("parseAuthorizationHeader", () => {
  it.each([
    ["Bearer", TOKEN],
    ["bearer", TOKEN],
    ["BEARER", TOKEN],
    ["BeArEr", "abc-._~+/"],
    ["Bearer", "YWJj=="],
  ])("accepts %s with a token68", (scheme, token) => {
    expect(parseAuthorizationHeader(`${scheme} ${token}`)).toBe(token);
  });

  it.each([[null], [undefined], [""], ["   "]])("calls %j a missing token: 401 invalid_token", (value) => {
    const error = refusal(() => parseAuthorizationHeader(value));
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ status: 401, code: "invalid_token", reason: "missing" });
  });

  it.each([
    "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=",
    "Token abc",
    "JWT abc",
    "DPoP abc",
    "Bearerabc",
    "Bearer-x abc",
    "abc",
  ])("refuses another scheme %j: 401 invalid_token", (value) => {
    expect(refusal(() => parseAuthorizationHeader(value))).toMatchObject({
      status: 401,
      code: "invalid_token",
      reason: "unsupported_scheme",
    });
  });

  it.each([
    "Bearer",
    "Bearer  abc",
    "Bearer\tabc",
    "Bearer abc def",
    "Bearer abc ",
    "Bearer a=bc",
    "Bearer =abc",
    "Bearer abc;",
    "Bearer abc%20",
    "Bearer <script>",
    'Bearer "abc"',
    "Bearer ab\u00e7",
    "Bearer\u00a0abc",
  ])("refuses the malformed Bearer credential %j: 400 invalid_request", (value) => {
    const error = refusal(() => parseAuthorizationHeader(value));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request", reason: "malformed_header" });
  });

  it("refuses two credentials in one value", () => {
    expect(refusal(() => parseAuthorizationHeader(`Bearer ${TOKEN}, Bearer ${TOKEN}`))).toMatchObject({
      status: 400,
      reason: "multiple_credentials",
    });
  });

  it("refuses an oversized header before looking inside it", () => {
    const value = `Bearer ${"a".repeat(9000)}`;
    expect(refusal(() => parseAuthorizationHeader(value))).toMatchObject({ status: 400, reason: "header_too_large" });
    expect(parseAuthorizationHeader(value, { maxHeaderLength: 10_000 })).toHaveLength(9000);
  });
});

describe("extractBearerToken (Fetch Request)", () => {
  it("reads the Authorization header", () => {
    expect(extractBearerToken(requestWith(`Bearer ${TOKEN}`))).toBe(TOKEN);
    expect(extractBearerToken(requestWith(`Bearer ${TOKEN}`, `${API}?page=2`))).toBe(TOKEN);
  });

  it("refuses duplicate Authorization headers, even identical ones", () => {
    const request = requestWith([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(refusal(() => extractBearerToken(request))).toMatchObject({ status: 400, reason: "multiple_credentials" });
    const mixed = requestWith(["Basic YTpi", `Bearer ${TOKEN}`]);
    expect(refusal(() => extractBearerToken(mixed))).toMatchObject({ status: 400, reason: "multiple_credentials" });
  });

  it("refuses a token in the query string, alone or next to the header", () => {
    for (const request of [
      requestWith(undefined, `${API}?access_token=${TOKEN}`),
      requestWith(`Bearer ${TOKEN}`, `${API}?x=1&access_token=${TOKEN}`),
      requestWith(`Bearer ${TOKEN}`, `${API}?access_token`),
    ]) {
      expect(refusal(() => extractBearerToken(request))).toMatchObject({
        status: 400,
        code: "invalid_request",
        reason: "token_in_url",
      });
    }
  });

  it("calls a request without the header a missing token", () => {
    expect(refusal(() => extractBearerToken(requestWith()))).toMatchObject({ status: 401, reason: "missing" });
  });
});

describe("assertNoTokenInBody", () => {
  const form = (body: string, type = "application/x-www-form-urlencoded") =>
    new Request(API, { method: "POST", headers: { "content-type": type, authorization: `Bearer ${TOKEN}` }, body });

  it("refuses a form body carrying access_token", async () => {
    for (const request of [
      form(`access_token=${TOKEN}`),
      form(`a=1&access_token=${TOKEN}`),
      form(`access_token=${TOKEN}`, "Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
    ]) {
      await expect(assertNoTokenInBody(request)).rejects.toMatchObject({ status: 400, reason: "token_in_body" });
    }
  });

  it("lets other bodies through and leaves them readable", async () => {
    const request = form("name=alice&role=admin");
    await expect(assertNoTokenInBody(request)).resolves.toBeUndefined();
    expect(await request.text()).toBe("name=alice&role=admin");
    await expect(assertNoTokenInBody(form(`{"access_token":"x"}`, "application/json"))).resolves.toBeUndefined();
    await expect(assertNoTokenInBody(requestWith(`Bearer ${TOKEN}`))).resolves.toBeUndefined();
  });

  it("scans only the first maxBodyScanBytes", async () => {
    const late = form(`pad=${"x".repeat(100)}&access_token=${TOKEN}`);
    await expect(assertNoTokenInBody(late, { maxBodyScanBytes: 50 })).resolves.toBeUndefined();
    expect(await late.text()).toBe(`pad=${"x".repeat(100)}&access_token=${TOKEN}`);
    await expect(assertNoTokenInBody(form(`pad=${"x".repeat(100)}&access_token=${TOKEN}`))).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });
});

describe("extractBearerTokenFromNode (node:http)", () => {
  const nodeRequest = (values: string[] | undefined, url = "/api/me") => ({
    headersDistinct: { authorization: values },
    url,
  });

  it("reads a single header", () => {
    expect(extractBearerTokenFromNode(nodeRequest([`Bearer ${TOKEN}`]))).toBe(TOKEN);
  });

  it("refuses duplicates that req.headers would have hidden", () => {
    expect(refusal(() => extractBearerTokenFromNode(nodeRequest([`Bearer ${TOKEN}`, "Bearer other"])))).toMatchObject({
      status: 400,
      reason: "multiple_credentials",
    });
  });

  it("refuses a token in the query string and treats no header as missing", () => {
    expect(
      refusal(() => extractBearerTokenFromNode(nodeRequest([`Bearer ${TOKEN}`], `/api/me?access_token=${TOKEN}`))),
    ).toMatchObject({ status: 400, reason: "token_in_url" });
    expect(refusal(() => extractBearerTokenFromNode(nodeRequest(undefined)))).toMatchObject({
      status: 401,
      reason: "missing",
    });
  });
});
