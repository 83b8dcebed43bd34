// ESLint for the whole repository (npm run lint at the root): typescript-eslint's
// type-checked rules, each file checked with the tsconfig.json of its workspace;
// formatting is Prettier's (.prettierrc.json), so no rule here is about layout.
import path from "node:path";
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const root = path.dirname(import.meta.dirname);

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".cache/**", "test-artifacts/**", "dapr-runtime/**", "lint/eslint.config.js"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      // `_` names what is there only for its place (an argument, a destructured field).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // The code marks an indexed read it knows is there with `!` (xs[0]!), which this
      // rule calls unnecessary as long as noUncheckedIndexedAccess is off.
      "@typescript-eslint/no-unnecessary-type-assertion": "off",
    },
  },
  {
    // TypeScript checks names (with checkJs for the page's scripts).
    rules: { "no-undef": "off" },
  },
  {
    // Tests read answers, YAML and JSON as `any` on purpose, and chai asserts with
    // property reads (expect(x).to.be.true).
    files: ["**/test/**"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
  prettier,
);
