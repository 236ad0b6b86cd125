// @ts-check
// Plain JavaScript, type-checked through JSDoc: `next start` loads a next.config.ts through SWC's
// native binding, which then stays in next-server's memory (about 26 MiB RSS here,
// docs/benchmarks.md "Memory"), only to strip the types of this one file.

/** @type {import("next").NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  // Native and Node-only database drivers are loaded by Node, not bundled.
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "pg",
    "@prisma/adapter-pg",
    "pino",
    "pino-pretty",
  ],
  // Security headers (CSP with a per-request nonce, HSTS, nosniff, Referrer-Policy, framing,
  // Permissions-Policy) are all set in proxy.ts from lib/http/security-headers.ts: the nonce
  // and HSTS depend on the request and on APP_URL at run time, which headers() here cannot see.
};

export default nextConfig;
