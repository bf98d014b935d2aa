// What every reference-guest builder provides, whatever the OS: disks in the cache, built when
// missing, and the proof its cells can give (a guest built from Debian's packages boots; a phony
// Windows or RPM guest is proven by static checks). A builder for a new kind of guest is a sibling
// folder of debian/ and one entry in builders.ts.
import type { GuestRecipe } from "./recipes.js";
import type { Progress } from "./rootfs.js";

export interface BuiltGuest {
  readonly recipe: GuestRecipe;
  /** The cache key (sha256 of the recipe, its layout and the builder's source). */
  readonly key: string;
  /** The cache entry directory holding the disks, recipe.json and build.json. */
  readonly dir: string;
  /** Raw disks in source order: NAME-sda.raw, NAME-sdb.raw. */
  readonly disks: readonly { readonly path: string; readonly format: "raw" }[];
  /** False when everything came from the cache. */
  readonly built: boolean;
  /** Wall time of this call; build.json keeps the times of the original build. */
  readonly seconds: number;
}

export interface GuestBuilder<R extends GuestRecipe = GuestRecipe> {
  /** The recipes it builds (GuestRecipe["kind"]). */
  readonly kind: R["kind"];
  /** "boot": its converted cells are booted under qemu; "static": checked read-only only. */
  readonly proof: "boot" | "static";
  ensureDisks(recipe: R, progress?: Progress): Promise<BuiltGuest>;
}
