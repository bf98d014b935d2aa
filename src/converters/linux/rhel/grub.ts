// GRUB 2 as the RHEL family installs it: grub.cfg under /boot/grub2 (BIOS, and UEFI on RHEL 9+ /
// Fedora 34+, whose ESP grub.cfg is only a stub that loads it), or under the ESP's vendor folder
// /boot/efi/EFI/<vendor>/ on older UEFI guests; grub2-mkconfig regenerates it, BLS entries carry
// the kernel arguments on RHEL 8+, and grubby sets the default kernel.
import type { GuestHandle } from "../../../model/guest-handle.js";
import type { Inspection } from "../../../model/types.js";
import type { GrubTooling } from "../family.js";

const BIOS_CFG = "/boot/grub2/grub.cfg";
export const EFI_DIR = "/boot/efi/EFI";

/** The tooling for a grub.cfg path (a constant, or an ESP folder checked by PLAIN_NAME: it goes into a shell line). */
export function rhelGrubAt(cfgPath: string, envPath: string): GrubTooling {
  return {
    cfgPath,
    envPath,
    defaultsPath: "/etc/default/grub",
    deviceMapPath: "/boot/grub2/device.map",
    regenerators: [{ program: "grub2-mkconfig", shell: `grub2-mkconfig -o ${cfgPath}` }],
    supportedOn: "RHEL-family guests",
    bootloaderPackages: "grub2-pc (BIOS) or grub2-efi-x64 (UEFI)",
    toolsPackage: "grub2-tools",
    bls: { entriesDir: "/boot/loader/entries", cmdlinePath: "/etc/kernel/cmdline" },
    defaultSetter: "grubby",
  };
}

export const rhelGrub: GrubTooling = rhelGrubAt(BIOS_CFG, "/boot/grub2/grubenv");

/** A grub.cfg found in an ESP vendor folder. */
export interface EspGrubCfg {
  readonly vendor: string;
  readonly text: string;
}

/** The stub RHEL 9+ puts on the ESP: it only finds /boot and loads the real grub.cfg there. */
export const isStubGrubCfg = (text: string): boolean =>
  /^\s*configfile\b/m.test(text) && !/^\s*(menuentry|blscfg)\b/m.test(text);

/** Vendor folder names go into a shell line: only plain names are taken. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Pure: which grub.cfg this guest boots. A UEFI guest's first ESP grub.cfg that is a real
 * configuration (not the stub) wins; everything else uses /boot/grub2/grub.cfg.
 */
export function chooseRhelGrub(firmware: Inspection["firmware"], esp: readonly EspGrubCfg[]): GrubTooling {
  if (firmware !== "uefi") return rhelGrub;
  const real = esp.find((c) => PLAIN_NAME.test(c.vendor) && c.vendor.toUpperCase() !== "BOOT" && !isStubGrubCfg(c.text));
  return real ? rhelGrubAt(`${EFI_DIR}/${real.vendor}/grub.cfg`, `${EFI_DIR}/${real.vendor}/grubenv`) : rhelGrub;
}

/** Read-only: the ESP's grub.cfg files, then the choice. */
export async function locateRhelGrub(g: GuestHandle, insp: Inspection): Promise<GrubTooling> {
  if (insp.firmware !== "uefi") return rhelGrub;
  const esp: EspGrubCfg[] = [];
  for (const vendor of [...(await g.ls(EFI_DIR))].sort()) {
    const path = `${EFI_DIR}/${vendor}/grub.cfg`;
    if (PLAIN_NAME.test(vendor) && (await g.isFile(path))) esp.push({ vendor, text: await g.readFile(path) });
  }
  return chooseRhelGrub(insp.firmware, esp);
}
