/**
 * npm run doctor [-- --token]
 *
 * Checks the settings (the environment over .env.local) against the live issuer and prints one
 * line per check; exits 1 when any check fails. With --token it also checks an access token read
 * from standard input (so it stays out of shell history and the process list), for example:
 *
 *   pbpaste | npm run doctor -- --token
 */
import { formatReport, readSettings, runDoctor } from "./index.ts";

const USAGE = "usage: npm run doctor [-- --token]   (--token reads an access token from standard input)";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Paste the access token, then Enter and Ctrl-D:\n");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg !== "--token")) {
    console.error(args.includes("--help") || args.includes("-h") ? USAGE : `unknown argument; ${USAGE}`);
    return 2;
  }
  const token = args.includes("--token") ? await readStdin() : undefined;
  if (token === "") {
    console.error("--token: standard input was empty");
    return 2;
  }
  const result = await runDoctor({ source: readSettings(), token });
  console.log(formatReport(result));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`doctor: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
