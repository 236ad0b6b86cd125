-- CreateTable
CREATE TABLE "DpopProofJti" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "DpopProofJti_expiresAt_idx" ON "DpopProofJti"("expiresAt");
