import { can } from "@/lib/auth/permissions";
import type { CurrentUser, Role } from "@/lib/auth/roles";

// Whose judgments a user may read: experts their own; leads and admins anyone's, or everyone's at once.
// Writing is always as oneself.

export const seesEveryone = (role: Role) => can({ role }, "judgments.read-all");

/**
 * `requested`: "me" (or nothing), "all", or a user id. Answers the annotator id to read (null for
 * everyone), or why not.
 */
export function whoseJudgments(
  user: CurrentUser,
  requested: string | null | undefined,
): { annotatorId: string | null } | { error: string } {
  if (!requested || requested === "me" || requested === user.id) return { annotatorId: user.id };
  if (!seesEveryone(user.role)) return { error: "Only leads and admins can see other annotators' judgments" };
  return { annotatorId: requested === "all" ? null : requested };
}
