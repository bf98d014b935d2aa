// Pure: which file of a virtio-win tree is the QEMU guest agent installer for a guest's arch.
//
// virtio-win ships it as guest-agent/qemu-ga-x86_64.msi and guest-agent/qemu-ga-i386.msi; older
// trees and RHEV's used other names. The names accepted, in order of preference, are the ones
// virt-v2v looks for (VIRT-V2V.md §5.2). Among several paths with the same preferred name, the
// one whose lowercased path sorts first wins, so the same tree always gives the same answer.
import type { WindowsArch } from "./os-dirs.js";
import { pathComponents } from "./match.js";

/** Accepted installer names per arch, most preferred first (lowercase). */
export const QEMU_GA_MSI_NAMES: Readonly<Record<WindowsArch, readonly string[]>> = {
  x86_64: ["qemu-ga-x86_64.msi", "qemu-ga-x64.msi", "rhev-qga64.msi"],
  i386: ["qemu-ga-i386.msi", "qemu-ga-x86.msi", "rhev-qga.msi"],
};

/** The name the installer gets inside the guest, whatever it was called in the tree. */
export const qemuGaGuestName = (arch: WindowsArch): string => QEMU_GA_MSI_NAMES[arch][0]!;

/** Pure: the tree path of the installer for `arch`, or undefined when the tree has none. */
export function selectQemuGaMsi(paths: readonly string[], arch: WindowsArch): string | undefined {
  const wanted = QEMU_GA_MSI_NAMES[arch];
  let best: { rank: number; key: string; path: string } | undefined;
  for (const path of paths) {
    const c = pathComponents(path);
    const rank = wanted.indexOf(c[c.length - 1] ?? "");
    if (rank < 0) continue;
    const key = c.join("/");
    if (!best || rank < best.rank || (rank === best.rank && key < best.key)) best = { rank, key, path };
  }
  return best?.path;
}
