import type { Metadata } from "next";
import { PageTitle, RoleBadge } from "@/app/_components/ui";
import { assignableRoles } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { AddUserForm } from "./add-user-form";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await requireUser("experts.manage");
  const users = await listUsers();
  return (
    <>
      <PageTitle sub="Everyone who can sign in. There is no public sign-up: accounts are added here.">Users</PageTitle>
      <section className="mb-8 rounded-xl border border-stone-200 bg-white p-5">
        <h2 className="mb-4 text-sm font-semibold text-stone-800">Add a user</h2>
        <AddUserForm roles={assignableRoles(user)} />
      </section>
      <div className="overflow-hidden rounded-xl border border-stone-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="bg-stone-50 text-xs tracking-wide text-stone-500 uppercase">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Email</th>
              <th className="px-4 py-2 font-medium">Role</th>
              <th className="px-4 py-2 font-medium">Added</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {users.map((u) => (
              <tr key={u.id}>
                <td className="px-4 py-2">{u.name}</td>
                <td className="px-4 py-2 text-stone-600">{u.email}</td>
                <td className="px-4 py-2">
                  <RoleBadge role={u.role} />
                </td>
                <td className="px-4 py-2 text-stone-500">{u.createdAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
