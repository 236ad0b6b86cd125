import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { closeGracefully, listen } from "./http-server.ts";

describe("listen", () => {
  it("says in one line that the port is taken, naming the program", async () => {
    const first = createServer();
    await listen(first, 0, "IdP");
    const { port } = first.address() as AddressInfo;
    try {
      await expect(listen(createServer(), port, "IdP")).rejects.toThrow(
        new RegExp(`^IdP could not listen: .*EADDRINUSE.* \\(port ${port} is taken; is another IdP running\\?\\)$`),
      );
    } finally {
      await closeGracefully(first);
    }
  });
});

describe("closeGracefully", () => {
  it("lets a request in flight finish within the grace period, then resolves", async () => {
    const server = createServer((_request, response) => setTimeout(() => response.end("done"), 100));
    await listen(server, 0, "app");
    const { port } = server.address() as AddressInfo;
    const body = new Promise<string>((resolve, reject) => {
      request({ port, agent: false }, (response) => {
        let text = "";
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve(text));
      })
        .on("error", reject)
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closeGracefully(server, 5_000);
    expect(await body).toBe("done");
  });

  it("cuts a request that outlasts the grace period", async () => {
    const server = createServer(() => {
      // never answers
    });
    await listen(server, 0, "app");
    const { port } = server.address() as AddressInfo;
    const outcome = new Promise<string>((resolve) => {
      request({ port, agent: false }, () => resolve("answered"))
        .on("error", () => resolve("cut"))
        .end();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closeGracefully(server, 50);
    expect(await outcome).toBe("cut");
  });
});
