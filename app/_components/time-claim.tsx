"use client";
import { useEffect, useState } from "react";
import { relativeTime, utcDateTime } from "@/lib/inspector/time-format";

/**
 * A time claim as a person reads it: the number, the date-time in UTC, and how long ago or from
 * now, counting. The first render uses the server's clock (`renderedAt`), so the browser hydrates
 * the very text the server sent; the count then follows the browser's clock. Receives numbers,
 * never a token.
 */
export function TimeClaim({ seconds, renderedAt }: { seconds: number; renderedAt: number }) {
  const [now, setNow] = useState(renderedAt);
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <span className="flex min-w-0 flex-wrap gap-x-3 gap-y-0.5">
      <span data-testid="time-seconds">{seconds}</span>
      <time className="font-sans text-slate-700" dateTime={new Date(seconds * 1000).toISOString()}>
        {utcDateTime(seconds)}
      </time>
      <span className="font-sans text-slate-700 tabular-nums" data-testid="relative-time">
        {relativeTime(seconds, now)}
      </span>
    </span>
  );
}
