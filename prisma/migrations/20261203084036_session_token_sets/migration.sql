-- Tokens move from the user's Account row to the app session that signed in (SessionTokens).
-- The old per-user tokens are dropped, not copied: no session can tell they were its own. A
-- session from before this migration has no token set, and the app asks it to sign in again.
-- CreateTable
CREATE TABLE "SessionTokens" (
    "sessionId" TEXT NOT NULL PRIMARY KEY,
    "accessToken" TEXT,
    "accessTokenExpiresAt" INTEGER,
    "audience" TEXT,
    "tokenType" TEXT,
    "scope" TEXT,
    "refreshToken" TEXT,
    "idToken" TEXT,
    "refreshLeaseUntil" DATETIME,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SessionTokens_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "EndedIdpSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Account" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "providerAccountId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Account" ("createdAt", "id", "provider", "providerAccountId", "type", "updatedAt", "userId") SELECT "createdAt", "id", "provider", "providerAccountId", "type", "updatedAt", "userId" FROM "Account";
DROP TABLE "Account";
ALTER TABLE "new_Account" RENAME TO "Account";
CREATE INDEX "Account_userId_idx" ON "Account"("userId");
CREATE UNIQUE INDEX "Account_provider_providerAccountId_key" ON "Account"("provider", "providerAccountId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "EndedIdpSession_expiresAt_idx" ON "EndedIdpSession"("expiresAt");
