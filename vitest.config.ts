import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "server-only": fileURLToPath(new URL("./test/empty-module.ts", import.meta.url)),
      "@": fileURLToPath(new URL("./", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "prisma/generated/**", ".stryker-tmp/**"],
    // IdP integration tests run a real provider and database; give them room on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // next-auth imports `next/server` without an extension, which Next's bundler resolves and
    // Node's loader does not; let Vite resolve next-auth's imports so tests can load the routes.
    server: { deps: { inline: ["next-auth"] } },
  },
});
