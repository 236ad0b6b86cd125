-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "sid" TEXT;

-- CreateTable
CREATE TABLE "LogoutTokenJti" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LogoutTokenJti_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LogoutTokenJti_expiresAt_idx" ON "LogoutTokenJti"("expiresAt");

-- CreateIndex
CREATE INDEX "Session_sid_idx" ON "Session"("sid");
