// Next.js configuration. ESM, because package.json says "type": "module".

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: [
    "pg",
    "sharp",
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "pg-boss",
    "onnxruntime-node",
  ],
  // forbidden() and app/forbidden.tsx give a signed-in user with the wrong role a real 403 page.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // `npm run typecheck` (and CI) type-check the whole repository; next build would check it all again
  // (CLI, tests, bench), costing time on every build and refusing to start the app over a type error
  // in a script the app never loads.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
