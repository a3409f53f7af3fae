"use server";

import { revalidatePath } from "next/cache";
import { serverAction } from "@/lib/actions/server-action";
import { createUserAs, newUserSchema } from "@/lib/auth/users";

/**
 * Adds an account: leads add experts, admins any role (lib/auth/users' createUserAs decides). Answers
 * the new user's email, or what is wrong and in which field.
 */
export const addUser = serverAction("experts.manage", newUserSchema, async (input, user) => {
  const added = await createUserAs(user, input);
  revalidatePath("/admin/users");
  return { added: added.email };
});
