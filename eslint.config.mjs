// Lint the site's own browser scripts (anything vendored later goes in static/vendor, not ours to change).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "static_collected/**", "node_modules/**", "var/**", ".venv/**"] },
  {
    files: ["static/**/*.js", "bundles/player/**/*.js"],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2020, sourceType: "script", globals: { ...globals.browser } },
    // `catch (e) {}` keeps the scripts parseable by older phone browsers (no optional catch binding).
    rules: { "no-unused-vars": ["error", { caughtErrors: "none" }] },
  },
];
