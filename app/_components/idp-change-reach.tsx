"use client";
import { useEffect, useState } from "react";

/** m:ss */
function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * When a change at the IdP (a role removed, access revoked) reaches this page: the roles come from
 * the access token, so at the app's next refresh of it (`refreshAt`, seconds since the epoch), or at
 * once when the IdP ends the session (back-channel logout). Receives a number, never a token.
 */
export function IdpChangeReach({ refreshAt }: { refreshAt: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.round(refreshAt - now / 1000);
  return (
    <span id="reach" data-testid="idp-change-reach" suppressHydrationWarning>
      A change at the IdP reaches this page: at the next refresh (
      {left > 0 ? `in ${clock(left)}` : "due at your next page load"}), or at once if the IdP signs you out.
    </span>
  );
}
