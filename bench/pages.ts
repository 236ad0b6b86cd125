/**
 * What a signed-in page costs next to the public one and to the bare API, under the same load
 * in one run: `/dashboard` (session lookup, token read, API call over loopback, render), `/`
 * (public, but still looks the session up), `/api/me` with a valid access token, DPoP-bound
 * (the app's own, with a fresh proof per request, signed before the load starts) and Bearer
 * (one the CLI client got without a proof), and `/api/me` without one (the 401 path). Load from autocannon in this process, on localhost only. With a
 * baseline checkout (BENCH_BASELINE), each route is loaded on both in alternating slices.
 *
 *   npm run bench -- pages
 */
import { join } from "node:path";
import autocannon from "autocannon";
import { CLI_CLIENT_ID } from "../idp/clients.ts";
import { authorize, type TestIdp } from "../idp/testing/harness.ts";
import { createProof, importDpopKey } from "../lib/dpop/proof";
import { readEnvFile } from "../lib/shared/settings.ts";
import { createPrismaClient } from "../prisma/client.ts";
import { DEMO_USER, launchChromium, signInCookies } from "./sign-in";
import { processTreeOf, readProcesses, TICKS_PER_SECOND } from "./support/proc";
import { isMain, printTable, round, writeResult } from "./support/report";
import { startStack, targets, type Stack, type Target } from "./support/stack";

interface Route {
  name: string;
  path: string;
  headers: Record<string, string>;
  /**
   * A header whose value is new on every request (a DPoP proof is accepted once), made before
   * each load starts (a proof is fresh for a minute): `perSecond` values per second of load.
   */
  fresh?: { header: string; make: () => Promise<string>; perSecond: number };
}

