import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { postgresSchemaFrom, postgresSchemaPath, sqliteSchemaPath } from "./db-schemas";

describe("the PostgreSQL schema", () => {
  it("is derived from prisma/schema.prisma (run `npm run db:schemas` after editing it)", () => {
    const derived = postgresSchemaFrom(readFileSync(sqliteSchemaPath, "utf8"));
    expect(readFileSync(postgresSchemaPath, "utf8")).toBe(derived);
  });

  it("differs only in provider and output folder", () => {
    const derived = postgresSchemaFrom(readFileSync(sqliteSchemaPath, "utf8"));
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).not.toContain('provider = "sqlite"');
  });
});
