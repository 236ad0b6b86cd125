-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorSub" TEXT NOT NULL,
    "targetSub" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "rolesBefore" TEXT,
    "rolesAfter" TEXT,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "requestId" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idp_roles" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idp_roles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idp_user_roles" (
    "userId" TEXT NOT NULL,
    "roleId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idp_user_roles_pkey" PRIMARY KEY ("userId","roleId")
);

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "idp_roles_name_key" ON "idp_roles"("name");

-- CreateIndex
CREATE INDEX "idp_user_roles_roleId_idx" ON "idp_user_roles"("roleId");

-- AddForeignKey
ALTER TABLE "idp_user_roles" ADD CONSTRAINT "idp_user_roles_userId_fkey" FOREIGN KEY ("userId") REFERENCES "idp_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "idp_user_roles" ADD CONSTRAINT "idp_user_roles_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "idp_roles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit log is append-only. The code of the app never changes or removes an entry, and the
-- database turns an attempt into nothing. Rules rather than a trigger function because the
-- offline migration path (the PostgreSQL driver adapter) splits scripts at every semicolon.
CREATE RULE "AuditEvent_no_update" AS ON UPDATE TO "AuditEvent" DO INSTEAD NOTHING;

CREATE RULE "AuditEvent_no_delete" AS ON DELETE TO "AuditEvent" DO INSTEAD NOTHING;
