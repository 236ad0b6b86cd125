import { describe, expect, it } from "vitest";
import { clientSecretBasic } from "./client-secret-basic";

const decoded = (header: string) => Buffer.from(header.replace(/^Basic /, ""), "base64").toString();

describe("clientSecretBasic", () => {
  it("form-urlencodes id and secret before joining them (RFC 6749 §2.3.1)", () => {
    expect(clientSecretBasic("claimtrip-web", "plain")).toBe(
      `Basic ${Buffer.from("claimtrip-web:plain").toString("base64")}`,
    );
    expect(decoded(clientSecretBasic("my client", "a:b%c d+e"))).toBe("my+client:a%3Ab%25c+d%2Be");
  });
});
