// ESLint: Next.js's rules (React, hooks, Core Web Vitals) and typescript-eslint's recommended set.
// Formatting is Prettier's job (npm run format:check), so eslint-config-prettier turns style rules off.
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  prettier,
  globalIgnores([".next/**", "generated/**", ".data/**", "node_modules/**", "next-env.d.ts"]),
  {
    rules: {
      // `_name` says "deliberately unused" (a destructured field left out of a spread, say).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
]);
