/**
 * The bearer parser's checks one at a time, at their boundaries: both anchors of the scheme and
 * token68 patterns (a prefix and a suffix each), the length limit at exactly the maximum, the
 * errors' class, reason and description, and the body scan across chunks. bearer.test.ts covers the
 * grammar; `npm run test:mutation` found what it left open.
 */
import { describe, expect, it } from "vitest";

import {
  assertNoTokenInBody,
  extractBearerToken,
  extractBearerTokenFromNode,
  parseAuthorizationHeader,
  parseCredentials,
} from "./bearer";
import { BearerError, InvalidRequestError, InvalidTokenError, NoCredentialsError } from "./errors";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
const API = "http://localhost:3000/api/me";
const FORM = "application/x-www-form-urlencoded";

function refusal(run: () => unknown): BearerError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BearerError);
    return error as BearerError;
  }
  return expect.unreachable("the credential was accepted");
}

/** [class, reason, description] of the refusal, for one comparison. */
const refused = (run: () => unknown) => {
  const error = refusal(run);
  return [error.constructor.name, error.reason, error.description];
};

const MISSING = ["NoCredentialsError", "missing", "An access token is required"];
const MALFORMED = ["InvalidRequestError", "malformed_header", "The Authorization header is malformed"];
const SCHEME = ["NoCredentialsError", "unsupported_scheme", "Use the Bearer authentication scheme"];
const TOO_LARGE = ["InvalidRequestError", "header_too_large", "The Authorization header is too large"];
const MULTIPLE = ["InvalidRequestError", "multiple_credentials", "The Authorization header is malformed"];

describe("parseAuthorizationHeader, check by check", () => {
  it("calls no header, or a blank one, a missing token (401)", () => {
    for (const value of [null, undefined, "", " ", "\t "]) {
      expect(
        refused(() => parseAuthorizationHeader(value)),
        JSON.stringify(value),
      ).toEqual(MISSING);
    }
  });

  it("anchors the scheme at the start: a prefix makes it another scheme (401), not a malformed Bearer (400)", () => {
    for (const value of [`XBearer ${TOKEN}`, ` Bearer ${TOKEN}`, `Basic Bearer ${TOKEN}`, `-Bearer ${TOKEN}`]) {
      expect(
        refused(() => parseAuthorizationHeader(value)),
        value,
      ).toEqual(SCHEME);
    }
  });

  it("takes the scheme as a whole word: any scheme character after it makes another scheme", () => {
    for (const next of "!#$%&'*+.^_`|~09AZaz-") {
      const value = `Bearer${next} ${TOKEN}`;
      expect(
        refused(() => parseAuthorizationHeader(value)),
        value,
      ).toEqual(SCHEME);
    }
  });

  it("accepts the scheme in any case, followed by exactly one space", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(parseAuthorizationHeader(`${scheme} ${TOKEN}`)).toBe(TOKEN);
    }
    for (const value of ["Bearer", `Bearer\t${TOKEN}`, `Bearer  ${TOKEN}`, `Bearer:${TOKEN}`]) {
      expect(
        refused(() => parseAuthorizationHeader(value)),
        JSON.stringify(value),
      ).toEqual(MALFORMED);
    }
  });

  it("anchors token68 at both ends: a prefix or a suffix outside the grammar is malformed", () => {
    for (const token of [` ${TOKEN}`, `"${TOKEN}`, `${TOKEN} x`, `${TOKEN}"`, `${TOKEN}=x`, `=${TOKEN}`, "=="]) {
      expect(
        refused(() => parseAuthorizationHeader(`Bearer ${token}`)),
        token,
      ).toEqual(MALFORMED);
    }
    for (const token of ["a", "A-._~+/9", "abc=", "abc==", "-"]) {
      expect(parseAuthorizationHeader(`Bearer ${token}`), token).toBe(token);
    }
  });

  it("accepts a header of exactly maxHeaderLength characters, and refuses one more", () => {
    const value = `Bearer ${TOKEN}`;
    expect(parseAuthorizationHeader(value, { maxHeaderLength: value.length })).toBe(TOKEN);
    expect(refused(() => parseAuthorizationHeader(value, { maxHeaderLength: value.length - 1 }))).toEqual(TOO_LARGE);
  });

  it("accepts 8192 characters by default, and refuses 8193", () => {
    const fits = `Bearer ${"a".repeat(8192 - 7)}`;
    expect(fits).toHaveLength(8192);
    expect(parseAuthorizationHeader(fits)).toBe(fits.slice(7));
    expect(refused(() => parseAuthorizationHeader(`${fits}a`))).toEqual(TOO_LARGE);
  });

  it("refuses a comma anywhere: two credentials", () => {
    for (const value of [`Bearer ${TOKEN}, Bearer ${TOKEN}`, `Bearer ${TOKEN},`, `Basic x, Bearer ${TOKEN}`]) {
      expect(
        refused(() => parseAuthorizationHeader(value)),
        value,
      ).toEqual(MULTIPLE);
    }
  });
});

