/**
 * Password hashing with scrypt (node:crypto), stored in the self-describing PHC string form
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` so the cost can be raised later without breaking
 * stored hashes: verification reads the parameters from the string itself.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** Cost parameters for new hashes (OWASP's scrypt minimum is N=2^17 with r=8; 2^15 keeps login fast on a laptop). */
export interface ScryptCost {
  /** log2 of N, the CPU/memory cost. Default: 15 */
  ln: number;
  /** Block size. Default: 8 */
  r: number;
  /** Parallelism. Default: 1 */
  p: number;
}

const DEFAULT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (buf: Buffer) => buf.toString("base64").replace(/=+$/, "");

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost, KEY_LENGTH);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Checks a password against a stored hash in constant time. A malformed hash, or one whose
 * parameters are out of the range this module writes, never verifies.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match;
  const cost = { ln: Number(ln), r: Number(r), p: Number(p) };
  // Bounds keep a tampered row from turning a login into a memory-exhaustion request.
  if (cost.ln < 10 || cost.ln > 20 || cost.r < 1 || cost.r > 16 || cost.p < 1 || cost.p > 4) return false;
  const expected = Buffer.from(hash ?? "", "base64");
  if (expected.length < 16) return false;
  const actual = await derive(password, Buffer.from(salt ?? "", "base64"), cost, expected.length);
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, made once per process. Comparing against it when an email is
 * unknown costs the same time as a real check, so response timing does not reveal whether
 * the account exists.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
}
