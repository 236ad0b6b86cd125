-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorSub" TEXT NOT NULL,
    "targetSub" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "rolesBefore" TEXT,
    "rolesAfter" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "requestId" TEXT
);

-- CreateTable
CREATE TABLE "idp_roles" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "idp_user_roles" (
    "userId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("userId", "roleId"),
    CONSTRAINT "idp_user_roles_userId_fkey" FOREIGN KEY ("userId") REFERENCES "idp_users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "idp_user_roles_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "idp_roles" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "idp_roles_name_key" ON "idp_roles"("name");

-- CreateIndex
CREATE INDEX "idp_user_roles_roleId_idx" ON "idp_user_roles"("roleId");

-- The audit log is append-only. The code of the app never changes or removes an entry, and the
-- database refuses to as well. Prisma schemas cannot declare triggers, so they are written here.
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
