// Find the host's OVMF (UEFI for x86_64 qemu) code and variable-store template files.
import { access, constants } from "node:fs/promises";

export interface OvmfFiles {
  /** Read-only firmware code, mapped as the first pflash. */
  readonly code: string;
  /** Template of the variable store; each guest gets its own copy. */
  readonly vars: string;
}

/**
 * Candidates in order of preference, for a guest without Secure Boot. Code and vars must come from
 * the same build (their sizes match), so they are listed as pairs. Secure Boot builds are not
 * here: they need SMM and enrolled keys, which such a guest does not expect.
 */
export const OVMF_CANDIDATES: readonly OvmfFiles[] = [
  // Debian/Ubuntu (package ovmf), 4 MiB flash layout, the default since Debian 12.
  { code: "/usr/share/OVMF/OVMF_CODE_4M.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.fd" },
  // Debian/Ubuntu, older 2 MiB layout.
  { code: "/usr/share/OVMF/OVMF_CODE.fd", vars: "/usr/share/OVMF/OVMF_VARS.fd" },
  // Fedora/RHEL (package edk2-ovmf).
  { code: "/usr/share/edk2/ovmf/OVMF_CODE.fd", vars: "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
  // qemu's own firmware descriptors directory on some distributions.
  { code: "/usr/share/qemu/ovmf-x86_64-code.bin", vars: "/usr/share/qemu/ovmf-x86_64-vars.bin" },
];

/**
 * Pairs for a guest that booted with Secure Boot on its source: code built to require SMM, and a
 * variable store with Microsoft's keys enrolled and Secure Boot already on (Windows' boot manager
 * and shim are signed by Microsoft). Secure Boot builds need the q35 machine with SMM on.
 */
export const OVMF_SECURE_BOOT_CANDIDATES: readonly OvmfFiles[] = [
  // Debian/Ubuntu (package ovmf), 4 MiB layout: the .ms variable store has the keys enrolled.
  { code: "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", vars: "/usr/share/OVMF/OVMF_VARS_4M.ms.fd" },
  // Debian/Ubuntu, older 2 MiB layout.
  { code: "/usr/share/OVMF/OVMF_CODE.secboot.fd", vars: "/usr/share/OVMF/OVMF_VARS.ms.fd" },
  // Fedora/RHEL (package edk2-ovmf): its secboot variable store has the keys enrolled.
  { code: "/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd", vars: "/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd" },
];

/** The candidate pairs for a guest with or without Secure Boot. */
export const ovmfCandidates = (secureBoot: boolean): readonly OvmfFiles[] => (secureBoot ? OVMF_SECURE_BOOT_CANDIDATES : OVMF_CANDIDATES);

const readable = async (path: string): Promise<boolean> => {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first candidate pair whose two files are readable, or undefined when OVMF is not installed. */
export async function findOvmf(candidates: readonly OvmfFiles[] = OVMF_CANDIDATES): Promise<OvmfFiles | undefined> {
  for (const pair of candidates) {
    if ((await readable(pair.code)) && (await readable(pair.vars))) return pair;
  }
  return undefined;
}
