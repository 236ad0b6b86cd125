import { describe, expect, it } from "vitest";
import { ADMIN_ACTION_LABELS, ADMIN_ACTIONS, isAdminAction } from "./action-names";

describe("admin action names", () => {
  it("accepts exactly the three changes", () => {
    for (const action of ADMIN_ACTIONS) expect(isAdminAction(action)).toBe(true);
    for (const other of [
      "",
      "end_sessions",
      "ASSIGN_ADMIN",
      "assign_admin ",
      "toString",
      "__proto__",
      null,
      1,
      ["assign_admin"],
    ])
      expect(isAdminAction(other)).toBe(false);
  });

  it("labels every change, and nothing else", () => {
    expect(Object.keys(ADMIN_ACTION_LABELS).sort()).toEqual([...ADMIN_ACTIONS].sort());
    expect(ADMIN_ACTION_LABELS.revoke_access).toBe("Sign out everywhere");
  });
});
