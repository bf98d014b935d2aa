// The reference-guest builders, one per kind of recipe. ensureGuestDisks is what the matrix, the
// suites and `npm run images` call; it picks the builder from the recipe.
import type { BuiltGuest, GuestBuilder } from "./builder.js";
import { debianBuilder } from "./debian/build.js";
import { windowsBuilder } from "./windows/build.js";
import { rpmBuilder } from "./rpm/build.js";
import type { GuestRecipe } from "./recipes.js";
import type { Progress } from "./rootfs.js";

export type { BuiltGuest, GuestBuilder };

export const GUEST_BUILDERS: { readonly [K in GuestRecipe["kind"]]: GuestBuilder<Extract<GuestRecipe, { kind: K }>> } = {
  debian: debianBuilder,
  windows: windowsBuilder,
  rpm: rpmBuilder,
};

export function builderFor(recipe: GuestRecipe): GuestBuilder {
  return GUEST_BUILDERS[recipe.kind] as GuestBuilder;
}

/** The recipe's disks from the cache, built by its builder when missing. */
export function ensureGuestDisks(recipe: GuestRecipe, progress?: Progress): Promise<BuiltGuest> {
  return builderFor(recipe).ensureDisks(recipe, progress);
}
