/**
 * The `Authorization` header of a confidential client (client_secret_basic, RFC 6749 §2.3.1):
 * id and secret are form-urlencoded *before* they are joined and base64-encoded, so a secret with
 * `:`, `%` or spaces survives. Plain and dependency-free: the app's token calls, its Management API
 * client and `npm run doctor` all send it.
 */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}
