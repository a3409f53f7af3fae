"use server";

import { revalidatePath } from "next/cache";
import { requireUser } from "@/lib/auth/session";
import { createUser, UserInputError } from "@/lib/auth/users";

export type AddUserState = { error?: string; added?: string };

export async function addUser(_prev: AddUserState, form: FormData): Promise<AddUserState> {
  await requireUser(["admin"]);
  try {
    // createUser validates every field with zod and says what is wrong.
    const user = await createUser({
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      role: String(form.get("role") ?? "") as "expert",
    });
    revalidatePath("/admin/users");
    return { added: user.email };
  } catch (e) {
    if (e instanceof UserInputError) return { error: e.message };
    throw e;
  }
}
