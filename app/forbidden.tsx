import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-xl px-4 pt-20 text-center">
      <p className="text-sm font-medium text-stone-500">403</p>
      <h1 className="mt-1 text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="mt-2 text-stone-600">Your role does not allow it. Ask an administrator if you need access.</p>
      <Link href="/collections" className="mt-6 inline-block text-sm font-medium text-emerald-700 hover:underline">
        Back to collections
      </Link>
    </main>
  );
}
