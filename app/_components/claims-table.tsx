import { CLAIM_NOTES, claimKind, type ClaimKind } from "@/lib/claims";
import { ExpiryCountdown } from "./expiry-countdown";

const kindStyle: Record<ClaimKind, string> = {
  registered: "bg-slate-100 text-slate-700",
  oidc: "bg-sky-100 text-sky-800",
  custom: "bg-amber-100 text-amber-900",
};

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One token's decoded claims, each marked registered / OIDC / custom. */
export function ClaimsTable({
  title,
  description,
  claims,
  testId,
  note,
}: {
  title: string;
  description: string;
  claims: Record<string, unknown> | null;
  testId: string;
  /** Shown beside the expiry countdown. */
  note?: React.ReactNode;
}) {
  const exp = typeof claims?.exp === "number" ? claims.exp : undefined;
  return (
    <section
      className="flex min-w-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm"
      data-testid={testId}
      aria-label={title}
    >
      <header className="border-b border-slate-200 p-4">
        <h2 className="font-semibold">{title}</h2>
        <p className="mt-1 text-sm text-slate-600">{description}</p>
        {exp !== undefined && (
          <p className="mt-2 text-sm text-slate-700">
            <ExpiryCountdown exp={exp} />
          </p>
        )}
        {note && <p className="mt-1 text-sm text-slate-600">{note}</p>}
      </header>
      {claims ? (
        <dl className="divide-y divide-slate-100 text-sm">
          {Object.entries(claims).map(([name, value]) => {
            const kind = claimKind(name);
            return (
              <div
                key={name}
                className={`grid gap-1 px-4 py-2 ${kind === "custom" ? "bg-amber-50" : ""}`}
                data-claim={name}
                data-kind={kind}
              >
                <dt className="flex flex-wrap items-center gap-2 wrap-anywhere">
                  <code className="break-all font-mono font-medium">{name}</code>
                  <span className={`rounded px-1.5 py-0.5 text-xs ${kindStyle[kind]}`}>{kind}</span>
                  {Object.hasOwn(CLAIM_NOTES, name) && (
                    <span className="basis-full text-xs font-normal text-slate-500" data-testid="claim-note">
                      {CLAIM_NOTES[name]}
                    </span>
                  )}
                </dt>
                <dd className="break-all font-mono text-slate-700">{show(value)}</dd>
              </div>
            );
          })}
        </dl>
      ) : (
        <p className="p-4 text-sm text-slate-500">None.</p>
      )}
    </section>
  );
}
