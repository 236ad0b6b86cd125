/**
 * The scale-out stack the specs start for themselves: the database set up once, one local IdP,
 * and app instances that share every setting but their port (and INSTANCE_ID), as
 * `npm run start:idp` and `npm run start:app -- --port N` run them (README, "Scale out").
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, type Page } from "@playwright/test";
import { IdpLoginPage } from "../pages/idp-login";
import type { DemoUser } from "../settings";
import { startServer, type SpecServer } from "./servers";

export interface Instance {
  /** Its server name, also its log file: e2e/.output/<name>.log. */
  name: string;
  /** INSTANCE_ID, the x-claimtrip-instance header. */
  id: string;
  /** Where the instance itself listens, e.g. http://localhost:5600. */
  url: string;
}

/**
 * Runs `npm run setup` once with `env`, then the IdP (`idpName`, ready when its discovery answers)
 * and every instance; returns them in start order for the caller to stop.
 */
export async function startScaleOut(
  env: Record<string, string>,
  idp: { name: string; url: string },
  instances: Instance[],
): Promise<SpecServer[]> {
  const node = ["node", "--experimental-strip-types"];
  await promisify(execFile)(node[0]!, [...node.slice(1), "scripts/setup.ts"], { env: { ...process.env, ...env } });
  const servers: SpecServer[] = [];
  try {
    servers.push(
      await startServer(
        idp.name,
        [...node, "scripts/run.ts", "start", "idp"],
        env,
        `${idp.url}/.well-known/openid-configuration`,
      ),
    );
    for (const instance of instances) {
      const port = new URL(instance.url).port;
      servers.push(
        await startServer(
          instance.name,
          [...node, "scripts/run.ts", "start", "app", "--port", port],
          { ...env, INSTANCE_ID: instance.id },
          `${instance.url}/api/health`,
        ),
      );
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return servers;
}

/** Signs `user` in from the landing page at `origin` through the IdP at `idp`; ends on the dashboard. */
export async function signInAt(page: Page, origin: string, idp: string, user: DemoUser): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await new IdpLoginPage(page, idp).signIn(user);
  await expect(page).toHaveURL(`${origin}/dashboard`);
  await expect(page.getByTestId("signed-in-as")).toHaveText(user.shownAs);
}

/** The user signs out at the IdP's end-session page in another tab; returns when they clicked (ms). */
export async function signOutAtIdp(page: Page, idp: string): Promise<number> {
  const idpTab = await page.context().newPage();
  await idpTab.goto(`${idp}/session/end`);
  const clicked = Date.now();
  await idpTab.getByRole("button", { name: "Sign out" }).click();
  // The IdP answers its own request whether or not the app heard it.
  await expect(idpTab).toHaveURL(new RegExp(`^${idp}/session/end/success`));
  await idpTab.close();
  return clicked;
}
