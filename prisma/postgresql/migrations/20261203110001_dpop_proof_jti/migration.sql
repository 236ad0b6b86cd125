-- CreateTable
CREATE TABLE "DpopProofJti" (
    "id" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DpopProofJti_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DpopProofJti_expiresAt_idx" ON "DpopProofJti"("expiresAt");