/** A Bearer token for the API, as the public CLI client gets one without a DPoP proof. */
async function bearerToken(target: Target): Promise<string> {
  const idp = { issuer: target.idpUrl, settings: { APP_URL: target.appUrl } } as TestIdp;
  const redirectUri = "http://127.0.0.1:53124/callback";
  const params = { audience: `${target.appUrl}/api` };
  const result = await authorize(idp, { clientId: CLI_CLIENT_ID, redirectUri, params, ...DEMO_USER });
  const response = await fetch(`${target.idpUrl}/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: CLI_CLIENT_ID,
      code: result.callback.searchParams.get("code") ?? "",
      redirect_uri: redirectUri,
      code_verifier: result.verifier,
    }),
  });
  const body = (await response.json()) as { access_token?: string; token_type?: string };
  if (!body.access_token || body.token_type !== "Bearer")
    throw new Error(`no Bearer token for the CLI client: ${response.status}`);
  return body.access_token;
}

/** The access token the app holds for alice, read where the app keeps it (the bench's database). */
async function storedAccessToken(target: Target): Promise<string> {
  const db = createPrismaClient(`file:${target.dbFile}`, { logErrors: false });
  try {
    const tokens = await db.sessionTokens.findFirst({
      where: { session: { user: { email: "alice@example.com" } } },
      orderBy: { createdAt: "desc" },
    });
    if (!tokens?.accessToken) throw new Error("no stored access token for alice: did the sign-in work?");
    return tokens.accessToken;
  } finally {
    await db.$disconnect();
  }
}

/** CPU time (ms) the processes of a stack have used so far: `npm start` and everything under it. */
function stackCpuMs(stack: Stack): number {
  const ticks = processTreeOf(readProcesses(), stack.child.pid ?? -1).reduce((sum, proc) => sum + proc.ticks, 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** One slice of load, and the CPU the stack's processes spent per answer meanwhile. */
async function load(
  stack: Stack,
  route: Route,
  seconds: number,
  connections: number,
): Promise<{ result: autocannon.Result; cpuMsPerRequest: number }> {
  const { fresh } = route;
  const values: string[] = [];
  for (let i = 0; fresh && i < fresh.perSecond * seconds; i++) values.push(await fresh.make());
  const cpuBefore = stackCpuMs(stack);
  const result = await autocannon({
    url: `${stack.target.appUrl}${route.path}`,
    headers: route.headers,
    ...(fresh
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({
                ...request,
                headers: { ...route.headers, [fresh.header]: values.pop() ?? "" },
              }),
            },
          ],
        }
      : {}),
    connections,
    duration: seconds,
    timeout: 10,
  });
  return { result, cpuMsPerRequest: (stackCpuMs(stack) - cpuBefore) / Math.max(1, result.requests.total) };
}

async function routes(target: Target): Promise<Route[]> {
  const browser = await launchChromium();
  let cookie: string;
  try {
    cookie = await signInCookies(browser, target);
  } finally {
    await browser.close();
  }
  const token = await storedAccessToken(target);
  const keyJson = readEnvFile(join(target.root, ".env.local")).AUTH_DPOP_PRIVATE_KEY;
  if (!keyJson) throw new Error(`no AUTH_DPOP_PRIVATE_KEY in ${target.root}/.env.local: run npm run setup there`);
  const key = await importDpopKey(keyJson);
  const htu = `${target.appUrl}/api/me`;
  const proof = () => createProof(key, { htm: "GET", htu, accessToken: token });
  return [
    { name: "/dashboard (signed in)", path: "/dashboard", headers: { cookie } },
    { name: "/ (public page)", path: "/", headers: {} },
    {
      name: "/api/me (Bearer token)",
      path: "/api/me",
      headers: { authorization: `Bearer ${await bearerToken(target)}` },
    },
    {
      name: "/api/me (DPoP token + proof)",
      path: "/api/me",
      headers: { authorization: `DPoP ${token}` },
      // More than the API serves per second on a laptop; one left over per request is harmless.
      fresh: { header: "dpop", make: proof, perSecond: 5_000 },
    },
    { name: "/api/me (no token, 401)", path: "/api/me", headers: {} },
  ];
}

/**
 * Each route gets `seconds` of load on each checkout, cut into `slices` alternating slices (A B,
 * B A, ...), so a burst of load from elsewhere on the machine lands on both alike. Per route:
 * req/s is the mean over the slices, p50 and p99 the medians of the slices' percentiles.
 */
export async function benchPages(stacks: Stack[], seconds = 12, connections = 8, slices = 4) {
  const perTarget = [];
  for (const stack of stacks) perTarget.push({ stack, target: stack.target, routes: await routes(stack.target) });
  for (const { stack, routes: list } of perTarget) for (const route of list) await load(stack, route, 2, connections); // warm up
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
  const rows: {
    checkout: string;
    route: string;
    req_per_s: number;
    p50_ms: number;
    p99_ms: number;
    cpu_ms_per_req: number;
    non_2xx: number;
    errors: number;
  }[] = [];
  for (let i = 0; i < (perTarget[0]?.routes.length ?? 0); i++) {
    // routes() builds the same list for every checkout.
    const pairs = perTarget.map(({ stack, target, routes: list }) => ({ stack, target, route: list[i]! }));
    const results = new Map<string, Awaited<ReturnType<typeof load>>[]>(
      perTarget.map(({ target }) => [target.label, []]),
    );
    for (let slice = 0; slice < slices; slice++) {
      for (const { stack, target, route } of slice % 2 ? [...pairs].reverse() : pairs) {
        results
          .get(target.label)!
          .push(await load(stack, route, Math.max(1, Math.round(seconds / slices)), connections));
      }
    }
    for (const { target, route } of pairs) {
      const slicesRun = results.get(target.label)!;
      const runs = slicesRun.map((r) => r.result);
      rows.push({
        checkout: target.label,
        route: route.name,
        req_per_s: round(runs.reduce((sum, r) => sum + r.requests.average, 0) / runs.length, 0),
        p50_ms: median(runs.map((r) => r.latency.p50)),
        p99_ms: median(runs.map((r) => r.latency.p99)),
        cpu_ms_per_req: round(median(slicesRun.map((r) => r.cpuMsPerRequest)), 2),
        non_2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
        errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
      });
    }
  }
  rows.sort((a, b) => b.checkout.localeCompare(a.checkout));
  printTable(
    `same load on every route: ${connections} connections, ${seconds} s each in ${slices} alternating slices (cpu_ms_per_req: CPU the stack's processes spent per answer, median of the slices)`,
    rows,
  );
  const ratios: Record<string, number> = {};
  const cpuRatios: Record<string, number> = {};
  for (const { target } of stacks) {
    const row = (name: string) => rows.find((r) => r.checkout === target.label && r.route.startsWith(name))!;
    ratios[target.label] = round(row("/dashboard").p50_ms / row("/ ").p50_ms, 2);
    cpuRatios[target.label] = round(row("/dashboard").cpu_ms_per_req / row("/ ").cpu_ms_per_req, 2);
    // With every connection busy, each answer waits for the others' work: the p50s compare as the
    // CPU per answer does. The DPoP row is what the API call costs the server side of it.
    console.log(
      `${target.label}: /dashboard p50 is ${ratios[target.label]}x the public page's; its CPU per answer ${cpuRatios[target.label]}x (${row("/dashboard").cpu_ms_per_req} vs ${row("/ ").cpu_ms_per_req} ms, of which the API's side of the call about ${row("/api/me (DPoP").cpu_ms_per_req} ms)`,
    );
  }
  return { seconds, connections, slices, rows, dashboardVsPublicP50: ratios, dashboardVsPublicCpu: cpuRatios };
}

if (isMain(import.meta.url)) {
  const stacks: Stack[] = [];
  try {
    for (const target of targets()) stacks.push(await startStack(target));
    writeResult("pages", await benchPages(stacks));
  } finally {
    for (const stack of stacks) await stack.stop();
  }
}
