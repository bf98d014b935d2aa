// dracut as an initramfs builder: the RHEL and SUSE families' tool, and the fallback of Debian
// guests that replaced initramfs-tools with it.
//
// The virtio drivers go into dracut's own configuration, a drop-in file in /etc/dracut.conf.d,
// so that every later rebuild (a kernel update on the target) keeps them, not only this one.
// Host-only mode is off for this rebuild: it would size the image for the hardware the build runs
// on, which is the libguestfs appliance, not the target.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import type { StepLog } from "../step-log.js";
import type { InitramfsBuilder, InitramfsTool, InstalledKernel } from "./family.js";
import { hasGuestProgram, runGuestCommand } from "./guest-files.js";
import { REBUILD_TIMEOUT_MS } from "./initramfs.js";

export const DRACUT_CONF_DIR = "/etc/dracut.conf.d";
/** Ours; dracut reads the drop-ins in name order, so a later file can still remove what it adds. */
export const DRACUT_VIRTIO_CONF = `${DRACUT_CONF_DIR}/60-v2v-virtio.conf`;

/** Pure: the drop-in's text for these modules (module names are [a-z0-9_], checked by the caller's list). */
export function dracutVirtioConf(modules: readonly string[]): string {
  return [
    "# virtio drivers for the KVM target, added by v2v: the root disk is on virtio there.",
    `add_drivers+=" ${modules.join(" ")} "`,
    "",
  ].join("\n");
}

async function writeConf(g: GuestHandle, modules: readonly string[], log: StepLog): Promise<void> {
  const text = dracutVirtioConf(modules);
  if ((await g.isFile(DRACUT_VIRTIO_CONF)) && (await g.readFile(DRACUT_VIRTIO_CONF)) === text) return;
  await g.mkdirP(DRACUT_CONF_DIR);
  await g.writeFile(DRACUT_VIRTIO_CONF, text);
  log.change(`added ${modules.join(", ")} to dracut's configuration in ${DRACUT_VIRTIO_CONF}`);
}

export const dracutBuilder: InitramfsBuilder = {
  name: "dracut",
  async rebuild(g, k, image, modules, log) {
    if (modules.some((m) => !/^[a-z0-9_]+$/.test(m))) throw new Error(`dracut: not a module name in ${JSON.stringify(modules)}`);
    await writeConf(g, modules, log);
    await runGuestCommand(g,
      ["dracut", "--force", "--no-hostonly", image, k.version],
      `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's dracut works and retry.", REBUILD_TIMEOUT_MS);
  },
};

/** An mkinitrd builder: the families' mkinitrd programs differ only in their command line. */
export function mkinitrdBuilder(argvFor: (image: string, k: InstalledKernel, modules: readonly string[]) => readonly string[]): InitramfsBuilder {
  return {
    name: "mkinitrd",
    async rebuild(g, k, image, modules) {
      await runGuestCommand(g, argvFor(image, k, modules),
        `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's mkinitrd works and retry.", REBUILD_TIMEOUT_MS);
    },
  };
}

/**
 * The initramfs tool of a family that moved to dracut: dracut when the guest has it, else the
 * family's own mkinitrd (older releases), else a refusal saying what to install.
 */
export function dracutOrMkinitrd(mkinitrd: InitramfsBuilder): InitramfsTool {
  return {
    configDir: DRACUT_CONF_DIR,
    // dracut takes resume= from the kernel command line, which the GRUB and BLS renames cover.
    resumeFiles: [],
    async findBuilder(g, k) {
      if (await hasGuestProgram(g, "dracut")) return dracutBuilder;
      if (await hasGuestProgram(g, "mkinitrd")) return mkinitrd;
      throw new V2vError("CONVERSION",
        `the guest has neither dracut nor mkinitrd, so the initramfs of kernel ${k.version} cannot be rebuilt with the virtio drivers; `
        + "install dracut in the guest and convert it again.");
    },
  };
}