describe("extractBearerToken and extractBearerTokenFromNode", () => {
  it("hand their options to the header parser", () => {
    const value = `Bearer ${TOKEN}`;
    const options = { maxHeaderLength: value.length - 1 };
    const request = new Request(API, { headers: { authorization: value } });
    expect(refused(() => extractBearerToken(request, options))).toEqual(TOO_LARGE);
    const node = { headersDistinct: { authorization: [value] }, url: "/api/me" };
    expect(refused(() => extractBearerTokenFromNode(node, options))).toEqual(TOO_LARGE);
  });

  it("reads a node request without a URL, and calls no header a missing token", () => {
    expect(extractBearerTokenFromNode({ headersDistinct: { authorization: [`Bearer ${TOKEN}`] } })).toBe(TOKEN);
    expect(refused(() => extractBearerTokenFromNode({ headersDistinct: {} }))).toEqual(MISSING);
    expect(refused(() => extractBearerTokenFromNode({ headersDistinct: { authorization: [] } }))).toEqual(MISSING);
  });

  it("refuses two headers in a node request (400), whatever they hold", () => {
    const node = { headersDistinct: { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] } };
    expect(refused(() => extractBearerTokenFromNode(node))).toEqual(MULTIPLE);
  });

  it("refuses a token in the URL, and a URL that cannot be parsed, with their own reasons", () => {
    const inUrl = { headersDistinct: { authorization: [`Bearer ${TOKEN}`] }, url: `/api/me?access_token=${TOKEN}` };
    expect(refused(() => extractBearerTokenFromNode(inUrl))).toEqual([
      "InvalidRequestError",
      "token_in_url",
      "Send the access token in the Authorization header only",
    ]);
    const broken = { headersDistinct: { authorization: [`Bearer ${TOKEN}`] }, url: "http://[" };
    expect(refused(() => extractBearerTokenFromNode(broken))).toEqual([
      "InvalidRequestError",
      "malformed_url",
      "The request URL is malformed",
    ]);
    expect(extractBearerTokenFromNode({ ...inUrl, url: "/api/me?token=x&access_tokens=y" })).toBe(TOKEN);
  });
});

