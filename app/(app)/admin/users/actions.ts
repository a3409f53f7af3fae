"use server";

import { revalidatePath } from "next/cache";
import { serverAction } from "@/lib/actions/server-action";
import { createUser, newUserSchema } from "@/lib/auth/users";

/** Adds an account (admins). Answers the new user's email, or what is wrong and in which field. */
export const addUser = serverAction("users.manage", newUserSchema, async (input) => {
  const user = await createUser(input);
  revalidatePath("/admin/users");
  return { added: user.email };
});
