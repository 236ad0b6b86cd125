/**
 * The post-login actions, in the order they run (Auth0: the Login flow's drag-and-drop order).
 * To add one: write `idp/actions/<name>.ts` exporting `onExecutePostLogin(event, api)` and list
 * it here. The runtime checks the list when the IdP starts.
 */
import * as addRoles from "./add-roles.ts";
import type { PostLoginAction } from "./types.ts";

export const postLoginActions: readonly PostLoginAction[] = [
  { name: "add-roles", onExecutePostLogin: addRoles.onExecutePostLogin },
];
