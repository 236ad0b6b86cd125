import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/session";

/** Everything in this group needs a signed-in user; each page checks again where it reads data. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  await requireUser();
  return children;
}
