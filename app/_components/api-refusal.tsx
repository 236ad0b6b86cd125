import type { ApiError } from "@/lib/api/types";

/** What to show when the API refused the call: its RFC 6750 error, never a crash. */
export function ApiRefusal({ status, error }: { status: number; error: ApiError }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-red-900">
      <p className="font-medium">The API refused the call ({status}).</p>
      <p className="mt-1 text-sm">
        <code className="font-mono">{error.error}</code>
        {error.error_description && <>: {error.error_description}</>}
      </p>
    </div>
  );
}
