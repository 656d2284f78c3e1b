import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The api serves dist/ at /ui/ (services/api/src/dashboard); a strict CSP there allows only files
// of this origin, so nothing is inlined: no module-preload polyfill, no inline assets.
export default defineConfig({
  base: "/ui/",
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
