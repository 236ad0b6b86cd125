/**
 * nginx for the scale-out spec: deploy/nginx/nginx.conf as shipped, with the spec's ports in
 * place of the example ones, run unprivileged as a child process (no daemon) with its pid file,
 * temporary files and configuration in a folder of its own; its log in e2e/.output.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../settings";
import { startServer, type SpecServer } from "./servers";

const SHIPPED = join(REPO_ROOT, "deploy/nginx");

/** The nginx program: NGINX_BIN, else nginx on PATH, else Debian's /usr/sbin/nginx; undefined without one. */
export function findNginx(): string | undefined {
  const candidates = [process.env.NGINX_BIN, "nginx", "/usr/sbin/nginx"].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ["-v"], { stdio: "ignore" });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** deploy/nginx/nginx.conf with the spec's ports; throws if the shipped file no longer has the example ones. */
export function nginxConfig(listen: number, upstreams: [number, number]): string {
  let text = readFileSync(join(SHIPPED, "nginx.conf"), "utf8");
  for (const [from, to] of [
    ["listen 127.0.0.1:8080;", `listen 127.0.0.1:${listen};`],
    ["server 127.0.0.1:3001;", `server 127.0.0.1:${upstreams[0]};`],
    ["server 127.0.0.1:3002;", `server 127.0.0.1:${upstreams[1]};`],
  ] as const) {
    if (text.split(from).length !== 2) throw new Error(`deploy/nginx/nginx.conf no longer has exactly one "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

/** Starts nginx in front of the two instances; ready once `${publicUrl}/api/health` answers through it. */
export async function startNginx(
  nginx: string,
  publicUrl: string,
  upstreams: [number, number],
  name = "scale-out-nginx",
): Promise<SpecServer> {
  const prefix = mkdtempSync(join(tmpdir(), "claimtrip-nginx-"));
  const conf = join(prefix, "nginx.conf");
  writeFileSync(conf, nginxConfig(Number(new URL(publicUrl).port), upstreams));
  copyFileSync(join(SHIPPED, "proxy-params.conf"), join(prefix, "proxy-params.conf"));
  const server = await startServer(
    name,
    [nginx, "-p", prefix, "-e", "stderr", "-c", conf, "-g", "daemon off;"],
    {},
    `${publicUrl}/api/health`,
  ).catch((error: unknown) => {
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  });
  return {
    name,
    async stop() {
      await server.stop();
      if (existsSync(prefix)) rmSync(prefix, { recursive: true, force: true });
    },
  };
}
