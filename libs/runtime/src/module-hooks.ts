import { registerHooks } from "node:module";

/**
 * Packages whose own ESM files resolve each other without Node's package-scope lookup.
 *
 * Why: on Node 24 every resolution inside a package reads its package.json scope, and
 * `getPackageScopeConfig` spreads the deserialized config, which runs the lazy `exports` getter,
 * i.e. a full `JSON.parse` of the `exports` field, once per module file. drizzle-orm's package.json
 * is 179 KB (one export per file), and loading `drizzle-orm` + `drizzle-orm/node-postgres` resolves
 * a few hundred of its files: ~170 MB of parsed JSON, promoted to old space before a mark-compact
 * frees it. Every service's peak RSS (VmHWM) was set there, ~290 MB at start-up before any work
 * (bench/README.md, "Peak RSS per service"). Only these packages' relative `.js` specifiers are
 * short-circuited, to the URL an ESM relative specifier resolves to anyway; every other
 * specifier (bare names, the package's own entry points, CommonJS) goes through Node's resolver.
 */
const ESM_PACKAGES = ["/node_modules/drizzle-orm/"];

let installed = false;

/**
 * Installs the resolve hook (idempotent). Must run before the modules that import drizzle-orm
 * are linked: the services' `main.ts` call it first and load the rest with `import()`.
 */
export function installModuleHooks(): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (
        parent !== undefined &&
        (specifier.startsWith("./") || specifier.startsWith("../")) &&
        specifier.endsWith(".js") &&
        parent.endsWith(".js") &&
        ESM_PACKAGES.some((p) => parent.includes(p))
      ) {
        // The package is `"type": "module"`: its `.js` files are ESM, the format Node would find.
        return { url: new URL(specifier, parent).href, format: "module", shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}
