/**
 * A GET to the app's API with a DPoP-bound access token: `Authorization: DPoP <token>` and a
 * fresh proof (`htm`, `htu`, `iat`, `jti`, `ath`) per request, sent once more if the API asks
 * for a nonce (RFC 9449 §9).
 */
import "server-only";
import { getJson, type JsonResponse } from "../http/keep-alive";
import { appDpopKey } from "./key";
import { sendWithProof, type Answer } from "./requests";

function jsonAnswer(response: JsonResponse): Answer {
  const header = (name: string) => {
    const value = response.headers[name];
    return (Array.isArray(value) ? value[0] : value) ?? null;
  };
  const { body } = response;
  const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
  return { status: response.status, header, oauthError: async () => (typeof error === "string" ? error : undefined) };
}

export async function getJsonWithDpop(
  url: string,
  token: string,
  headers: Record<string, string>,
): Promise<JsonResponse> {
  const authorization = `DPoP ${token}`;
  const key = await appDpopKey();
  // A bound token without the key (AUTH_DPOP_PRIVATE_KEY removed): the API will refuse it, and say why.
  if (!key) return getJson(url, { ...headers, authorization });
  return sendWithProof(
    key,
    { htm: "GET", htu: url, accessToken: token },
    (proof) => getJson(url, { ...headers, authorization, dpop: proof }),
    jsonAnswer,
  );
}
