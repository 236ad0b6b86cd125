-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "callerRequestId" TEXT;

-- CreateTable
CREATE TABLE "AdminChangeAttempts" (
    "actorSub" TEXT NOT NULL,
    "windowStart" BIGINT NOT NULL,
    "attempts" INTEGER NOT NULL,

    CONSTRAINT "AdminChangeAttempts_pkey" PRIMARY KEY ("actorSub","windowStart")
);

-- CreateIndex
CREATE INDEX "AdminChangeAttempts_windowStart_idx" ON "AdminChangeAttempts"("windowStart");

-- The audit log is append-only, and an attempt to change it is an error, not a silent no-op: a
-- trigger that raises replaces the DO INSTEAD NOTHING rules, and refuses TRUNCATE too (which no
-- rule sees). Statement-level, so even an UPDATE or DELETE that matches no row is refused.
-- Written by hand: Prisma schemas cannot declare triggers.
DROP RULE "AuditEvent_no_update" ON "AuditEvent";

DROP RULE "AuditEvent_no_delete" ON "AuditEvent";

CREATE FUNCTION "AuditEvent_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "AuditEvent_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditEvent"
    FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvent_append_only"();
