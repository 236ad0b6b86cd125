import type { Contrast, ContrastColumn } from "@/lib/inspector/contrast";
import { ClaimsTable } from "./claims-table";

const titles: Record<ContrastColumn["kind"], string> = {
  "this-app": "This app, this API",
  "other-client": "Another client, this API",
  "other-api": "This app, another API",
};

function Verdict({ column, rolesClaim }: { column: ContrastColumn; rolesClaim: string }) {
  if (!column.verdict) {
    return (
      <p data-testid="contrast-verdict">
        The IdP issued no token here: <code className="font-mono">{column.error}</code>.
      </p>
    );
  }
  const has = column.claims !== null && Object.hasOwn(column.claims, rolesClaim);
  return (
    <div className="space-y-1" data-testid="contrast-verdict">
      <p className={has ? "font-medium text-emerald-800" : "font-medium text-slate-800"}>
        {has ? "Roles claim: present." : "Roles claim: absent."}
      </p>
      <p>
        Decided by rule {column.verdict.rule} of <code className="font-mono">idp/actions/add-roles.ts</code>,{" "}
        {column.verdict.text}
      </p>
      {!column.agrees && (
        <p role="alert" className="text-red-700">
          This token disagrees with that rule: the IdP's action does not do what the README says.
        </p>
      )}
    </div>
  );
}

/**
 * The app's access token beside the IdP's tokens for the same user to the other client and for
 * the other API (lib/inspector/contrast.ts), or, when the IdP offers no such thing, what it would need.
 */
export function TokenContrast({
  contrast,
  rolesClaim,
  renderedAt,
}: {
  contrast: Contrast;
  rolesClaim: string;
  renderedAt: number;
}) {
  if (!contrast.available) {
    return (
      <p className="max-w-3xl text-sm text-slate-600" data-testid="contrast-unavailable">
        {contrast.reason === "not_offered"
          ? "Side by side with the tokens this IdP issues to another client and for another API: the IdP you sign in with does not offer that. It would need to exchange this app's access token for them (OAuth 2.0 Token Exchange, RFC 8693) and say so in its discovery document, as the local IdP does outside production."
          : "The tokens this IdP issues to another client and for another API could not be fetched just now; reload to try again."}
      </p>
    );
  }
  return (
    <section aria-labelledby="contrast-heading" className="space-y-3" id="contrast" data-testid="token-contrast">
      <h2 id="contrast-heading" className="text-xl font-semibold">
        Only this app, only this API
      </h2>
      <p className="max-w-3xl text-slate-700">
        The same user, at the same moment: the access token this app holds, beside the tokens the IdP issues when asked
        for them as another client and for another API (by token exchange, from the IdP itself). The post-login action
        adds <code className="font-mono wrap-anywhere">{rolesClaim}</code> only when both the client and the API are
        this app's.
      </p>
      <div className="grid gap-4 lg:grid-cols-3">
        {contrast.columns.map((column) => (
          <ClaimsTable
            key={column.kind}
            headingLevel={3}
            testId={`contrast-${column.kind}`}
            title={titles[column.kind]}
            description={
              <>
                client <code className="font-mono">{column.target.client_id}</code>, API{" "}
                <code className="font-mono">{column.target.resource}</code>
              </>
            }
            note={<Verdict column={column} rolesClaim={rolesClaim} />}
            claims={column.claims}
            renderedAt={renderedAt}
          />
        ))}
      </div>
    </section>
  );
}
