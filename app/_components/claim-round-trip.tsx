const stepsFor = ({ clientId, rolesClaim }: { clientId: string; rolesClaim: string }) => [
  {
    who: "Browser",
    what: "Sign in",
    detail: "Goes to the IdP with an Authorization Code request: PKCE, state, nonce, and audience = this API.",
  },
  {
    who: "IdP",
    what: "Post-login action",
    detail: `Client is ${clientId} and audience is this API? Then add ${rolesClaim} to the access token.`,
  },
  {
    who: "App server",
    what: "Code exchange",
    detail:
      "Trades the code for tokens and stores them in the database. The browser only gets an opaque session cookie.",
  },
  {
    who: "App server → API",
    what: "Bearer call",
    detail: "Forwards the access token in the Authorization header (refreshing it first when it is about to expire).",
  },
  {
    who: "API",
    what: "Verify, then read",
    detail: "Checks signature (JWKS), alg, typ at+jwt, iss, aud and expiry, then reads the roles claim: admin or not.",
  },
];

/** The claim round trip, as the landing page explains it, with this deployment's client id and claim name. */
export function ClaimRoundTrip(props: { clientId: string; rolesClaim: string }) {
  const steps = stepsFor(props);
  return (
    <section aria-labelledby="round-trip" className="space-y-4">
      <h2 id="round-trip" className="text-xl font-semibold">
        The claim round trip
      </h2>
      <ol className="grid gap-3 md:grid-cols-5">
        {steps.map((step, index) => (
          <li key={step.what} className="relative rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <p className="text-xs font-semibold uppercase tracking-wide text-indigo-700">
              {index + 1}. {step.who}
            </p>
            <p className="mt-1 font-medium">{step.what}</p>
            <p className="mt-2 text-sm text-slate-600 wrap-anywhere">{step.detail}</p>
            {index < steps.length - 1 && (
              <span aria-hidden="true" className="absolute -right-3 top-1/2 hidden text-slate-400 md:block">
                ▶
              </span>
            )}
          </li>
        ))}
      </ol>
      <p className="text-sm text-slate-600">
        Nothing in this chain trusts the browser: the browser never holds a token, and the API never reads a claim from
        a token it has not verified.
      </p>
    </section>
  );
}
