/**
 * How fast the API's token check is, and what it costs in memory: verifies valid RS256 and
 * ES256 access tokens (the JWKS cached after the first call) and refuses forged ones, then
 * prints throughput, latency percentiles and memory. Numbers, not assertions.
 *
 *   npm run bench -- [iterations]     (default 20000)
 */
import { performance } from "node:perf_hooks";
import { createAccessTokenVerifier } from "../lib/resource-server/verify";
import { startFakeOp } from "../test/fake-op";
import { AUDIENCE, createTestKey, mintAccessToken } from "../test/tokens";

const iterations = Number(process.argv[2] ?? 20_000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(name: string, run: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) await run(); // warm up: JIT, JWKS cache, key import
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(24)} ${String(Math.round((iterations / total) * 1000)).padStart(7)} ops/s   ` +
      `p50 ${percentile(times, 50).toFixed(3)} ms   p99 ${percentile(times, 99).toFixed(3)} ms`,
  );
}

const rsa = await createTestKey("RS256");
const ec = await createTestKey("ES256");
const issuer = await startFakeOp({ keys: [rsa, ec] });
const verifier = createAccessTokenVerifier({ issuer: issuer.issuer, audience: AUDIENCE });
const rsToken = await mintAccessToken(rsa, { issuer: issuer.issuer, claims: { "https://claimtrip.example/roles": ["admin"] } });
const esToken = await mintAccessToken(ec, { issuer: issuer.issuer });
const [header, payload] = rsToken.split(".");
const forged = `${header}.${payload}.${"A".repeat(342)}`;

console.log(`verifying ${iterations} tokens per case (node ${process.version})`);
await measure("valid RS256", () => verifier.verify(rsToken));
await measure("valid ES256", () => verifier.verify(esToken));
await measure("forged RS256 (refused)", () => verifier.verify(forged).catch(() => undefined));
const memory = process.memoryUsage();
console.log(
  `memory: rss ${(memory.rss / 2 ** 20).toFixed(1)} MiB, heap used ${(memory.heapUsed / 2 ** 20).toFixed(1)} MiB`,
);
console.log(`JWKS fetches during the run: ${issuer.count("/jwks")}`);
await issuer.close();
