/**
 * The IdP's login page, as a user sees it: inputs labelled `Email` and `Password` and a
 * `Sign in` button (docs/contract.md). The one page object of the suite.
 */
import { expect, type Locator, type Page, type Response } from "@playwright/test";
import { IDP_URL, type DemoUser } from "../settings";

export class IdpLoginPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly page: Page;
  /** The IdP's origin; the run's own IdP unless a spec starts another. */
  readonly idpUrl: string;

  constructor(page: Page, idpUrl: string = IDP_URL) {
    this.page = page;
    this.idpUrl = idpUrl;
    this.email = page.getByLabel("Email");
    this.password = page.getByLabel("Password");
    this.submit = page.getByRole("button", { name: "Sign in" });
    this.error = page.getByRole("alert");
  }

  /** Asserts that the browser is on the IdP's own origin, showing the login form. */
  async expectShown(): Promise<void> {
    await expect(this.page).toHaveURL(new RegExp(`^${this.idpUrl}/`));
    await expect(this.email).toBeVisible();
    await expect(this.password).toBeVisible();
    await expect(this.submit).toBeVisible();
  }

  /** Types the credentials and submits; returns the IdP's answer to the form post. */
  async submitCredentials(email: string, password: string): Promise<Response> {
    await this.email.fill(email);
    await this.password.fill(password);
    const answer = this.page.waitForResponse(
      (response) => response.request().method() === "POST" && new URL(response.url()).origin === this.idpUrl,
    );
    await this.submit.click();
    return answer;
  }

  /** Signs a demo user in; the IdP then sends the browser on to the client. */
  async signIn(user: DemoUser): Promise<void> {
    await this.expectShown();
    await this.submitCredentials(user.email, user.password);
  }
}
