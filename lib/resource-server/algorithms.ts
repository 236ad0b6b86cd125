/**
 * Signature algorithms a verifier may be configured to accept: asymmetric only, so a token can
 * never be "signed" with a secret the API also knows (or with the API's public key as an HMAC
 * key). Its own module, free of imports, so that a settings schema can list the same values
 * without loading the verifier.
 */
export const ASYMMETRIC_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
] as const;

export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** How an API treats DPoP (RFC 9449): `required` refuses plain bearer tokens; `off` accepts bearer tokens only. */
export const DPOP_MODES = ["required", "allowed", "off"] as const;

export type DpopMode = (typeof DPOP_MODES)[number];
