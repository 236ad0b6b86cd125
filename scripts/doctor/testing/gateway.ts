/**
 * Test support: a real HTTP gateway in front of the test IdP, whose address is the issuer, so a
 * test can break the path to the IdP the way networks do (a JWKS that does not answer, a Date
 * header from a clock that is off) while the IdP itself stays the real one.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Gateway {
  url: string;
  /** Where requests go; set once the IdP listens. */
  target: string;
  /** Paths whose connections are cut instead of forwarded. */
  cut: Set<string>;
  /** Seconds added to the Date header of every answer. */
  clockOffsetSeconds: number;
  close(): Promise<void>;
}

export async function startGateway(): Promise<Gateway> {
  let server: Server;
  const gateway: Gateway = {
    url: "",
    target: "",
    cut: new Set(),
    clockOffsetSeconds: 0,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", gateway.url).pathname;
    if (gateway.cut.has(path)) {
      req.socket.destroy();
      return;
    }
    const upstream = request(
      new URL(req.url ?? "/", gateway.target),
      { method: req.method, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        if (gateway.clockOffsetSeconds)
          headers.date = new Date(Date.now() + gateway.clockOffsetSeconds * 1000).toUTCString();
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return gateway;
}
