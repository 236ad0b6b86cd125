-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN "callerRequestId" TEXT;

-- CreateTable
CREATE TABLE "AdminChangeAttempts" (
    "actorSub" TEXT NOT NULL,
    "windowStart" BIGINT NOT NULL,
    "attempts" INTEGER NOT NULL,

    PRIMARY KEY ("actorSub", "windowStart")
);

-- CreateIndex
CREATE INDEX "AdminChangeAttempts_windowStart_idx" ON "AdminChangeAttempts"("windowStart");
