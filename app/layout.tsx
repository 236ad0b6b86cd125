import type { Metadata } from "next";
import type { ReactNode } from "react";
import { currentUser } from "@/lib/auth/session";
import { SignInButton, SignOutButton } from "./_components/auth-buttons";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Claimtrip", template: "%s · Claimtrip" },
  description:
    "How an API learns that a user is an admin, safely: a custom claim in the access token, verified on the server.",
};

const nav = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/tokens", label: "Tokens" },
  { href: "/admin", label: "Admin" },
];

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-4 px-6 py-3">
            <a href="/" className="font-semibold text-slate-900 no-underline hover:no-underline">
              <span aria-hidden="true">◆ </span>Claimtrip
            </a>
            {user && (
              <nav aria-label="Main" className="flex gap-4 text-sm">
                {nav.map((item) => (
                  <a key={item.href} href={item.href} className="no-underline hover:underline">
                    {item.label}
                  </a>
                ))}
              </nav>
            )}
            <div className="ml-auto flex items-center gap-3 text-sm">
              {user ? (
                <>
                  <span className="text-slate-600" data-testid="signed-in-as">
                    {user.name ?? user.email}
                  </span>
                  <SignOutButton />
                </>
              ) : (
                <SignInButton />
              )}
            </div>
          </div>
        </header>
        <main className="mx-auto max-w-5xl px-6 py-10">{children}</main>
      </body>
    </html>
  );
}