describe("assertNoTokenInBody, across chunks and limits", () => {
  const stream = (chunks: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
  const post = (body: BodyInit | null, type: string | null = FORM) =>
    new Request(API, {
      method: "POST",
      body,
      headers: type === null ? {} : { "content-type": type },
      duplex: "half",
    } as RequestInit);

  async function bodyRefusal(request: Request, options?: { maxBodyScanBytes?: number }) {
    const error = await assertNoTokenInBody(request, options).then(
      () => expect.unreachable("the body was let through"),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(InvalidRequestError);
    return [(error as BearerError).reason, (error as BearerError).description];
  }
  const TOKEN_IN_BODY = ["token_in_body", "Send the access token in the Authorization header only"];

  it("finds a token that arrives in the third chunk", async () => {
    const request = post(stream(["a=1&", "b=2&", `access_token=${TOKEN}`]));
    expect(await bodyRefusal(request)).toEqual(TOKEN_IN_BODY);
  });

  it("finds a token whose name is split across chunks", async () => {
    const request = post(stream(["a=1&acc", "ess_tok", `en=${TOKEN}`]));
    expect(await bodyRefusal(request)).toEqual(TOKEN_IN_BODY);
  });

  it("scans exactly maxBodyScanBytes, however the chunks fall", async () => {
    const body = `a=1&access_token=${TOKEN}`;
    const whole = body.indexOf("=", 4) + 1;
    expect(await bodyRefusal(post(body), { maxBodyScanBytes: whole })).toEqual(TOKEN_IN_BODY);
    await expect(assertNoTokenInBody(post(body), { maxBodyScanBytes: whole - 2 })).resolves.toBeUndefined();
    const chunks = ["a=1&", "access_", `token=${TOKEN}`];
    expect(await bodyRefusal(post(stream(chunks)), { maxBodyScanBytes: whole })).toEqual(TOKEN_IN_BODY);
    await expect(assertNoTokenInBody(post(stream(chunks)), { maxBodyScanBytes: whole - 2 })).resolves.toBeUndefined();
  });

  it("scans the first 64 KiB by default, and no further", async () => {
    const padding = `pad=${"p".repeat(65_536 - 4)}`;
    await expect(assertNoTokenInBody(post(`${padding}&access_token=x`))).resolves.toBeUndefined();
    const near = `pad=${"p".repeat(65_536 - 4 - 16)}`;
    expect(await bodyRefusal(post(`${near}&access_token=x`))).toEqual(TOKEN_IN_BODY);
  });

  it("scans form bodies whatever the case and parameters of their type", async () => {
    for (const type of [`${FORM}; charset=utf-8`, "Application/X-WWW-Form-Urlencoded", ` ${FORM} ;q=1`]) {
      expect(await bodyRefusal(post(`access_token=${TOKEN}`, type)), type).toEqual(TOKEN_IN_BODY);
    }
  });

  it("leaves other types, no type, no body and an already read body alone", async () => {
    for (const type of ["application/json", "text/plain", `${FORM}x`, `x${FORM}`, null]) {
      await expect(assertNoTokenInBody(post(`access_token=${TOKEN}`, type)), String(type)).resolves.toBeUndefined();
    }
    await expect(assertNoTokenInBody(post(null))).resolves.toBeUndefined();
    const read = post(`access_token=${TOKEN}`);
    await read.text();
    await expect(assertNoTokenInBody(read)).resolves.toBeUndefined();
  });

  it("leaves the body readable for the route", async () => {
    const request = post(stream(["a=1&", "b=2"]));
    await assertNoTokenInBody(request);
    expect(await request.text()).toBe("a=1&b=2");
  });
});

describe("the error classes", () => {
  it("are what RFC 6750 asks: 400 invalid_request and 401 invalid_token", () => {
    expect(refusal(() => parseAuthorizationHeader(null))).toBeInstanceOf(InvalidTokenError);
    expect(refusal(() => parseAuthorizationHeader(null))).toBeInstanceOf(NoCredentialsError);
    expect(refusal(() => parseAuthorizationHeader("Bearer a,b"))).not.toBeInstanceOf(NoCredentialsError);
    expect(refusal(() => parseAuthorizationHeader("Bearer a,b"))).toMatchObject({
      status: 400,
      code: "invalid_request",
    });
  });
});

describe("assertNoTokenInBody, once done", () => {
  it("stops its copy of the body, so that when the route stops its own the upload is cancelled", async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("a=1&".repeat(64)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(API, {
      method: "POST",
      body: endless,
      headers: { "content-type": FORM },
      duplex: "half",
    } as RequestInit);
    await assertNoTokenInBody(request, { maxBodyScanBytes: 1024 });
    expect(cancelled).toBe(false);
    await request.body!.cancel();
    expect(cancelled).toBe(true);
  });
});

describe("assertNoTokenInBody, reading no more than it scans", () => {
  it("stops reading once it holds maxBodyScanBytes, not one chunk later", async () => {
    let pulls = 0;
    const counted = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls += 1;
          controller.enqueue(new TextEncoder().encode("a=1&"));
        },
      },
      { highWaterMark: 0 },
    );
    const request = new Request(API, {
      method: "POST",
      body: counted,
      headers: { "content-type": FORM },
      duplex: "half",
    } as RequestInit);
    await assertNoTokenInBody(request, { maxBodyScanBytes: 8 });
    expect(pulls).toBe(3); // two chunks scanned, and the one the copy of the body (a tee) reads ahead
  });
});

describe("parseCredentials", () => {
  it("names every scheme it accepts when another one comes", () => {
    expect(refused(() => parseCredentials(`Basic ${TOKEN}`, ["Bearer", "DPoP"]))).toEqual([
      "NoCredentialsError",
      "unsupported_scheme",
      "Use the Bearer or DPoP authentication scheme",
    ]);
  });
});
