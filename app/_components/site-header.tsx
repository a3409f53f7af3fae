import Link from "next/link";
import { signOut } from "@/app/(auth)/actions";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { Button, RoleBadge } from "./ui";

export async function SiteHeader() {
  const user = await getCurrentUser();
  return (
    <header className="border-b border-stone-200 bg-white">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight text-stone-900">
          <span aria-hidden className="inline-block h-3 w-3 rounded-full bg-emerald-600" />
          Fieldmark
        </Link>
        {user && (
          <nav className="flex items-center gap-4 text-sm text-stone-600">
            <Link href="/collections" className="hover:text-stone-900">
              Collections
            </Link>
            {can(user, "collections.import") && (
              <Link href="/import" className="hover:text-stone-900">
                Import
              </Link>
            )}
            {can(user, "models.register") && (
              <Link href="/models" className="hover:text-stone-900">
                Models
              </Link>
            )}
            {can(user, "experts.manage") && (
              <Link href="/admin/users" className="hover:text-stone-900">
                Users
              </Link>
            )}
          </nav>
        )}
        {user && (
          <div className="ml-auto flex shrink-0 items-center gap-3 text-sm">
            <span className="hidden text-stone-700 sm:inline" data-testid="current-user">
              {user.name}
            </span>
            <RoleBadge role={user.role} />
            <form action={signOut}>
              <Button variant="ghost" type="submit">
                Sign out
              </Button>
            </form>
          </div>
        )}
      </div>
    </header>
  );
}
