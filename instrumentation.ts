/**
 * Runs once when the app's server starts, before it takes a request (Next.js's instrumentation
 * hook): it reads the settings (lib/env.ts), so a missing or malformed one stops the server with
 * the one line that names it. Otherwise the first request's proxy was the first to read them,
 * and there the stop did not happen: the server went on listening and every request hung.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  void env.APP_URL; // the first read checks them all
}
