// Make the chosen kernel's initramfs load the virtio drivers, then rebuild it in the guest.
// initramfs-tools always includes the modules listed in /etc/initramfs-tools/modules, whatever
// MODULES= says (MODULES=list includes nothing else). MODULES=dep would size the image for the
// hardware the build runs on, which here is the libguestfs appliance, so it becomes MODULES=most.
import type { GuestHandle } from "../../model/guest-handle.js";
import { V2vError } from "../../model/errors.js";
import { editGuestFile, listGuestFiles, runGuestCommand } from "./guest-files.js";
import type { InstalledKernel } from "./kernels.js";
import type { StepLog } from "./step-log.js";
import { VIRTIO_MODULES } from "./virtio-support.js";

const MODULES_FILE = "/etc/initramfs-tools/modules";
const ADDED_COMMENT = "# virtio drivers for the KVM target, added by v2v";
const REBUILD_TIMEOUT_MS = 30 * 60_000; // compressing a MODULES=most image is slow under TCG

/** Append the modules that the file does not list yet (first word of each line), keeping everything else. */
export function addInitramfsModules(text: string, modules: readonly string[]): { text: string; added: readonly string[] } {
  const listed = new Set(
    text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")).map((l) => l.split(/\s+/)[0]!.replace(/-/g, "_")),
  );
  const added = modules.filter((m) => !listed.has(m.replace(/-/g, "_")));
  if (added.length === 0) return { text, added };
  const base = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  return { text: `${base}${ADDED_COMMENT}\n${added.join("\n")}\n`, added };
}

/** MODULES=dep -> MODULES=most on uncommented lines, keeping any quotes. */
export function switchModulesDepToMost(text: string): { text: string; changed: boolean } {
  let changed = false;
  const out = text.replace(/^(\s*MODULES\s*=\s*)(["']?)dep\2(\s*(#.*)?)$/gm, (_m, pre: string, q: string, post: string) => {
    changed = true;
    return `${pre}${q}most${q}${post}`;
  });
  return { text: out, changed };
}

/** True when update-initramfs.conf says update_initramfs=no, which makes "update-initramfs -u" do nothing. */
export const disablesUpdates = (conf: string): boolean => /^\s*update_initramfs\s*=\s*["']?no["']?\s*$/m.test(conf);

async function findProgram(g: GuestHandle, names: readonly string[]): Promise<string | undefined> {
  for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
    for (const n of names) if (await g.isFile(`${dir}/${n}`)) return n;
  }
  return undefined;
}

/** The modules this kernel has (as a file or built in), in a stable order. */
const presentModules = (k: InstalledKernel): readonly string[] => VIRTIO_MODULES.filter((m) => k.drivers[m] !== "absent");

async function configureInitramfsTools(g: GuestHandle, k: InstalledKernel, log: StepLog): Promise<void> {
  const modules = presentModules(k);
  let added: readonly string[] = [];
  if (await g.isFile(MODULES_FILE)) {
    await editGuestFile(g, MODULES_FILE, (t) => { const r = addInitramfsModules(t, modules); added = r.added; return r.text; });
  } else {
    const r = addInitramfsModules("", modules);
    added = r.added;
    await g.writeFile(MODULES_FILE, r.text);
  }
  if (added.length > 0) log.change(`added ${added.join(", ")} to ${MODULES_FILE}`);
  const confs = ["/etc/initramfs-tools/initramfs.conf", ...(await listGuestFiles(g, "/etc/initramfs-tools/conf.d", /^[^.]/))];
  for (const conf of confs) {
    if (await editGuestFile(g, conf, (t) => switchModulesDepToMost(t).text)) {
      log.change(`changed MODULES=dep to MODULES=most in ${conf}: "dep" would pick the conversion appliance's drivers, not the target's`);
    }
  }
}

async function rebuildWithInitramfsTools(g: GuestHandle, k: InstalledKernel, log: StepLog): Promise<void> {
  const advice = `Check that the guest's initramfs-tools work (e.g. enough free space in /boot) and retry.`;
  const purpose = `rebuilding the initramfs of kernel ${k.version}`;
  const conf = "/etc/initramfs-tools/update-initramfs.conf";
  const updatesOff = (await g.isFile(conf)) && disablesUpdates(await g.readFile(conf));
  if (!k.initrd) {
    await runGuestCommand(g, ["update-initramfs", "-c", "-k", k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  } else if (updatesOff) {
    // update-initramfs -u would exit 0 without doing anything; mkinitramfs ignores that setting.
    log.note(`${conf} sets update_initramfs=no; running mkinitramfs directly`);
    await runGuestCommand(g, ["mkinitramfs", "-o", k.initrd, k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  } else {
    await runGuestCommand(g, ["update-initramfs", "-u", "-k", k.version], purpose, advice, REBUILD_TIMEOUT_MS);
  }
}

/**
 * Add the virtio drivers to the kernel's initramfs and rebuild it, keeping the old image as
 * <initrd>.pre-v2v. Without this, a kernel whose drivers are modules cannot find its root disk.
 */
export async function rebuildInitramfs(g: GuestHandle, k: InstalledKernel, log: StepLog): Promise<void> {
  const hasInitramfsTools = (await g.isDir("/etc/initramfs-tools")) && (await findProgram(g, ["update-initramfs"])) !== undefined;
  const dracut = hasInitramfsTools ? undefined : await findProgram(g, ["dracut"]);
  if (!hasInitramfsTools && !dracut) {
    throw new V2vError("CONVERSION",
      `the guest has neither initramfs-tools (update-initramfs) nor dracut, so the initramfs of kernel ${k.version} `
      + `cannot be rebuilt with the virtio drivers; install initramfs-tools in the guest and convert it again.`);
  }
  if (k.initrd) {
    await g.cp(k.initrd, `${k.initrd}.pre-v2v`);
    log.change(`kept the previous initramfs as ${k.initrd}.pre-v2v`);
  }
  const target = k.initrd ?? `/boot/initrd.img-${k.version}`;
  if (hasInitramfsTools) {
    await configureInitramfsTools(g, k, log);
    await rebuildWithInitramfsTools(g, k, log);
  } else {
    // dracut's host-only mode would also size the image for the appliance.
    await runGuestCommand(g,
      ["dracut", "--force", "--no-hostonly", "--add-drivers", presentModules(k).join(" "), target, k.version],
      `rebuilding the initramfs of kernel ${k.version}`, "Check that the guest's dracut works and retry.", REBUILD_TIMEOUT_MS);
  }
  if (!(await g.isFile(target))) {
    throw new V2vError("CONVERSION",
      `rebuilding the initramfs of kernel ${k.version} did not produce ${target}; check /etc/initramfs-tools in the guest and convert it again.`);
  }
  log.change(`rebuilt ${target} with ${presentModules(k).join(", ")}`);
}
