-- Tokens move from the user's Account row to the app session that signed in (SessionTokens).
-- The old per-user tokens are dropped, not copied: no session can tell they were its own. A
-- session from before this migration has no token set, and the app asks it to sign in again.
-- AlterTable
ALTER TABLE "Account" DROP COLUMN "access_token",
DROP COLUMN "expires_at",
DROP COLUMN "id_token",
DROP COLUMN "refreshLeaseUntil",
DROP COLUMN "refresh_token",
DROP COLUMN "scope",
DROP COLUMN "session_state",
DROP COLUMN "tokenVersion",
DROP COLUMN "token_type";

-- CreateTable
CREATE TABLE "SessionTokens" (
    "sessionId" TEXT NOT NULL,
    "accessToken" TEXT,
    "accessTokenExpiresAt" INTEGER,
    "audience" TEXT,
    "tokenType" TEXT,
    "scope" TEXT,
    "refreshToken" TEXT,
    "idToken" TEXT,
    "refreshLeaseUntil" TIMESTAMP(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SessionTokens_pkey" PRIMARY KEY ("sessionId")
);

-- CreateTable
CREATE TABLE "EndedIdpSession" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EndedIdpSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EndedIdpSession_expiresAt_idx" ON "EndedIdpSession"("expiresAt");

-- AddForeignKey
ALTER TABLE "SessionTokens" ADD CONSTRAINT "SessionTokens_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;
