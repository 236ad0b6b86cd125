import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getJson } from "./keep-alive";

let connections = 0;
const server = createServer((req, res) => {
  if (req.url === "/text") return void res.writeHead(200, { "content-type": "text/plain" }).end("not json");
  res.writeHead(req.headers.authorization === "Bearer t" ? 200 : 401, { "content-type": "application/json" });
  res.end(JSON.stringify({ path: req.url }));
}).on("connection", () => (connections += 1));
let origin = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("getJson", () => {
  it("answers status and parsed body, and reuses one connection for calls in a row", async () => {
    connections = 0;
    for (let i = 0; i < 5; i++) {
      expect(await getJson(`${origin}/api/me`, { authorization: "Bearer t" })).toMatchObject({
        status: 200,
        body: { path: "/api/me" },
        headers: { "content-type": expect.stringContaining("json") },
      });
    }
    expect(await getJson(`${origin}/api/me`, {})).toMatchObject({ status: 401 });
    expect(connections).toBe(1);
  });

  it("answers a body that is not JSON as null", async () => {
    expect(await getJson(`${origin}/text`, {})).toMatchObject({ status: 200, body: null });
  });
});
