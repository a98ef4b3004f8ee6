// ESLint for kubeha's TypeScript and its few CommonJS scripts. `npm run lint` runs it, then
// `prettier --check` (formatting is prettier's alone: .prettierrc); `npm test` runs `npm run lint`
// first and fails on any finding. The rules look for likely bugs only: ESLint's recommended set and
// typescript-eslint's type-aware recommended set (`recommendedTypeChecked`, through tsconfig.json).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Not this project's TypeScript: installed packages, build output, state, Go modules.
    ignores: ["node_modules/", "bin/", "coverage/", ".pulumi-state/", "provider/", "scripts/toolchain/go/", "scripts/artifacts/go/"],
  },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_name`: a parameter or binding that is there for its position only.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests and fixtures read Pulumi mocks' inputs and parsed JSON, which are `any` by nature.
    files: ["tests/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    // jest.config.js, scripts/*.js: CommonJS run by node.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
);
