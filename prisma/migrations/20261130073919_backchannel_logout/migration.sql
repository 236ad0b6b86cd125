-- AlterTable
ALTER TABLE "Session" ADD COLUMN "sid" TEXT;

-- CreateTable
CREATE TABLE "LogoutTokenJti" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "LogoutTokenJti_expiresAt_idx" ON "LogoutTokenJti"("expiresAt");

-- CreateIndex
CREATE INDEX "Session_sid_idx" ON "Session"("sid");
