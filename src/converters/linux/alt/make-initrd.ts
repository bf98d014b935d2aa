// make-initrd, ALT Linux's initramfs tool. Its configuration, /etc/initrd.mk, is a makefile
// fragment; MODULES_ADD lists modules every image gets, whatever make-initrd guesses from the
// hardware it runs on (which here is the libguestfs appliance, not the target).
import { V2vError } from "../../../model/errors.js";
import type { GuestHandle } from "../../../model/guest-handle.js";
import type { StepLog } from "../../step-log.js";
import type { InitramfsBuilder, InitramfsTool } from "../family.js";
import { hasGuestProgram, runGuestCommand } from "../guest-files.js";
import { REBUILD_TIMEOUT_MS } from "../initramfs.js";

export const INITRD_MK = "/etc/initrd.mk";
const ADDED_COMMENT = "# virtio drivers for the KVM target, added by v2v";

/** Modules already named on a MODULES_ADD line (+= or =). */
function listedModules(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^\s*MODULES_ADD\s*\+?=(.*)$/.exec(line);
    if (m) for (const w of m[1]!.split(/\s+/)) if (w !== "") out.add(w.replace(/-/g, "_"));
  }
  return out;
}

/** Pure: append "MODULES_ADD += ..." for the modules initrd.mk does not add yet. */
export function addMakeInitrdModules(text: string, modules: readonly string[]): { text: string; added: readonly string[] } {
  const listed = listedModules(text);
  const added = modules.filter((m) => !listed.has(m));
  if (added.length === 0) return { text, added };
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return { text: `${base}${ADDED_COMMENT}\nMODULES_ADD += ${added.join(" ")}\n`, added };
}

async function configure(g: GuestHandle, modules: readonly string[], log: StepLog): Promise<void> {
  const before = (await g.isFile(INITRD_MK)) ? await g.readFile(INITRD_MK) : "";
  const r = addMakeInitrdModules(before, modules);
  if (r.added.length === 0) return;
  await g.writeFile(INITRD_MK, r.text);
  log.change(`added ${r.added.join(", ")} to MODULES_ADD in ${INITRD_MK}`);
}

export const makeInitrdBuilder: InitramfsBuilder = {
  name: "make-initrd",
  async rebuild(g, k, _image, modules, log) {
    if (modules.some((m) => !/^[a-z0-9_]+$/.test(m))) throw new Error(`make-initrd: not a module name in ${JSON.stringify(modules)}`);
    await configure(g, modules, log);
    // make-initrd names the image itself (/boot/initrd-<version>.img, the family's initrdPath).
    await runGuestCommand(g, ["make-initrd", "-k", k.version],
      `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's make-initrd works and retry.", REBUILD_TIMEOUT_MS);
  },
};

export const altInitramfs: InitramfsTool = {
  configDir: INITRD_MK,
  resumeFiles: [],
  async findBuilder(g, k) {
    if (await hasGuestProgram(g, "make-initrd")) return makeInitrdBuilder;
    throw new V2vError("CONVERSION",
      `the guest has no make-initrd, so the initramfs of kernel ${k.version} cannot be rebuilt with the virtio drivers; `
      + `install make-initrd in the guest and convert it again.`);
  },
};
