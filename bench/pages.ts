/**
 * What a signed-in page costs next to the public one and to the bare API, under the same load
 * in one run: `/dashboard` (session lookup, token read, API call over loopback, render), `/`
 * (public, but still looks the session up), `/api/me` with a valid access token, and `/api/me`
 * without one (the 401 path). Load from autocannon in this process, on localhost only.
 *
 *   npm run bench -- pages [seconds per target] [connections]     (default 10 s, 8 connections)
 */
import autocannon from "autocannon";
import { createPrismaClient } from "../prisma/client.ts";
import { isMain, printTable, round, writeResult } from "./support/report";
import { launchChromium, signInCookies } from "./sign-in";
import { APP_URL, DB_FILE, startStack, type Stack } from "./support/stack";

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
}

/** The access token the app holds for alice, read where the app keeps it (the bench's database). */
async function storedAccessToken(): Promise<string> {
  const db = createPrismaClient(`file:${DB_FILE}`, { logErrors: false });
  try {
    const account = await db.account.findFirst({ where: { user: { email: "alice@example.com" } } });
    if (!account?.access_token) throw new Error("no stored access token for alice: did the sign-in work?");
    return account.access_token;
  } finally {
    await db.$disconnect();
  }
}

function load(target: Target, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({ url: `${APP_URL}${target.path}`, headers: target.headers, connections, duration: seconds, timeout: 10 });
}

export async function benchPages(seconds = 10, connections = 8) {
  const browser = await launchChromium();
  let cookie: string;
  try {
    cookie = await signInCookies(browser);
  } finally {
    await browser.close();
  }
  const token = await storedAccessToken();
  const targets: Target[] = [
    { name: "/dashboard (signed in)", path: "/dashboard", headers: { cookie } },
    { name: "/ (public page)", path: "/", headers: {} },
    { name: "/api/me (valid token)", path: "/api/me", headers: { authorization: `Bearer ${token}` } },
    { name: "/api/me (no token, 401)", path: "/api/me", headers: {} },
  ];
  for (const target of targets) await load(target, 2, connections); // warm up every route first
  const rows = [];
  for (const target of targets) {
    const result = await load(target, seconds, connections);
    rows.push({
      target: target.name,
      req_per_s: round(result.requests.average, 0),
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors + result.timeouts,
    });
  }
  const home = rows[1];
  const dashboard = rows[0];
  printTable(`same load for each target: ${connections} connections, ${seconds} s (${APP_URL})`, rows);
  const ratio = round(dashboard.p50_ms / home.p50_ms, 2);
  console.log(`/dashboard p50 is ${ratio}x the public page's`);
  return { seconds, connections, rows, dashboardVsPublicP50: ratio };
}

if (isMain(import.meta.url)) {
  const [seconds, connections] = process.argv.slice(2).map(Number);
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    writeResult("pages", await benchPages(seconds || undefined, connections || undefined));
  } finally {
    await stack?.stop();
  }
}
