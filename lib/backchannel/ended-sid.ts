/**
 * The name of an IdP session (`sid`) a back-channel logout ended, as stored in EndedIdpSession:
 * the handler writes it, and a sign-in still completing in that IdP session reads it (the session
 * it created is dropped again).
 */
import "server-only";
import { createHash } from "node:crypto";
import { env } from "../env";

/** Fixed length, whatever the IdP sends; the issuer keeps two IdPs' `sid`s apart. */
export function endedSidKey(sid: string): string {
  return createHash("sha256").update(`${env.AUTH_ISSUER}\n${sid}`).digest("hex");
}
