import { CLAIM_NOTES, claimKind, type ClaimKind } from "@/lib/shared/claims";
import { TIME_CLAIMS } from "@/lib/time-format";
import { ExpiryCountdown } from "./expiry-countdown";
import { TimeClaim } from "./time-claim";

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
  renderedAt,
  headingLevel = 2,
}: {
  title: string;
  description: React.ReactNode;
  claims: Record<string, unknown> | null;
  testId: string;
  /** Shown beside the expiry countdown. */
  note?: React.ReactNode;
  /** The server's clock when the page was made (ms): time claims count from it. */
  renderedAt: number;
  /** Default: 2 */
  headingLevel?: 2 | 3;
}) {
  const Heading = headingLevel === 3 ? "h3" : "h2";
  const exp = typeof claims?.exp === "number" ? claims.exp : undefined;
  return (
    <section
      className="flex min-w-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm"
      data-testid={testId}
      aria-label={title}
    >
      <header className="border-b border-slate-200 p-4">
        <Heading className="font-semibold wrap-anywhere">{title}</Heading>
        <p className="mt-1 text-sm text-slate-600 wrap-anywhere">{description}</p>
        {exp !== undefined && (
          <p className="mt-2 text-sm text-slate-700">
            <ExpiryCountdown exp={exp} />
          </p>
        )}
        {note && <div className="mt-1 text-sm text-slate-600 wrap-anywhere">{note}</div>}
      </header>
      {claims ? (
        <dl className="divide-y divide-slate-100 text-sm">
          {Object.entries(claims).map(([name, value]) => {
            const kind = claimKind(name);
            return (
              <div
                key={name}
                className={`grid min-w-0 gap-1 px-4 py-2 ${kind === "custom" ? "bg-amber-50" : ""}`}
                data-claim={name}
                data-kind={kind}
              >
                <dt className="flex min-w-0 flex-wrap items-center gap-2 wrap-anywhere">
                  <code className="min-w-0 break-all font-mono font-medium">{name}</code>
                  <span className={`rounded px-1.5 py-0.5 text-xs ${kindStyle[kind]}`}>{kind}</span>
                  {Object.hasOwn(CLAIM_NOTES, name) && (
                    <span
                      className="min-w-0 basis-full text-xs font-normal text-slate-600 wrap-anywhere"
                      data-testid="claim-note"
                    >
                      {CLAIM_NOTES[name]}
                    </span>
                  )}
                </dt>
                <dd className="min-w-0 break-all font-mono text-slate-700">
                  {TIME_CLAIMS.has(name) && typeof value === "number" ? (
                    <TimeClaim seconds={value} renderedAt={renderedAt} />
                  ) : (
                    show(value)
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      ) : (
        <p className="p-4 text-sm text-slate-600">None.</p>
      )}
    </section>
  );
}
