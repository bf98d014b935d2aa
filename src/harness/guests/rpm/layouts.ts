// One stand-in layout per RPM family: which packages rpmbuild makes, which files the tree gets,
// which directories exist, and which package inspection must list as the kernel. The builder
// (build.ts) is the same for every family; only this data differs.
import { altPackages, altTreeFiles, ALT_DIRS } from "./alt.js";
import { rhelPackages, type StandinPackage } from "./packages.js";
import type { RpmRecipe, RpmStandinFamily } from "./recipe.js";
import { susePackages, suseTreeFiles, SUSE_DIRS } from "./suse.js";
import { STANDIN_DIRS, standinTreeFiles, type TreeFile } from "./tree.js";

export interface RpmStandinLayout {
  /** Every package rpmbuild makes, kernels first. */
  packages(r: RpmRecipe): StandinPackage[];
  /** The files no package owns (release files, configuration, /boot's images and GRUB files). */
  treeFiles(r: RpmRecipe): TreeFile[];
  /** Directories created before the files. */
  readonly dirs: readonly string[];
  /** The kernel package inspection must list (the builder refuses a disk without it). */
  readonly kernelPackage: string;
}

export const RPM_STANDIN_LAYOUTS: Readonly<Record<RpmStandinFamily, RpmStandinLayout>> = {
  rhel: { packages: rhelPackages, treeFiles: standinTreeFiles, dirs: STANDIN_DIRS, kernelPackage: "kernel-core" },
  suse: { packages: susePackages, treeFiles: suseTreeFiles, dirs: SUSE_DIRS, kernelPackage: "kernel-default" },
  alt: { packages: altPackages, treeFiles: altTreeFiles, dirs: ALT_DIRS, kernelPackage: "kernel-image-std-def" },
};

/** Pure: every package of the guest, kernels first. */
export const standinPackages = (r: RpmRecipe): StandinPackage[] => RPM_STANDIN_LAYOUTS[r.family].packages(r);
