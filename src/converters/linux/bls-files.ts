// The files that carry kernel arguments on a BLS guest (family.ts GrubTooling.bls), each with the
// pure rewrite of its own syntax: the entries' `options` lines, /etc/kernel/cmdline (copied into
// entries of kernels installed later) and grubenv's kernelopts (RHEL 8). Device renames, Xen
// console replacement and the appliance-name fix all walk this list. [] for other guests.
import type { GuestHandle } from "../../model/guest-handle.js";
import { editGrubenv, rewriteBlsOptions, rewriteGrubenvKernelopts, rewriteKernelCmdline } from "./bls.js";
import { replaceXenConsoleArgs, type ConsoleEdit } from "./consoles.js";
import type { DeviceRenamer, RewriteResult } from "./device-names.js";
import type { GrubTooling } from "./family.js";
import { listGuestFiles } from "./guest-files.js";

export type ArgsRewrite = (text: string, rename: DeviceRenamer) => RewriteResult;
export type ConsoleRewrite = (text: string) => ConsoleEdit;

/** The BLS entry files of the guest, sorted. */
export const blsEntryFiles = async (g: GuestHandle, grub: GrubTooling): Promise<readonly string[]> =>
  grub.bls ? listGuestFiles(g, grub.bls.entriesDir, /\.conf$/) : [];

export async function blsDeviceFiles(g: GuestHandle, grub: GrubTooling): Promise<readonly (readonly [string, ArgsRewrite])[]> {
  if (!grub.bls) return [];
  return [
    ...(await blsEntryFiles(g, grub)).map((p) => [p, rewriteBlsOptions] as const),
    [grub.bls.cmdlinePath, rewriteKernelCmdline],
    [grub.envPath, rewriteGrubenvKernelopts],
  ];
}

/** console=hvc0/xvc0 on the `options` lines of an entry. */
export function replaceXenConsolesInBlsOptions(text: string): ConsoleEdit {
  let replaced = 0;
  const out = text.split("\n").map((line) => {
    if (!/^\s*options\s/.test(line)) return line;
    const r = replaceXenConsoleArgs(line);
    replaced += r.replaced;
    return r.text;
  });
  return { text: out.join("\n"), replaced };
}

export function replaceXenConsolesInGrubenv(text: string): ConsoleEdit {
  let replaced = 0;
  const out = editGrubenv(text, (line) => {
    if (!line.startsWith("kernelopts=")) return line;
    const r = replaceXenConsoleArgs(line);
    replaced += r.replaced;
    return r.text;
  });
  return { text: out, replaced };
}

export async function blsConsoleFiles(g: GuestHandle, grub: GrubTooling): Promise<readonly (readonly [string, ConsoleRewrite])[]> {
  if (!grub.bls) return [];
  return [
    ...(await blsEntryFiles(g, grub)).map((p) => [p, replaceXenConsolesInBlsOptions] as const),
    [grub.bls.cmdlinePath, replaceXenConsoleArgs],
    [grub.envPath, replaceXenConsolesInGrubenv],
  ];
}
