"use client";
import { useEffect, useState } from "react";

/** Seconds until `exp` (seconds since the epoch), ticking. Receives a number, never a token. */
export function ExpiryCountdown({ exp }: { exp: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.round(exp - now / 1000);
  // The server's clock and the browser's differ by the time the page took to arrive: the text
  // may differ at hydration, and the next tick corrects it.
  if (left <= 0) {
    return (
      <span className="text-red-700" suppressHydrationWarning>
        expired {-left}s ago
      </span>
    );
  }
  const minutes = Math.floor(left / 60);
  return (
    <span className="tabular-nums" suppressHydrationWarning>
      expires in {minutes > 0 ? `${minutes}m ` : ""}
      {left % 60}s
    </span>
  );
}
