import type { NextRequest } from "next/server";
import { signIn } from "@/lib/auth";
import { PROVIDER_ID } from "@/lib/auth/provider";
import { signInResponse } from "@/lib/auth/sign-in-start";
import { env } from "@/lib/env";
import { loggerFor } from "@/lib/logger";

/** POST /auth/sign-in: the "Sign in" form (lib/auth/sign-in-start.ts). Only POST: a GET is 405. */
export async function POST(request: NextRequest) {
  const form = await request.formData().catch(() => new FormData());
  return signInResponse(
    form,
    env.APP_URL,
    (redirectTo) => signIn(PROVIDER_ID, { redirect: false, redirectTo }),
    (error) =>
      loggerFor(request.headers).error({ err: error, event: "sign_in_start_failed" }, "could not start the sign-in"),
  );
}
