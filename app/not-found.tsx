import type { Metadata } from "next";

export const metadata: Metadata = { title: "Not found" };

/**
 * The 404 page. Next.js's built-in one styles itself with inline `style` attributes and a
 * `<style>` element without a nonce, which the Content-Security-Policy (proxy.ts) blocks.
 */
export default function NotFound() {
  return (
    <div className="mx-auto max-w-xl space-y-4" data-testid="not-found">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold">Nothing here</h1>
      <p className="text-slate-700">This page does not exist.</p>
      <p>
        <a href="/">Back to the start page</a>
      </p>
    </div>
  );
}
