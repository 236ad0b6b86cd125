/** What the admin API shows: the users this app has seen and their live sessions. */
import "server-only";
import { db } from "./db";

export async function listUsersWithSessions() {
  const users = await db.user.findMany({
    orderBy: { email: "asc" },
    select: {
      id: true,
      name: true,
      email: true,
      sessions: { where: { expires: { gt: new Date() } }, select: { expires: true }, orderBy: { expires: "asc" } },
    },
  });
  return users.map((user) => ({
    ...user,
    sessions: user.sessions.map((s) => ({ expires: s.expires.toISOString() })),
  }));
}
