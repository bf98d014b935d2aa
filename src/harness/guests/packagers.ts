// How a reference guest is handed to the converter, by the name a matrix uses for its input:
// "disk" = the raw disks themselves, "ova" = a VMware-style OVA made from them. Both cached.
import { ensureGuestDisks } from "./builders.js";
import type { Progress } from "./rootfs.js";
import type { GuestRecipe } from "./recipes.js";
import { ensureGuestOva } from "./package-ova.js";

export interface PackagedInput {
  /** The `-i` mode that reads it. */
  readonly mode: string;
  /** The positional arguments after the options: disk paths, or the OVA path. */
  readonly args: readonly string[];
}

export type Packager = (recipe: GuestRecipe, progress?: Progress) => Promise<PackagedInput>;

/** The raw disks, as they are in the cache (the converter only ever reads them). */
export const packageRawDisks: Packager = async (recipe, progress) => {
  const g = await ensureGuestDisks(recipe, progress);
  return { mode: "disk", args: g.disks.map((d) => d.path) };
};

export const packageAsOva: Packager = async (recipe, progress) => {
  const ova = await ensureGuestOva(recipe, progress);
  return { mode: "ova", args: [ova.path] };
};

/** Input mode -> how the harness makes a source for it. A matrix may only name modes listed here. */
export const PACKAGERS: ReadonlyMap<string, Packager> = new Map([["disk", packageRawDisks], ["ova", packageAsOva]]);

/** The packager for an input mode, or a refusal naming where to add one. */
export function packagerFor(mode: string): Packager {
  const p = PACKAGERS.get(mode);
  if (!p) throw new Error(`the harness has no packager for -i ${mode}; add one in src/harness/guests/packagers.ts`);
  return p;
}
