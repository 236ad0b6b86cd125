/**
 * The unit tests that `npm run test:mutation` (stryker.config.mjs) runs against each mutant: only
 * the tests of the mutated files, and none that starts the real IdP or a database, so that a run
 * stays cheap (the broad suites, attacks.test.ts, fuzz.test.ts and the route tests, run in
 * `npm run test:unit`). The list replaces the base config's `include` (mergeConfig would add to it).
 */
import { defineConfig } from "vitest/config";

import base from "./vitest.config.ts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "lib/resource-server/{verify,bearer,claims,errors}*.test.ts",
      "lib/resource-server/dpop*.test.ts",
      "lib/backchannel/logout*.test.ts",
      "lib/auth/return-path*.test.ts",
      "lib/admin/change.unit.test.ts",
      "lib/http/same-origin*.test.ts",
    ],
  },
});
